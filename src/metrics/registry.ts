/**
 * The Prometheus registry (prom-client): every series is read from the admin snapshot when scraped,
 * so the query path only bumps plain integers. Names follow Prometheus conventions: `ward_` prefix,
 * `_total` counters, seconds; labels of bounded cardinality (transport, rcode, DNSSEC state, and the
 * busiest `topZones` zones for the encrypted share). Node's default process metrics (event-loop
 * delay, memory, CPU) come from prom-client with the same prefix.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { StatsReport } from '../control/index.js';

/** What the exporter reads on each scrape. */
export interface MetricsSource {
  stats(): StatsReport;
  upstream(): {
    zones: { zone: string; queries: number; queries_tls: number; encrypted_share: number }[];
  };
}

type Series = [labels: { [k: string]: string }, value: number][];

export function createRegistry(source: MetricsSource, topZones: number): Registry {
  const register = new Registry();
  // One snapshot per scrape: every collect of the same scrape reads it (prom-client calls them together).
  let snap: StatsReport | undefined;
  let snapAt = 0;
  const stats = (): StatsReport => {
    const now = Date.now();
    if (!snap || now - snapAt > 100) { snap = source.stats(); snapAt = now; }
    return snap;
  };
  const counter = (name: string, help: string, labelNames: string[], read: () => Series): void => {
    new Counter({
      name, help, labelNames, registers: [register],
      collect() { this.reset(); for (const [l, v] of read()) this.inc(l, v); },
    });
  };
  const gauge = (name: string, help: string, labelNames: string[], read: () => Series): void => {
    new Gauge({
      name, help, labelNames, registers: [register],
      collect() { this.reset(); for (const [l, v] of read()) this.set(l, v); },
    });
  };
  const one = (v: number): Series => [[{}, v]];

  counter('ward_queries_total', 'Client queries received, by transport.', ['transport'], () => {
    const q = stats().queries;
    return [[{ transport: 'udp' }, q.udp], [{ transport: 'tcp' }, q.tcp], [{ transport: 'tls' }, q.tls]];
  });
  counter('ward_responses_total', 'Responses sent to clients, by RCODE.', ['rcode'], () =>
    Object.entries(stats().queries.by_rcode).map(([rcode, n]) => [{ rcode }, n]));
  counter('ward_queries_dropped_total', 'Client queries dropped without an answer (ACL deny, garbage).', [], () => one(stats().queries.dropped));
  counter('ward_cache_hits_total', 'Client questions answered without resolution, by cache.', ['cache'], () => {
    const c = stats().cache;
    return [[{ cache: 'packet' }, c.packet_hits], [{ cache: 'rrset' }, c.rrset_hits], [{ cache: 'shared' }, c.shared.hits], [{ cache: 'workers' }, c.workers.hits]];
  });
  counter('ward_worker_share_answers_total', 'Answers shared between workers (server.share_cache_between_workers): sent to, received from the others; dropped (channel full) or expired unasked.', ['event'], () => {
    const w = stats().cache.workers;
    return (['sent', 'received', 'dropped', 'expired'] as const).map((k) => [{ event: k }, w[k]]);
  });
  counter('ward_shared_cache_lookups_total', 'Shared cache tier (cache.shared): lookups that hit, missed or timed out; lookups and writes that failed or were skipped (breaker open).', ['outcome'], () => {
    const sh = stats().cache.shared;
    return (['hits', 'misses', 'timeouts', 'errors', 'skipped'] as const).map((k) => [{ outcome: k }, sh[k]]);
  });
  counter('ward_shared_cache_unusable_total', 'Shared cache entries found but not served, by reason.', ['reason'], () => {
    const sh = stats().cache.shared;
    return [[{ reason: 'expired' }, sh.expired], [{ reason: 'malformed' }, sh.malformed]];
  });
  counter('ward_shared_cache_writes_total', 'Answers written to the shared cache tier.', [], () => one(stats().cache.shared.writes));
  counter('ward_shared_cache_breaker_opens_total', 'Times the shared cache circuit breaker opened.', [], () => one(stats().cache.shared.breaker_opens));
  counter('ward_cache_misses_total', 'Client questions that needed resolution.', [], () => one(stats().cache.misses));
  counter('ward_answers_stale_total', 'Answers served stale (RFC 8767).', [], () => one(stats().cache.stale_served));
  counter('ward_prefetches_total', 'Cache entries refreshed before expiry.', [], () => one(stats().cache.prefetches));
  counter('ward_dnssec_validations_total', 'Validated client answers, by DNSSEC state.', ['state'], () =>
    Object.entries(stats().dnssec).map(([state, n]) => [{ state }, n]));
  counter('ward_upstream_queries_total', 'Queries sent to authoritative servers, by transport.', ['transport'], () => {
    const u = stats().upstream;
    return [[{ transport: 'udp' }, u.udp], [{ transport: 'tcp' }, u.tcp], [{ transport: 'tls' }, u.tls]];
  });
  counter('ward_upstream_timeouts_total', 'Upstream tries that timed out.', [], () => one(stats().upstream.timeouts));
  counter('ward_upstream_connect_failures_total', 'Upstream tries that never carried the query (connection or TLS handshake failed).', [], () => one(stats().upstream.connect_failures));
  counter('ward_upstream_dot_fallbacks_total', 'Upstream queries sent in clear after DoT to the server failed.', [], () => one(stats().upstream.fallbacks));
  counter('ward_upstream_tls_handshakes_total', 'TLS connections opened to authoritative servers, by handshake.', ['handshake'], () => {
    const u = stats().upstream;
    return [[{ handshake: 'full' }, u.tls_full], [{ handshake: 'resumed' }, u.tls_resumed]];
  });
  gauge('ward_upstream_encrypted_share', 'Share of upstream queries sent over TLS since start (0..1).', [], () => one(stats().encrypted_share));
  gauge('ward_upstream_zone_encrypted_share', `Share of upstream queries over TLS for the ${topZones} busiest zones.`, ['zone'], () =>
    busiest(source.upstream().zones, topZones).map((z) => [{ zone: z.zone || '.' }, z.encrypted_share]));
  counter('ward_upstream_zone_queries_total', `Upstream queries for the ${topZones} busiest zones, by transport class.`, ['zone', 'encrypted'], () =>
    busiest(source.upstream().zones, topZones).flatMap((z): Series => [
      [{ zone: z.zone || '.', encrypted: 'true' }, z.queries_tls], [{ zone: z.zone || '.', encrypted: 'false' }, z.queries - z.queries_tls],
    ]));
  gauge('ward_client_connections', 'Open client TCP and TLS connections.', [], () => one(stats().connections.clients));
  gauge('ward_upstream_sessions', 'Open stream sessions to authoritative servers.', [], () => one(stats().connections.upstream_sessions));
  gauge('ward_inflight_queries', 'Client queries being resolved.', [], () => one(stats().inflight));
  gauge('ward_cache_entries', 'Entries held, by cache.', ['cache'], () => {
    const c = stats().cache_size;
    return [[{ cache: 'rrset' }, c.rrset_entries], [{ cache: 'packet' }, c.packet_entries], [{ cache: 'workers' }, c.worker_share_entries]];
  });
  gauge('ward_cache_bytes', 'Estimated bytes held by the RRset cache.', [], () => one(stats().cache_size.rrset_bytes));
  gauge('ward_worker_share_bytes', 'Estimated bytes of the other workers\' answers held and not yet asked for.', [], () => one(stats().cache_size.worker_share_bytes));
  register.registerMetric(latencyHistogram(() => stats().latency) as never);
  collectDefaultMetrics({ register, prefix: 'ward_' });
  return register;
}

function busiest<Z extends { queries: number }>(zones: Z[], n: number): Z[] {
  return [...zones].sort((a, b) => b.queries - a.queries).slice(0, n);
}

/**
 * The answer-latency histogram as a prom-client metric object: its buckets are counted by the
 * server (plain increments) and only made cumulative here, on scrape.
 */
function latencyHistogram(read: () => StatsReport['latency']): object {
  const name = 'ward_answer_duration_seconds';
  const help = 'Time from receiving a client query to sending its answer.';
  return {
    name, help, type: 'histogram', aggregator: 'sum',
    reset(): void { /* the server's histogram only grows */ },
    async get() {
      const h = read();
      let cumulative = 0;
      const values = h.bounds.map((le, i) => {
        cumulative += h.counts[i];
        return { metricName: `${name}_bucket`, labels: { le }, value: cumulative };
      });
      values.push({ metricName: `${name}_bucket`, labels: { le: '+Inf' as never }, value: h.count });
      return {
        name, help, type: 'histogram', aggregator: 'sum',
        values: [...values, { metricName: `${name}_sum`, labels: {}, value: h.sum_seconds }, { metricName: `${name}_count`, labels: {}, value: h.count }],
      };
    },
  };
}
