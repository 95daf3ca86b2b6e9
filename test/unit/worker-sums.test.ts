/** What a primary makes of its workers' reports (server.workers): sums, and shares from the sums. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addCounters, subtractCounters } from '../../src/control/index.js';
import { mergeUpstreamReports, type UpstreamReport, type UpstreamServerReport } from '../../src/upstream/index.js';

test('addCounters adds every number, keeps keys of either side, adds lists element by element', () => {
  const a = { total: 3, by_rcode: { NOERROR: 3 }, latency: { counts: [1, 2], sum: 0.5 }, at: 'first' };
  const b = { total: 4, by_rcode: { NOERROR: 1, SERVFAIL: 3 }, latency: { counts: [0, 4], sum: 0.25 }, at: 'second' };
  assert.deepEqual(addCounters(a, b), { total: 7, by_rcode: { NOERROR: 4, SERVFAIL: 3 }, latency: { counts: [1, 6], sum: 0.75 }, at: 'first' });
  assert.deepEqual(subtractCounters({ n: 5, o: { m: 2 } }, { n: 3, o: { m: 2 } }), { n: 2, o: { m: 0 } });
});

function server(address: string, queries: number, queriesTls: number, tlsConnections: number, srtt: number, zones: string[]): UpstreamServerReport {
  return {
    address, port: 53, zones, queries, queries_tls: queriesTls, by_transport: { udp: queries - queriesTls, tcp: 0, tls: queriesTls },
    timeouts: 1, tcp_connections: 0, tls_connections: tlsConnections, tls_full: tlsConnections, tls_resumed: 0, fallbacks: 0, connect_failures: 0,
    srtt_ms: srtt, dot: { state: 'ok' } as UpstreamServerReport['dot'], encrypted_share: 0, queries_per_tls_connection: 0,
  };
}

function report(servers: UpstreamServerReport[], zones: { zone: string; queries: number; queries_tls: number }[]): UpstreamReport {
  const q = servers.reduce((n, s) => n + s.queries, 0);
  const tls = servers.reduce((n, s) => n + s.queries_tls, 0);
  return {
    queries: q, by_transport: { udp: q - tls, tcp: 0, tls }, timeouts: servers.length, fallbacks: 0, connect_failures: 0,
    tls_connections: servers.reduce((n, s) => n + s.tls_connections, 0), tls_full: 0, tls_resumed: 0, encrypted_share: 0,
    servers, zones: zones.map((z) => ({ ...z, encrypted_share: 0 })),
  };
}

test('upstream reports merge per server and zone; shares come from the sums; the busiest worker\'s view of a server is shown', () => {
  const one = report([server('192.0.2.1', 10, 10, 1, 5, ['a.']), server('192.0.2.2', 4, 0, 0, 9, ['b.'])], [{ zone: 'a.', queries: 10, queries_tls: 10 }]);
  const two = report([server('192.0.2.1', 30, 10, 1, 7, ['c.'])], [{ zone: 'a.', queries: 30, queries_tls: 10 }]);
  const m = mergeUpstreamReports([one, two]);
  assert.equal(m.queries, 44);
  assert.equal(m.by_transport.tls, 20);
  assert.equal(m.encrypted_share, 20 / 44);
  const s1 = m.servers.find((s) => s.address === '192.0.2.1')!;
  assert.equal(s1.queries, 40);
  assert.equal(s1.queries_tls, 20);
  assert.equal(s1.timeouts, 2);
  assert.equal(s1.tls_connections, 2);
  assert.equal(s1.encrypted_share, 0.5);
  assert.equal(s1.queries_per_tls_connection, 10);
  assert.equal(s1.srtt_ms, 7, 'the worker that sent 30 of the 40 queries');
  assert.deepEqual(s1.zones, ['a.', 'c.']);
  assert.equal(m.servers.find((s) => s.address === '192.0.2.2')!.queries, 4);
  assert.deepEqual(m.zones, [{ zone: 'a.', queries: 40, queries_tls: 20, encrypted_share: 0.5 }]);
});
