/**
 * The status page's counters without sockets: the Space-Saving top tables (exact while small,
 * bounded and still right about the heavy hitters under a flood of unique names), the time slots,
 * the recent-query ring, the collector fed by a real dispatcher (blocked answers, microcache hits,
 * several observers), the JSON report, and the config key.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { composeQueryLoggers, createDispatcher, AccessControl, MicroCache, type Answer, type QueryLogger } from '../../src/server/index.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/util/index.js';
import { peekQnameHash, peekQuestion } from '../../src/wire/index.js';
import { defaultConfig, parseConfig } from '../../src/config/index.js';
import type { StatsReport } from '../../src/control/index.js';
import type { InboundQuery } from '../../src/net/index.js';
import { createStatusCollector } from '../../src/status/index.js';
import { SpaceSaving } from '../../src/status/space-saving.js';
import { TimeBuckets } from '../../src/status/time-buckets.js';
import { RecentQueries } from '../../src/status/recent.js';
import { statusReport } from '../../src/status/report.js';

function queryBytes(name: string, id = 1): Buffer {
  return dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'A', class: 'IN' }] });
}

function inbound(name: string, address: string): { q: InboundQuery; sent: Promise<Buffer | undefined> } {
  let resolve!: (b: Buffer | undefined) => void;
  const sent = new Promise<Buffer | undefined>((r) => { resolve = r; });
  return {
    q: { bytes: queryBytes(name), peer: { address, port: 5353, transport: 'udp' }, signal: new AbortController().signal, reply: resolve },
    sent,
  };
}

test('space-saving counts exactly while the keys fit, ranks highest first, equal counts by key', () => {
  const s = new SpaceSaving(10);
  for (const [k, n] of [['b', 3], ['a', 3], ['c', 5], ['d', 1]] as const) for (let i = 0; i < n; i++) s.add(k);
  assert.deepEqual(s.top(3).map(({ key, count, error }) => ({ key, count, error })), [{ key: 'c', count: 5, error: 0 }, { key: 'a', count: 3, error: 0 }, { key: 'b', count: 3, error: 0 }]);
  assert.deepEqual(s.top(10).map((e) => e.key), ['c', 'a', 'b', 'd']);
  assert.equal(s.size, 4);
});

test('space-saving labels: set when a key enters, dropped with it when it is evicted', () => {
  const s = new SpaceSaving<number>(2);
  assert.equal(s.add(1), true);
  s.label(1, 'one');
  assert.equal(s.add(1), false, 'a known key needs no label');
  assert.equal(s.add(2), true);
  s.label(2, 'two');
  assert.equal(s.add(3), true, 'the full table gives the lowest place to the new key');
  assert.deepEqual(s.top(2).map((e) => [e.key, e.label, e.count, e.error]), [[3, undefined, 2, 1], [1, 'one', 2, 0]]);
});

test('the question name hash ignores case and tells names apart; malformed questions have none', () => {
  const h = (name: string): number | null => peekQnameHash(queryBytes(name));
  assert.equal(h('WWW.Example.TEST'), h('www.example.test'));
  assert.notEqual(h('www.example.test'), h('www.example.tesu'));
  assert.notEqual(h('a.bc'), h('ab.c'), 'label boundaries count');
  const bytes = queryBytes('www.example.test');
  assert.equal(peekQnameHash(bytes.subarray(0, bytes.length - 2)), null, 'cut off before the class');
  assert.equal(peekQuestion(bytes.subarray(0, bytes.length - 2)), null, 'as peekQuestion');
  assert.equal(peekQnameHash(Buffer.alloc(12)), null, 'no question');
});

test('space-saving stays within its capacity under unique names and keeps the heavy hitters', () => {
  const s = new SpaceSaving(100);
  for (let i = 0; i < 200_000; i++) {
    s.add(`unique-${i}.example`);
    if (i % 10 === 0) s.add('heavy.example');
    if (i % 50 === 0) s.add('second.example');
  }
  assert.equal(s.size, 100);
  const [first, second] = s.top(2);
  assert.equal(first.key, 'heavy.example');
  assert.equal(second.key, 'second.example');
  // A count is an upper bound: the true count, plus at most its error.
  assert.ok(first.count >= 20_000 && first.count - first.error <= 20_000, JSON.stringify(first));
  assert.ok(second.count >= 4_000 && second.count - second.error <= 4_000, JSON.stringify(second));
  const newest = s.top(100).at(-1);
  assert.ok(newest && newest.error > 0, 'evicted places are taken with the evicted count as error');
});

test('time slots: counts land in their slot, old slots read zero, the series has a fixed length', () => {
  const b = new TimeBuckets(10_000, 6);
  const t0 = 1_700_000_000_000;
  b.add(t0, false);
  b.add(t0 + 1_000, true);
  b.add(t0 + 25_000, false);
  let s = b.series(t0 + 25_000);
  assert.equal(s.width_seconds, 10);
  assert.equal(s.buckets.length, 6);
  assert.deepEqual(s.buckets.slice(-3).map((x) => [x.total, x.blocked]), [[2, 1], [0, 0], [1, 0]]);
  assert.equal(s.buckets.at(-1)?.start, Math.floor((t0 + 25_000) / 10_000) * 10_000);
  // A minute later the first slot's position is reused: its old counts are gone.
  b.add(t0 + 60_000, false);
  s = b.series(t0 + 60_000);
  assert.deepEqual(s.buckets.map((x) => x.total), [0, 1, 0, 0, 0, 1]);
  assert.equal(s.buckets.reduce((n, x) => n + x.total, 0), 2);
});

test('the recent ring keeps the last lines, newest first, with their time', () => {
  let now = 1_700_000_000_000;
  const r = new RecentQueries(3, () => now);
  assert.deepEqual(r.list(), []);
  for (let i = 1; i <= 5; i++) { now += 1000; r.write({ name: `n${i}` }); }
  assert.deepEqual(r.list().map((l) => (l as { name: string }).name), ['n5', 'n4', 'n3']);
  assert.equal((r.list()[0] as { time: string }).time, new Date(now).toISOString());
});

test('composeQueryLoggers: nothing when none is on, the one itself, or every one in turn', () => {
  const calls: string[] = [];
  const a: QueryLogger = () => { calls.push('a'); };
  const b: QueryLogger = () => { calls.push('b'); };
  assert.equal(composeQueryLoggers([undefined, undefined]), undefined);
  assert.equal(composeQueryLoggers([undefined, a]), a);
  const both = composeQueryLoggers([a, undefined, b]);
  both?.(inbound('x.test', '127.0.0.1').q, undefined, 0);
  assert.deepEqual(calls, ['a', 'b']);
});

test('the collector, fed by the dispatcher: totals, blocked answers, microcache hits, top names and clients', async () => {
  const collector = createStatusCollector({ now: () => Date.now(), capacity: 50, recent: 0, client: (a) => `client:${a}` });
  const lines: string[] = [];
  const dispatcher = createDispatcher({
    handler: (q): Answer => q.question.name.startsWith('ads.')
      ? { rcode: 3, answer: [], authority: [], additional: [], authenticated: false, source: 'policy', policy: { list: 'ads', action: 'nxdomain' } }
      : {
        rcode: 0, answer: [{ name: q.question.name, type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' }], authority: [], additional: [],
        authenticated: false, cacheable: true, source: 'resolved',
      },
    acl: new AccessControl([{ prefix: '0.0.0.0/0', action: 'allow' }]),
    limits: { udp_max_payload: 1232, keepalive_timeout_ms: 30_000 },
    log: silentLogger(), clock: systemClock, microcache: new MicroCache(),
    queryLog: composeQueryLoggers([(q) => { lines.push(q.peer.address); }, collector.observe]),
  });
  const ask = async (name: string, address: string): Promise<void> => {
    const { q, sent } = inbound(name, address);
    dispatcher.sink(q);
    await sent;
  };
  for (let i = 0; i < 5; i++) await ask('WWW.Example.test', '192.0.2.10');
  for (let i = 0; i < 3; i++) await ask('ads.example.test', '192.0.2.11');
  await ask('other.example.test', '192.0.2.11');

  assert.equal(lines.length, 9, 'the other observer saw every query too');
  assert.ok(dispatcher.stats().microcacheHits >= 4, 'the repeated question came from the microcache');
  const s = collector.snapshot(10);
  assert.equal(s.total, 9);
  assert.equal(s.blocked, 3);
  assert.deepEqual(s.topNames.map((e) => [e.key, e.count]), [['www.example.test', 5], ['ads.example.test', 3], ['other.example.test', 1]]);
  assert.deepEqual(s.topBlocked.map((e) => [e.key, e.count]), [['ads.example.test', 3]]);
  assert.deepEqual(s.topClients.map((e) => [e.key, e.count]), [['client:192.0.2.10', 5], ['client:192.0.2.11', 4]]);
  assert.equal(s.perMinute.buckets.reduce((n, b) => n + b.total, 0), 9);
  assert.equal(s.perTenSeconds.buckets.reduce((n, b) => n + b.blocked, 0), 3);
  assert.equal(s.recent, undefined, 'no recent lines without the query log');
});

test('the status report: shares, the root as ".", the admin counters, recent null when the log is off', () => {
  const collector = createStatusCollector({ now: () => Date.now(), capacity: 10, recent: 2, client: (a) => a });
  collector.observe(inbound('.', '127.0.0.1').q, undefined, 1);
  collector.observe(inbound('ads.test', '127.0.0.1').q, undefined, 1, { source: 'policy' });
  collector.observe(inbound('ok.test', '127.0.0.1').q, undefined, 1, 'packet');
  collector.recent?.write({ name: 'ok.test' });
  const stats = {
    started_at: '2026-12-07T00:00:00.000Z', uptime_seconds: 5,
    queries: { udp: 2, tcp: 1, tls: 0, by_rcode: { NOERROR: 3 } }, cache: { hits: 1, misses: 2 },
    dnssec: { secure: 4, insecure: 3, bogus: 2, indeterminate: 1 },
    upstream: { queries: 8, udp: 2, tcp: 0, tls: 6 }, encrypted_share: 0.75,
  } as unknown as StatsReport;
  const r = statusReport(collector.snapshot(5), stats, Date.parse('2026-12-07T00:00:05.000Z'));
  assert.equal(r.generated_at, '2026-12-07T00:00:05.000Z');
  assert.deepEqual(r.queries, { total: 3, blocked: 1, blocked_share: 1 / 3, by_transport: { udp: 2, tcp: 1, tls: 0 }, by_rcode: { NOERROR: 3 } });
  assert.deepEqual(r.top_names.map((e) => e.key), ['.', 'ads.test', 'ok.test']);
  assert.deepEqual(r.top_blocked.map((e) => e.key), ['ads.test']);
  assert.deepEqual(r.dnssec, { secure: 4, insecure: 3, bogus: 2, indeterminate: 1 });
  assert.deepEqual(r.upstream, { queries: 8, udp: 2, tcp: 0, tls: 6, encrypted_share: 0.75 });
  assert.equal(r.recent?.length, 1);
  const off = createStatusCollector({ now: () => Date.now(), capacity: 10, recent: 0, client: (a) => a });
  assert.equal(statusReport(off.snapshot(5), stats, Date.now()).recent, null);
});

test('http.status_page defaults to true and takes only true or false', () => {
  assert.equal(defaultConfig().http.status_page, true);
  assert.equal(parseConfig('http: { status_page: false }', 'x.yaml').http.status_page, false);
  assert.equal(parseConfig('http: { listen: { address: 127.0.0.1, port: 9153 } }', 'x.yaml').http.status_page, true);
  assert.throws(() => parseConfig('http: { status_page: "yes" }', 'x.yaml'), /http\.status_page/);
});
