/**
 * One `ward upstream` report from those of several worker processes (server.workers): counters
 * add up per server address and per zone, and the shares are computed again from the sums. What a
 * worker learnt about a server (SRTT, DoT state, last transport, rule, last error) is shown as the
 * worker that sent it the most queries knows it: each worker keeps its own infrastructure cache.
 */
import { addCounters } from '../control/index.js';
import { encryptedShare, serverShares } from './tracker.js';
import type { UpstreamReport, UpstreamServerReport, UpstreamTotals } from './types.js';

/** Sums rows by key; the other fields are those of the row with the most queries; `finish` sees each group too. */
function mergeRows<R extends { queries: number }>(rows: R[], key: (r: R) => string, counters: (r: R) => Partial<R>, finish: (merged: R, group: R[]) => R): R[] {
  const groups = new Map<string, R[]>();
  for (const r of rows) {
    const k = key(r);
    const g = groups.get(k);
    if (g) g.push(r); else groups.set(k, [r]);
  }
  return [...groups.values()].map((g) => {
    const base = g.reduce((a, b) => (b.queries > a.queries ? b : a));
    return finish({ ...base, ...g.map(counters).reduce((a, b) => addCounters(a, b)) }, g);
  });
}

const serverCounters = (s: UpstreamServerReport): Partial<UpstreamServerReport> => ({
  queries: s.queries, queries_tls: s.queries_tls, by_transport: s.by_transport, timeouts: s.timeouts, tcp_connections: s.tcp_connections,
  tls_connections: s.tls_connections, tls_full: s.tls_full, tls_resumed: s.tls_resumed, fallbacks: s.fallbacks, connect_failures: s.connect_failures,
});

export function mergeUpstreamReports(reports: UpstreamReport[]): UpstreamReport {
  const totals = reports.map((r): UpstreamTotals => ({
    queries: r.queries, by_transport: r.by_transport, timeouts: r.timeouts, fallbacks: r.fallbacks, connect_failures: r.connect_failures,
    tls_connections: r.tls_connections, tls_full: r.tls_full, tls_resumed: r.tls_resumed,
  })).reduce((a, b) => addCounters(a, b));
  const servers = mergeRows(reports.flatMap((r) => r.servers), (s) => `${s.address.toLowerCase()}#${s.port}`, serverCounters,
    (s, group) => ({ ...s, zones: [...new Set(group.flatMap((o) => o.zones))], ...serverShares(s) }));
  const zones = mergeRows(reports.flatMap((r) => r.zones), (z) => z.zone, (z) => ({ queries: z.queries, queries_tls: z.queries_tls }),
    (z) => ({ ...z, encrypted_share: encryptedShare(z) }));
  return { ...totals, encrypted_share: encryptedShare(totals), servers, zones };
}
