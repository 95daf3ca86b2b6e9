/** The infrastructure cache (RFC 6298 RTT estimator, back-off, EDNS, lameness, DoT state, LRU bound) and selection order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/index.js';
import { InfraCache, RTO_INITIAL_MS, RTO_MIN_MS } from '../../src/upstream/infra-cache.js';
import { orderServers, type SelectionPolicy } from '../../src/upstream/selection.js';
import { FakeExchanger, fail, makeUpstream, q, reply } from '../upstream/fake-exchanger.js';

const A = { address: '192.0.2.1', port: 53 };
const B = { address: '192.0.2.2', port: 53 };
const C = { address: '192.0.2.3', port: 53 };
const D = { address: '2001:db8::1', port: 53 };

function setup(): { clock: ManualClock; infra: InfraCache } {
  const clock = new ManualClock(1_000_000);
  return { clock, infra: new InfraCache(clock, 1500, 100) };
}

test('RTT: first sample sets SRTT=R, RTTVAR=R/2; later samples smooth with 1/8 and 1/4 (RFC 6298 §2)', () => {
  const { infra } = setup();
  assert.equal(infra.timeoutMs(A), RTO_INITIAL_MS);
  infra.rttSample(A, 40);
  assert.deepEqual([infra.info(A).srttMs, infra.info(A).rttvarMs], [40, 20]);
  assert.equal(infra.timeoutMs(A), 120); // 40 + 4*20
  infra.rttSample(A, 80);
  assert.equal(infra.info(A).rttvarMs, 0.75 * 20 + 0.25 * 40);
  assert.equal(infra.info(A).srttMs, 0.875 * 40 + 0.125 * 80);
  infra.rttSample(B, 1);
  assert.equal(infra.timeoutMs(B), RTO_MIN_MS, 'clamped below');
  infra.rttSample(C, 1000);
  assert.equal(infra.timeoutMs(C), 1500, 'clamped to the configured ceiling');
});

test('timeouts double the timeout and back the server off exponentially; a reply clears both', () => {
  const { clock, infra } = setup();
  infra.rttSample(A, 20); // RTO 60 → clamped to 100
  const seen: number[] = [];
  for (let i = 0; i < 6; i++) { infra.timedOut(A); seen.push(infra.timeoutMs(A)); }
  assert.deepEqual(seen, [200, 400, 800, 1500, 1500, 1500]);
  assert.equal(infra.consecutiveTimeouts(A), 6);
  assert.ok(infra.isBackedOff(A));
  assert.equal(infra.info(A).backoffUntil, clock.now() + 32_000);
  for (let i = 0; i < 20; i++) infra.timedOut(A);
  assert.equal(infra.info(A).backoffUntil, clock.now() + 120_000, 'back-off is capped');
  clock.advance(120_001);
  assert.equal(infra.isBackedOff(A), false);
  infra.timedOut(A);
  assert.ok(infra.isBackedOff(A));
  infra.rttSample(A, 20);
  assert.equal(infra.isBackedOff(A), false);
  assert.equal(infra.consecutiveTimeouts(A), 0);
});

test('EDNS "no" and lameness expire; DoT ok/failed expire to unknown', () => {
  const { clock, infra } = setup();
  infra.setEdns(A, 'no');
  infra.markLame(A, 'example.test', 60_000);
  infra.setDot(A, { state: 'ok', until: clock.now() + 1000 });
  assert.equal(infra.edns(A), 'no');
  assert.ok(infra.isLame(A, 'example.test'));
  assert.equal(infra.isLame(A, 'other.test'), false);
  assert.equal(infra.dot(A).state, 'ok');
  clock.advance(60_001);
  assert.equal(infra.isLame(A, 'example.test'), false);
  assert.equal(infra.dot(A).state, 'unknown');
  clock.advance(15 * 60_000);
  assert.equal(infra.edns(A), 'unknown');
});

test('the cache is bounded (LRU)', () => {
  const { infra } = setup();
  for (let i = 0; i < 300; i++) infra.rttSample({ address: `10.0.${i >> 8}.${i & 255}`, port: 53 }, 10);
  assert.equal(infra.size, 100);
  assert.equal(infra.isUnknown({ address: '10.0.0.0', port: 53 }), true, 'oldest evicted');
  assert.equal(infra.isUnknown({ address: '10.0.1.43', port: 53 }), false, 'newest kept');
});

const policy = (over: Partial<SelectionPolicy> = {}): SelectionPolicy =>
  ({ ipv4: true, ipv6: true, strictDot: false, random: () => 0.5, ...over });

test('selection: unknown first, then lowest SRTT, backed-off and lame last; disabled family dropped', () => {
  const { infra } = setup();
  infra.rttSample(A, 200);
  infra.rttSample(B, 10);
  assert.deepEqual(orderServers(infra, [A, B, C], policy()), [C, B, A]);
  infra.rttSample(C, 50);
  assert.deepEqual(orderServers(infra, [A, B, C], policy()), [B, C, A]);
  infra.timedOut(B);
  assert.deepEqual(orderServers(infra, [A, B, C], policy()), [C, A, B]);
  infra.markLame(C, 'zone.test');
  // penalised: the lame one (not backed off) before the backed-off one
  assert.deepEqual(orderServers(infra, [A, B, C], policy(), 'zone.test'), [A, C, B]);
  assert.deepEqual(orderServers(infra, [A, D], policy({ ipv6: false })), [A]);
  assert.deepEqual(orderServers(infra, [A, D], policy({ ipv4: false })), [D]);
  assert.deepEqual(orderServers(infra, [{ address: 'ns.example', port: 53 }], policy()), []);
});

test('selection: servers close to the best are shuffled, distant ones are not', () => {
  const { infra } = setup();
  infra.rttSample(A, 10);
  infra.rttSample(B, 11);
  infra.rttSample(C, 100);
  const firsts = new Set<string>();
  let r = 0;
  for (let i = 0; i < 20; i++) {
    const order = orderServers(infra, [A, B, C], policy({ random: () => (r = (r + 0.37) % 1) }));
    firsts.add(order[0].address);
    assert.equal(order[2], C);
  }
  assert.deepEqual([...firsts].sort(), [A.address, B.address]);
});

test('strict DoT: servers whose DoT failed are ranked last', () => {
  const { clock, infra } = setup();
  infra.rttSample(A, 10);
  infra.rttSample(B, 100);
  infra.setDot(A, { state: 'failed', until: clock.now() + 1000 });
  assert.deepEqual(orderServers(infra, [A, B], policy({ strictDot: true })), [B, A]);
  assert.deepEqual(orderServers(infra, [A, B], policy()), [A, B]);
});

test('query() feeds selection: RTT from replies, back-off from timeouts; UDP tries use the adaptive timeout', async () => {
  const ex = new FakeExchanger((req, query) =>
    req.to.host === A.address ? fail('timeout') : reply(req, query, { rttMs: req.to.host === B.address ? 30 : 5 }));
  const { upstream } = makeUpstream(ex);
  assert.equal(upstream.orderServers([A, B, C]).length, 3);
  for (const s of [A, B, C]) await upstream.query(q('x.test', 'A', s.address));
  assert.deepEqual(upstream.orderServers([A, B, C]), [C, B, A]);
  assert.deepEqual(upstream.selectServer([A, B]), B);
  assert.equal(upstream.serverInfo(B).srttMs, 30);
  assert.equal(ex.seen[0].req.timeoutMs, RTO_INITIAL_MS);
  await upstream.query(q('y.test', 'A', A.address));
  assert.equal(ex.seen[3].req.timeoutMs, RTO_INITIAL_MS * 2, 'timeout doubled after a timeout');
  assert.equal(ex.seen[4].req.timeoutMs, 1500, 'doubled again, capped at timeout_ms (the try without EDNS)');
  upstream.markLame(C, 'zone.test');
  assert.deepEqual(upstream.orderServers([B, C], 'zone.test'), [B, C]);
  assert.equal(upstream.selectServer([]), undefined);
});
