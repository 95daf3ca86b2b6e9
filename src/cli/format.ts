/** The readable forms of `ward stats`, `ward upstream` and `ward cache dump` (the default without --json). */
import type { StatsCounters, StatsReport } from '../control/index.js';
import { percent, table } from './table.js';

interface DotView { state: string; until?: number }
interface ServerRow {
  address: string; zones: string[]; srtt_ms?: number; last_transport?: string; dot: DotView; queries: number; queries_tls: number;
  tls_connections: number; tls_full: number; tls_resumed: number; queries_per_tls_connection: number; fallbacks: number; timeouts: number;
  encrypted_share: number;
}
interface UpstreamView {
  queries: number; encrypted_share: number; tls_connections: number;
  servers: ServerRow[]; zones: { zone: string; queries: number; queries_tls: number; encrypted_share: number }[];
}
interface DumpEntry { kind: string; ttl: number; stale: boolean; rank: number; security: string; records: string[] }

function counterRows(c: StatsCounters): (string | number)[][] {
  return [
    ['queries', c.queries.total], ['  udp', c.queries.udp], ['  tcp', c.queries.tcp], ['  tls', c.queries.tls],
    ...Object.entries(c.queries.by_rcode).map(([rcode, n]) => [`  ${rcode}`, n]),
    ['  dropped', c.queries.dropped],
    ['cache hits', c.cache.hits], ['  packet cache', c.cache.packet_hits], ['  rrset cache', c.cache.rrset_hits],
    ['  shared cache', c.cache.shared.hits], ['  other workers', c.cache.workers.hits], ['cache misses', c.cache.misses], ['served stale', c.cache.stale_served], ['prefetches', c.cache.prefetches],
    ['shared cache misses', c.cache.shared.misses], ['  expired', c.cache.shared.expired], ['  malformed', c.cache.shared.malformed],
    ['  timeouts', c.cache.shared.timeouts], ['  errors', c.cache.shared.errors], ['  skipped (breaker open)', c.cache.shared.skipped],
    ['shared cache writes', c.cache.shared.writes], ['shared cache breaker opens', c.cache.shared.breaker_opens],
    ['worker answers sent', c.cache.workers.sent], ['worker answers received', c.cache.workers.received],
    ['  dropped (channel full)', c.cache.workers.dropped], ['  expired unasked', c.cache.workers.expired],
    ['dnssec secure', c.dnssec.secure], ['dnssec insecure', c.dnssec.insecure], ['dnssec bogus', c.dnssec.bogus],
    ['dnssec indeterminate', c.dnssec.indeterminate],
    ['blocked by policy', c.policy.blocked], ['  through a CNAME', c.policy.blocked_via_cname], ['allowed by policy', c.policy.allowed],
    ['upstream queries', c.upstream.queries], ['  udp', c.upstream.udp], ['  tcp', c.upstream.tcp], ['  tls', c.upstream.tls],
    ['  timeouts', c.upstream.timeouts], ['  fallbacks to clear', c.upstream.fallbacks], ['  connection failures', c.upstream.connect_failures],
    ['  tls handshakes full', c.upstream.tls_full], ['  tls handshakes resumed', c.upstream.tls_resumed],
  ];
}

export function formatStats(s: StatsReport): string {
  const since = counterRows(s.since_reset);
  const rows = counterRows(s).map((r, i) => [...r, since[i]?.[1] ?? 0]);
  const mb = (n: number): string => `${(n / 1048576).toFixed(1)} MB`;
  return [
    `uptime ${s.uptime_seconds} s (since ${s.started_at}); counters since reset: ${s.since_reset.reset_at}`,
    table(['counter', 'since start', 'since reset'], rows),
    '',
    `upstream encrypted share ${percent(s.encrypted_share)}`,
    `connections: ${s.connections.clients} client, ${s.connections.upstream_sessions} upstream; in flight ${s.inflight}`,
    `cache: ${s.cache_size.rrset_entries} RRset entries (${mb(s.cache_size.rrset_bytes)}), ${s.cache_size.packet_entries} packet entries`,
    `memory: rss ${mb(s.memory.rss_bytes)}, heap ${mb(s.memory.heap_used_bytes)}`,
  ].join('\n');
}

function dotText(d: DotView): string {
  return d.until ? `${d.state} until ${new Date(d.until).toISOString()}` : d.state;
}

export function formatUpstream(u: UpstreamView): string {
  const servers = [...u.servers].sort((a, b) => b.queries - a.queries).map((s) => [
    s.address, s.zones.map((z) => z || '.').join(','), s.srtt_ms === undefined ? '-' : s.srtt_ms.toFixed(1), s.last_transport ?? '-',
    dotText(s.dot), s.queries, s.queries_tls, percent(s.encrypted_share), s.tls_connections, `${s.tls_full}/${s.tls_resumed}`,
    s.queries_per_tls_connection.toFixed(1), s.fallbacks, s.timeouts,
  ]);
  const zones = [...u.zones].sort((a, b) => b.queries - a.queries).map((z) => [z.zone || '.', z.queries, z.queries_tls, percent(z.encrypted_share)]);
  return [
    `upstream queries ${u.queries}, encrypted share ${percent(u.encrypted_share)}, TLS connections ${u.tls_connections}`,
    '',
    table(['server', 'zones', 'srtt ms', 'transport', 'dot', 'queries', 'tls', 'encrypted', 'tls conns', 'full/resumed', 'q/conn', 'fallbacks', 'timeouts'], servers),
    '',
    table(['zone', 'queries', 'tls', 'encrypted'], zones),
  ].join('\n');
}

export function formatDump(entries: DumpEntry[]): string {
  return entries.map((e) => {
    const head = `; ${e.kind} ttl=${e.ttl}${e.stale ? ' (stale)' : ''} rank=${e.rank} dnssec=${e.security}`;
    return [head, ...e.records].join('\n');
  }).join('\n');
}

export type { UpstreamView, DumpEntry };
