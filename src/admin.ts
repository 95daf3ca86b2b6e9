/**
 * The admin handle behind the control channel and the metrics exporter: one place that reaches
 * every counter and every cache of a running Ward (Unbound's daemon/remote.c is the model: a flush
 * reaches every cache, stats add up the parts).
 */
import { emptyPeerStats, type PeerAnswers } from './cache/index.js';
import type { AdminHandle, FlushArgs, FlushResult, SharedCounters, StatsCounters, StatsReport } from './control/index.js';
import { subtractCounters } from './control/index.js';
import type { Resolver } from './resolver/index.js';
import type { RunningServer } from './server/index.js';
import { errorMessage } from './util/index.js';
import { encryptedShare, type ManagedUpstream, type UpstreamReport, type UpstreamTotals } from './upstream/index.js';
import type { NetExchanger } from './net/index.js';
import { formatRecord, rcodeMnemonic } from './wire/index.js';

export interface AdminParts {
  server: RunningServer;
  /** The resolver serving now (reload may replace it). */
  resolver(): Resolver;
  upstream: ManagedUpstream;
  exchanger: NetExchanger;
  reload(): Promise<{ applied: string[] }>;
  /** Wall-clock ms (Clock.now()). */
  now(): number;
  /** The policy stage's counters. */
  policy(): StatsCounters['policy'];
  /** The shared cache tier's counters (all 0 when cache.shared is off). */
  shared(): SharedCounters;
  /** Removes what a flush names from the shared tier (cache.shared only); resolves with how many. */
  sharedFlush?: (a: FlushArgs) => Promise<number>;
  /** The other workers' answers held here (server.share_cache_between_workers); undefined in one process or when off. */
  peers?: PeerAnswers;
  /** The status page's counters; undefined when the page is off. */
  status?: (top: number) => unknown;
}

export interface Admin extends AdminHandle {
  stats(reset?: boolean): StatsReport;
  upstream(): UpstreamReport;
}

export function createAdmin(p: AdminParts): Admin {
  const startedAt = p.now();
  let baseline: StatsCounters | undefined;
  let resetAt = startedAt;

  type Parts = { s: ReturnType<RunningServer['stats']>; r: ReturnType<Resolver['stats']>; u: UpstreamTotals; shared: SharedCounters; workers: StatsCounters['cache']['workers'] };
  /** One snapshot of every part: each stats() is read once per report. */
  const parts = (): Parts => ({ s: p.server.stats(), r: p.resolver().stats(), u: p.upstream.totals(), shared: p.shared(), workers: p.peers?.stats() ?? emptyPeerStats() });

  const counters = ({ s, r, u, shared, workers }: Parts): StatsCounters => {
    const byRcode: { [name: string]: number } = {};
    s.rcodes.forEach((n, code) => { if (n > 0) byRcode[rcodeMnemonic(code)] = n; });
    return {
      queries: {
        total: s.received, ...s.byTransport, answered: s.answered, dropped: s.dropped, refused: s.refused,
        formerr: s.formerr, servfail: s.servfail, by_rcode: byRcode,
      },
      cache: {
        hits: s.microcacheHits + r.cache_hits + shared.hits + workers.hits, misses: r.cache_misses, packet_hits: s.microcacheHits, rrset_hits: r.cache_hits,
        stale_served: r.stale_served, prefetches: r.prefetches, shared, workers,
      },
      dnssec: { ...r.validation },
      policy: p.policy(),
      upstream: {
        queries: u.queries, ...u.by_transport, timeouts: u.timeouts, fallbacks: u.fallbacks, connect_failures: u.connect_failures,
        tls_connections: u.tls_connections, tls_full: u.tls_full, tls_resumed: u.tls_resumed,
      },
    };
  };

  const admin: Admin = {
    stats(reset = false): StatsReport {
      const now = p.now();
      const snap = parts();
      const { s, r, u } = snap;
      const c = counters(snap);
      const mem = process.memoryUsage();
      const report: StatsReport = {
        ...c,
        uptime_seconds: Math.round((now - startedAt) / 1000),
        started_at: new Date(startedAt).toISOString(),
        encrypted_share: encryptedShare(u),
        cache_size: {
          rrset_entries: r.cache_entries, rrset_bytes: r.cache_bytes, packet_entries: s.microcacheSize,
          worker_share_entries: p.peers?.entries ?? 0, worker_share_bytes: p.peers?.bytes ?? 0,
        },
        connections: { clients: s.connections, client_sessions: s.sessions, upstream_sessions: p.exchanger.stats().sessions },
        inflight: s.inflight,
        memory: { rss_bytes: mem.rss, heap_used_bytes: mem.heapUsed, cache_bytes: r.cache_bytes },
        latency: s.latency,
        since_reset: { ...(baseline ? subtractCounters(c, baseline) : c), reset_at: new Date(resetAt).toISOString() },
      };
      if (reset) { baseline = c; resetAt = now; }
      return report;
    },
    upstream: () => p.upstream.report(),
    async flush(a: FlushArgs): Promise<FlushResult> {
      p.server.flushMicrocache();
      let removed: number;
      if (a.all) {
        removed = p.resolver().stats().cache_entries;
        p.resolver().flushAll();
      } else {
        removed = p.resolver().flush(a.name ?? '', { type: a.type, subtree: a.subtree });
      }
      // The other workers' answers held here would bring the flushed name back likewise.
      removed += p.peers?.flush(a) ?? 0;
      // Otherwise the next lookup would bring the flushed answer back from the tier.
      if (!p.sharedFlush) return { removed };
      try {
        return { removed, shared_removed: await p.sharedFlush(a) };
      } catch (err) {
        return { removed, shared_error: errorMessage(err) };
      }
    },
    flushInfra: (address: string) => ({ removed: p.upstream.forgetServer(address) }),
    cacheDump(name?: string) {
      return p.resolver().dump(name).map((e) => ({
        kind: e.kind, ttl: e.ttl, stale: e.stale, rank: e.rank, security: e.security, records: e.records.map(formatRecord),
      }));
    },
    reload: () => p.reload(),
    status(top: number) {
      if (!p.status) throw new Error('the status page is off (http.listen and http.status_page)');
      return p.status(top);
    },
  };
  return admin;
}
