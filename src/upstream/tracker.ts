/**
 * Counts what the upstream side sends, per server address and per zone: every try on the wire
 * (ladder rungs and RFC 9539 probes alike) is one query over its transport. The encrypted share is
 * queries over TLS ÷ all queries sent. Plain integer fields, read by `snapshot()`; bounded maps (LRU
 * order by last use) so a long run of distinct servers or zones cannot grow memory.
 */
import type { ExchangeResult, NetErrorCode, Transport } from '../net/index.js';
import type { ServerAddress, ServerCounters, TransportCounts, UpstreamTotals, ZoneCounters } from './types.js';

const MAX_SERVERS = 10_000;
const MAX_ZONES = 10_000;
/** Zones remembered per server row. */
const MAX_ZONES_PER_SERVER = 8;

/** Failures before the query was written: nothing went to the server. */
const UNSENT: ReadonlySet<NetErrorCode> = new Set<NetErrorCode>(['connect-refused', 'connect-timeout', 'tls-handshake', 'tls-auth', 'closed', 'bad-query', 'oversize']);

export interface UpstreamSnapshot extends UpstreamTotals {
  servers: ServerCounters[];
  zones: ZoneCounters[];
}

function touch<V>(map: Map<string, V>, key: string, make: () => V, max: number): V {
  let v = map.get(key);
  if (v === undefined) {
    v = make();
    if (map.size >= max) map.delete(map.keys().next().value as string);
  } else map.delete(key);
  map.set(key, v);
  return v;
}

export class UpstreamTracker {
  private readonly servers = new Map<string, ServerCounters>();
  private readonly zones = new Map<string, ZoneCounters>();
  private readonly totals: UpstreamTotals = {
    queries: 0, by_transport: { udp: 0, tcp: 0, tls: 0 }, timeouts: 0, fallbacks: 0, connect_failures: 0, tls_connections: 0, tls_full: 0, tls_resumed: 0,
  };

  /** One try for `server` over `transport` for `zone`, with its outcome; a try that never reached the wire is no query. */
  sent(server: ServerAddress, zone: string | undefined, transport: Transport, r: ExchangeResult): void {
    const s = this.server(server);
    const t = this.totals;
    if (zone !== undefined && !s.zones.includes(zone)) {
      s.zones.push(zone);
      if (s.zones.length > MAX_ZONES_PER_SERVER) s.zones.shift();
    }
    if (r.kind === 'fail' && UNSENT.has(r.code)) { s.connect_failures++; t.connect_failures++; return; }
    s.queries++; t.queries++;
    s.by_transport[transport]++; t.by_transport[transport]++;
    s.last_transport = transport;
    if (transport === 'tls') s.queries_tls++;
    if (r.kind === 'fail' && r.code === 'timeout') { s.timeouts++; t.timeouts++; }
    if (zone === undefined) return;
    const z = touch(this.zones, zone, () => ({ zone, queries: 0, queries_tls: 0 }), MAX_ZONES);
    z.queries++;
    if (transport === 'tls') z.queries_tls++;
  }

  /** A stream session to `server` was opened (whatever became of the query that opened it). */
  opened(server: ServerAddress, transport: 'tcp' | 'tls', resumed: boolean): void {
    const s = this.server(server);
    const t = this.totals;
    if (transport === 'tcp') { s.tcp_connections++; return; }
    s.tls_connections++; t.tls_connections++;
    if (resumed) { s.tls_resumed++; t.tls_resumed++; } else { s.tls_full++; t.tls_full++; }
  }

  /** DoT to `server` failed and the query goes on in clear. */
  fellBack(server: ServerAddress): void {
    this.server(server).fallbacks++;
    this.totals.fallbacks++;
  }

  /** A strict rule could not be met for `server`: nothing was sent in clear; `why` is shown. */
  refused(server: ServerAddress, why: string): void {
    this.server(server).last_error = why;
  }

  /** Forgets a server's row (`ward flush-infra`). */
  forget(address: string): void {
    for (const [k, s] of this.servers) if (s.address === address) this.servers.delete(k);
  }

  /** The totals over every server, without the per-server and per-zone rows (`ward stats`, metrics). */
  sums(): UpstreamTotals {
    return { ...this.totals, by_transport: { ...this.totals.by_transport } };
  }

  snapshot(): UpstreamSnapshot {
    return {
      ...this.sums(),
      servers: [...this.servers.values()].map((s) => ({ ...s, zones: [...s.zones], by_transport: { ...s.by_transport } })),
      zones: [...this.zones.values()].map((z) => ({ ...z })),
    };
  }

  private server(a: ServerAddress): ServerCounters {
    return touch(this.servers, `${a.address.toLowerCase()}#${a.port}`, () => ({
      address: a.address, port: a.port, zones: [], queries: 0, queries_tls: 0, by_transport: { udp: 0, tcp: 0, tls: 0 },
      timeouts: 0, tcp_connections: 0, tls_connections: 0, tls_full: 0, tls_resumed: 0, fallbacks: 0, connect_failures: 0,
    }), MAX_SERVERS);
  }
}

/** Queries over TLS ÷ queries sent (0 when nothing was sent). */
export function encryptedShare(c: { queries: number; queries_tls?: number; by_transport?: TransportCounts }): number {
  const tls = c.queries_tls ?? c.by_transport?.tls ?? 0;
  return c.queries === 0 ? 0 : tls / c.queries;
}

/** A server row's ratios: its encrypted share and the queries each TLS connection carried. */
export function serverShares(s: ServerCounters): { encrypted_share: number; queries_per_tls_connection: number } {
  return { encrypted_share: encryptedShare(s), queries_per_tls_connection: s.tls_connections === 0 ? 0 : s.queries_tls / s.tls_connections };
}
