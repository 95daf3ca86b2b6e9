/** Identical in-flight upstream queries share one exchange (upstream/dedup.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ExchangeResult } from '../../src/net/index.js';
import { FakeExchanger, fail, makeUpstream, q, reply } from '../upstream/fake-exchanger.js';

/** An exchanger whose replies wait until `release()`; aborted requests fail at once. */
function gated(): { ex: FakeExchanger; release: () => void } {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const ex = new FakeExchanger((req, query) => new Promise<ExchangeResult>((resolve) => {
    req.signal?.addEventListener('abort', () => resolve(fail('aborted')), { once: true });
    void gate.then(() => resolve(reply(req, query)));
  }));
  return { ex, release: () => open() };
}

test('identical queries in flight share one exchange; name case does not matter', async () => {
  const { ex, release } = gated();
  const { upstream } = makeUpstream(ex);
  const all = [q('www.example.test'), q('WWW.Example.TEST'), q('www.example.test')].map((x) => upstream.query(x));
  await new Promise((r) => setImmediate(r));
  release();
  const results = await Promise.all(all);
  assert.equal(ex.seen.length, 1);
  for (const r of results) assert.equal(r.kind, 'reply');
  // after it finished, the same query goes out again
  await upstream.query(q('www.example.test'));
  assert.equal(ex.seen.length, 2);
});

test('queries differing in server, type, DO, CD, RD or DoT requirement are not merged', async () => {
  const { ex, release } = gated();
  const { upstream } = makeUpstream(ex);
  const all = [
    q('x.test'), q('x.test', 'AAAA'), q('x.test', 'A', '192.0.2.54'),
    q('x.test', 'A', '192.0.2.53', { dnssecOk: true }), q('x.test', 'A', '192.0.2.53', { cd: true }),
    { ...q('x.test'), server: { address: '192.0.2.53', port: 5353 } },
    { ...q('x.test'), server: { address: '192.0.2.53', port: 53, name: 'ns1.test' } },
    q('x.test', 'A', '192.0.2.53', { rd: true }),
    q('x.test', 'A', '192.0.2.53', { requireTls: true }),
  ].map((x) => upstream.query(x));
  await new Promise((r) => setImmediate(r));
  release();
  await Promise.all(all);
  assert.equal(ex.seen.length, 9);
});

test('one waiter aborting leaves the others served; all aborting aborts the exchange', async () => {
  const { ex, release } = gated();
  const { upstream } = makeUpstream(ex);
  const ac1 = new AbortController();
  const ac2 = new AbortController();
  const p1 = upstream.query(q('a.test', 'A', '192.0.2.53', { signal: ac1.signal }));
  const p2 = upstream.query(q('a.test', 'A', '192.0.2.53', { signal: ac2.signal }));
  await new Promise((r) => setImmediate(r));
  ac1.abort();
  const r1 = await p1;
  assert.equal(r1.kind === 'fail' && r1.reason, 'aborted');
  assert.equal(ex.seen[0].req.signal?.aborted, false);
  release();
  assert.equal((await p2).kind, 'reply');

  const { ex: ex2 } = gated();
  const { upstream: u2 } = makeUpstream(ex2);
  const ac3 = new AbortController();
  const ac4 = new AbortController();
  const p3 = u2.query(q('b.test', 'A', '192.0.2.53', { signal: ac3.signal }));
  const p4 = u2.query(q('b.test', 'A', '192.0.2.53', { signal: ac4.signal }));
  await new Promise((r) => setImmediate(r));
  ac3.abort();
  ac4.abort();
  assert.deepEqual([(await p3).kind, (await p4).kind], ['fail', 'fail']);
  assert.equal(ex2.seen[0].req.signal?.aborted, true, 'the shared exchange is aborted');
  const already = AbortSignal.abort();
  const r5 = await u2.query(q('c.test', 'A', '192.0.2.53', { signal: already }));
  assert.equal(r5.kind === 'fail' && r5.reason, 'aborted');
  assert.equal(ex2.seen.length, 1);
});
