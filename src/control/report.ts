/**
 * The shape of `ward stats --json` (DESIGN.md: at least queries.total/udp/tcp/tls and
 * cache.hits/misses, counts since start). `since_reset` holds the same counters since the last
 * `ward stats --reset` (or start).
 */

export interface StatsCounters {
  queries: {
    total: number; udp: number; tcp: number; tls: number;
    answered: number; dropped: number; refused: number; formerr: number; servfail: number;
    /** Responses by RCODE name (only codes seen). */
    by_rcode: { [rcode: string]: number };
  };
  cache: {
    /** Client questions answered without resolution: from the packet cache, the RRset cache, the shared tier or another worker's answer. */
    hits: number;
    /** Client questions that needed resolution. */
    misses: number;
    packet_hits: number;
    rrset_hits: number;
    stale_served: number;
    prefetches: number;
    /** The shared tier (cache.shared; all 0 when off): lookups by outcome, writes, the circuit breaker. */
    shared: SharedCounters;
    /** The other workers' answers (server.share_cache_between_workers; all 0 in one process). */
    workers: WorkerShareCounters;
  };
  dnssec: { secure: number; insecure: number; bogus: number; indeterminate: number };
  /** The policy stage: answers blocked (per list, and through a CNAME), and let through by an allow entry. */
  policy: { blocked: number; allowed: number; blocked_via_cname: number; by_list: { [list: string]: number } };
  upstream: {
    queries: number; udp: number; tcp: number; tls: number; timeouts: number; fallbacks: number; connect_failures: number;
    tls_connections: number; tls_full: number; tls_resumed: number;
  };
}

export interface SharedCounters {
  hits: number; misses: number; expired: number; malformed: number; timeouts: number; errors: number; skipped: number;
  writes: number; breaker_opens: number;
}

export interface WorkerShareCounters {
  hits: number; misses: number; expired: number; sent: number; received: number; dropped: number;
}

export interface StatsReport extends StatsCounters {
  uptime_seconds: number;
  started_at: string;
  /** Share of upstream queries sent over TLS since start (0..1). */
  encrypted_share: number;
  /** worker_share_*: the other workers' answers held, not yet asked here (peer-answers.ts). */
  cache_size: { rrset_entries: number; rrset_bytes: number; packet_entries: number; worker_share_entries: number; worker_share_bytes: number };
  connections: { clients: number; client_sessions: number; upstream_sessions: number };
  inflight: number;
  memory: { rss_bytes: number; heap_used_bytes: number; cache_bytes: number };
  latency: { bounds: number[]; counts: number[]; sum_seconds: number; count: number };
  since_reset: StatsCounters & { reset_at: string };
}

/** `a - b` for every number in a tree of counters (objects of numbers and objects). */
export function subtractCounters<T>(a: T, b: T): T {
  return combineCounters(a, b, (x, y) => x - y);
}

/**
 * `a + b` for every number in a tree of counters (the sum over worker processes): keys of either
 * side are kept (RCODEs one worker saw and another did not), lists of numbers add element by
 * element (histogram buckets), and anything else (text) is taken from `a`.
 */
export function addCounters<T>(a: T, b: T): T {
  return combineCounters(a, b, (x, y) => x + y, true);
}

function combineCounters<T>(a: T, b: T, op: (x: number, y: number) => number, union = false): T {
  if (typeof a === 'number') return op(a, (b as unknown as number) ?? 0) as unknown as T;
  if (Array.isArray(a)) return a.map((v, i) => combineCounters(v, (b as unknown[] | undefined)?.[i], op, union)) as unknown as T;
  if (typeof a !== 'object' || a === null) return a;
  const other = (b ?? {}) as { [k: string]: unknown };
  const out: { [k: string]: unknown } = {};
  for (const [k, v] of Object.entries(a as object)) out[k] = combineCounters(v, other[k], op, union);
  if (union) for (const [k, v] of Object.entries(other)) if (!(k in out)) out[k] = v;
  return out as T;
}
