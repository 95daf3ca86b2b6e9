/**
 * mergeSnapshots (status/merge.ts), which the primary of server.workers > 1 serves: totals and time
 * slots add, top tables add per key and carry the bound of a part that did not list a key, the recent
 * lines interleave newest first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import type { InboundQuery } from '../../src/net/index.js';
import { createStatusCollector, mergeSnapshots, type CollectorSnapshot } from '../../src/status/index.js';
import type { TopEntry } from '../../src/status/space-saving.js';

const entry = (key: string, count: number, error = 0): TopEntry => ({ key, label: key, count, error });

function part(o: Partial<CollectorSnapshot> & { start?: number; counts?: number[] }): CollectorSnapshot {
  const start = o.start ?? 0;
  const series = { width_seconds: 60, buckets: (o.counts ?? [0, 0]).map((total, i) => ({ start: start + i * 60_000, total, blocked: 0 })) };
  return { total: 0, blocked: 0, perMinute: series, perTenSeconds: series, topNames: [], topBlocked: [], topClients: [], recent: undefined, ...o };
}

test('totals and slots add; a snapshot one slot later keeps the newest slots', () => {
  const m = mergeSnapshots([part({ total: 5, blocked: 1, counts: [2, 3] }), part({ total: 4, blocked: 2, counts: [1, 3] })], 20);
  assert.equal(m.total, 9);
  assert.equal(m.blocked, 3);
  assert.deepEqual(m.perMinute.buckets.map((b) => b.total), [3, 6]);
  const shifted = mergeSnapshots([part({ counts: [2, 3] }), part({ start: 60_000, counts: [3, 7] })], 20);
  assert.deepEqual(shifted.perMinute.buckets.map((b) => [b.start, b.total]), [[60_000, 6], [120_000, 7]]);
});

test('top tables: counts add per key; a part that listed a full page adds its last count as the bound of a key it did not list', () => {
  const full = [entry('a.test', 10), entry('b.test', 4)];
  const short = [entry('c.test', 6), entry('a.test', 1)];
  const m = mergeSnapshots([part({ topNames: full }), part({ topNames: short })], 2);
  // c.test: 6 counted in the second part, and up to 4 (b.test's count) in the first, which listed only 2 rows.
  assert.deepEqual(m.topNames.map((e) => [e.key, e.count, e.error]), [['a.test', 11, 0], ['c.test', 10, 4]]);
  // The same parts listing fewer rows than asked hold nothing more: exact sums.
  const exact = mergeSnapshots([part({ topNames: full }), part({ topNames: short })], 5);
  assert.deepEqual(exact.topNames.map((e) => [e.key, e.count, e.error]), [['a.test', 11, 0], ['c.test', 6, 0], ['b.test', 4, 0]]);
});

test('recent lines: newest first across parts, as many as one part keeps; none when the query log is off', () => {
  const lines = (times: string[]): object[] => times.map((time) => ({ time, qname: time }));
  const m = mergeSnapshots([part({ recent: lines(['2026-12-07T10:00:05Z', '2026-12-07T10:00:01Z']) }), part({ recent: lines(['2026-12-07T10:00:03Z', '2026-12-07T10:00:02Z']) })], 20);
  assert.deepEqual(m.recent!.map((l) => (l as { time: string }).time), ['2026-12-07T10:00:05Z', '2026-12-07T10:00:03Z']);
  assert.equal(mergeSnapshots([part({}), part({})], 20).recent, undefined);
});

function queryFor(name: string, address: string): InboundQuery {
  const bytes = dnsPacket.encode({ type: 'query', id: 1, questions: [{ name, type: 'A', class: 'IN' }] });
  return { bytes, peer: { address, port: 5353, transport: 'udp' }, signal: new AbortController().signal, reply: () => {} };
}

test('real collectors: two halves of one stream merge to what one collector counts', () => {
  const now = (): number => 1_800_000_000_000;
  const make = () => createStatusCollector({ now, capacity: 100, recent: 0, client: (a) => a });
  const whole = make();
  const halves = [make(), make()];
  const names = ['a.test', 'b.test', 'a.test', 'c.test', 'a.test', 'b.test'];
  names.forEach((n, i) => {
    const q = queryFor(n, `192.0.2.${i % 3}`);
    whole.observe(q, undefined, 1);
    halves[i % 2].observe(q, undefined, 1);
  });
  assert.deepEqual(mergeSnapshots(halves.map((h) => h.snapshot(20)), 20), whole.snapshot(20));
});
