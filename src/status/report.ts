/**
 * The shape of GET /status.json: the collector's counters and charts, and from the admin stats
 * (the same counters as `ward stats`) the answers by RCODE, the DNSSEC outcomes and the encrypted
 * share of upstream traffic.
 */
import type { StatsReport } from '../control/index.js';
import type { CollectorSnapshot } from './collector.js';
import type { TimeSeries } from './time-buckets.js';

export interface StatusTopEntry {
  /** A name ('.' for the root) or a client (address, or its hash with log.queries.anonymize). */
  key: string;
  count: number;
  /** Part of `count` that may belong to keys the bounded table dropped (0: exact). */
  error: number;
}

export interface StatusReport {
  generated_at: string;
  started_at: string;
  uptime_seconds: number;
  /** Client queries seen (answered or dropped) since start; blocked: answered by the policy. */
  queries: {
    total: number; blocked: number; blocked_share: number;
    by_transport: { udp: number; tcp: number; tls: number };
    by_rcode: { [rcode: string]: number };
  };
  cache: { hits: number; misses: number };
  /** The last 60 minutes, and the last 10 minutes in 10-second slots. */
  per_minute: TimeSeries;
  per_ten_seconds: TimeSeries;
  top_names: StatusTopEntry[];
  top_blocked: StatusTopEntry[];
  top_clients: StatusTopEntry[];
  dnssec: StatsReport['dnssec'];
  upstream: { queries: number; udp: number; tcp: number; tls: number; encrypted_share: number };
  /** The last query-log lines, newest first; null when log.queries is off. */
  recent: object[] | null;
}

export function statusReport(c: CollectorSnapshot, s: StatsReport, now: number): StatusReport {
  const top = (entries: CollectorSnapshot['topNames']): StatusTopEntry[] =>
    entries.map((e) => ({ key: e.key === '' ? '.' : e.key, count: e.count, error: e.error }));
  return {
    generated_at: new Date(now).toISOString(),
    started_at: s.started_at,
    uptime_seconds: s.uptime_seconds,
    queries: {
      total: c.total, blocked: c.blocked, blocked_share: c.total === 0 ? 0 : c.blocked / c.total,
      by_transport: { udp: s.queries.udp, tcp: s.queries.tcp, tls: s.queries.tls },
      by_rcode: s.queries.by_rcode,
    },
    cache: { hits: s.cache.hits, misses: s.cache.misses },
    per_minute: c.perMinute,
    per_ten_seconds: c.perTenSeconds,
    top_names: top(c.topNames),
    top_blocked: top(c.topBlocked),
    top_clients: top(c.topClients),
    dnssec: s.dnssec,
    upstream: { queries: s.upstream.queries, udp: s.upstream.udp, tcp: s.upstream.tcp, tls: s.upstream.tls, encrypted_share: s.encrypted_share },
    recent: c.recent ?? null,
  };
}
