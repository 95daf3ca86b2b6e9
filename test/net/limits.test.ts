/**
 * Resource limits of inbound sessions on loopback: the in-flight cap pauses reading (RFC 7766 §6.2.1.1
 * admission), idle close and its per-session change (RFC 7766 §6.2.3, RFC 7828 §3.3.2), a client that
 * never reads (write queue cap: the session is dropped, memory stays bounded), maxConnections, and a
 * server that closes under pending outbound queries (they fail as values). After each bad client
 * a normal query still works.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createExchanger, type InboundQuery, type Listener } from '../../src/net/index.js';
import { answerFor, decode, framed, log, makeQuery, RawClient, responder, serve, sleep, within } from './net-fixtures.js';

const listeners: Listener[] = [];
const clients: RawClient[] = [];
const ex = createExchanger({ log });
after(async () => {
  for (const c of clients) c.socket.destroy();
  await ex.close();
  for (const l of listeners) await l.close(100);
});

async function start(...args: Parameters<typeof serve>): Promise<Listener> {
  const l = await serve(...args);
  listeners.push(l);
  return l;
}
async function open(l: Listener): Promise<RawClient> {
  const c = await RawClient.open(l.address().port);
  clients.push(c);
  return c;
}
async function normalQueryWorks(l: Listener): Promise<void> {
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('ok.test'), timeoutMs: 2000 });
  assert.equal(r.kind, 'reply', JSON.stringify(r));
}

test('the in-flight cap pauses reading until a reply is written', async () => {
  const held: InboundQuery[] = [];
  const l = await start('tcp', (q) => { held.push(q); }, { limits: { maxInflight: 2 } });
  const c = await open(l);
  c.socket.write(Buffer.concat([1, 2, 3, 4, 5].map((i) => framed(makeQuery(`p${i}.test`, { id: i })))));
  await sleep(100);
  assert.equal(held.length, 2, 'only two admitted');
  assert.equal(l.stats().inflight, 2);
  held[1].reply(answerFor(held[1].bytes));
  await c.waitFrames(1);
  await sleep(50);
  assert.equal(held.length, 3, 'one more admitted after a reply');
  for (let i = 0; i < 5; i++) {
    while (held.length <= i) await sleep(10);
    held[i].reply(answerFor(held[i].bytes));
  }
  const frames = await c.waitFrames(5);
  assert.deepEqual(frames.map((f) => f.readUInt16BE(0)), [2, 1, 3, 4, 5]);
  assert.equal(l.stats().inflight, 0);
});

test('idle connections close; a query in flight keeps it open; setIdleTimeout changes the timeout', async () => {
  let extend = false;
  const resp = responder({ 'slow.test': 400 });
  const l = await start('tcp', (q) => {
    if (extend) q.stream?.setIdleTimeout(800);
    resp.sink(q);
  }, { limits: { idleTimeoutMs: 150 } });
  const idle = await open(l);
  const t0 = Date.now();
  await within(idle.done, 1000, 'idle close');
  assert.ok(Date.now() - t0 >= 130, `closed after ${Date.now() - t0} ms`);

  const busy = await open(l);
  busy.socket.write(framed(makeQuery('slow.test', { id: 3 })));
  const [f] = await busy.waitFrames(1);
  assert.equal(f.readUInt16BE(0), 3, 'answered after 400 ms although the idle timeout is 150 ms');
  await within(busy.done, 1000, 'idle close after the answer');

  extend = true;
  const kept = await open(l);
  kept.socket.write(framed(makeQuery('k.test', { id: 4 })));
  await kept.waitFrames(1);
  await sleep(400);
  assert.equal(kept.closed, false, 'keepalive timeout of 800 ms honoured');
  await within(kept.done, 1500, 'closed after the longer timeout');
});

test('a client that never reads is dropped when its write queue stays full; memory stays bounded', async () => {
  const resp = responder({}, { pad: 30_000 });
  const l = await start('tcp', resp.sink, { limits: { maxWriteQueueBytes: 64 * 1024, idleTimeoutMs: 300 } });
  const c = await open(l);
  c.socket.pause();
  const queries = Buffer.concat(Array.from({ length: 400 }, (_, i) => framed(makeQuery(`big${i}.test`, { id: i }))));
  c.socket.write(queries);
  const t0 = Date.now();
  while (l.stats().sessions > 0 && Date.now() - t0 < 4000) await sleep(20);
  assert.equal(l.stats().sessions, 0, 'the session was dropped');
  assert.ok(resp.seen.length < 400, `reading stopped once the queue was full (${resp.seen.length} admitted)`);
  c.socket.destroy();
  await normalQueryWorks(l);
});

test('connections beyond maxConnections are refused; the others keep working', async () => {
  const l = await start('tcp', responder().sink, { maxConnections: 5, limits: { idleTimeoutMs: 5000 } });
  const five = await Promise.all(Array.from({ length: 5 }, () => open(l)));
  await sleep(50);
  assert.equal(l.stats().sessions, 5);
  const extra = await open(l);
  await within(extra.done, 1000, 'the sixth connection is closed');
  assert.equal(l.stats().refused, 1);
  five[0].socket.write(framed(makeQuery('still.test', { id: 11 })));
  const [f] = await five[0].waitFrames(1);
  assert.equal(decode(f).questions[0].name, 'still.test');
  five[1].socket.destroy();
  await sleep(50);
  await normalQueryWorks(l);
});

test('pending outbound queries fail as values when the server closes the session', async () => {
  const resp = responder({}, { silent: ['hang.test'] });
  const l = await start('tcp', resp.sink);
  const t0 = Date.now();
  const pending = ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('hang.test'), timeoutMs: 5000 });
  await sleep(100);
  await l.close(50);
  const r = await within(pending, 2000, 'pending query settles');
  assert.equal(r.kind, 'fail');
  assert.ok(r.kind === 'fail' && (r.code === 'closed' || r.code === 'reset'), JSON.stringify(r));
  assert.ok(Date.now() - t0 < 1500);
  assert.equal(resp.aborted, 1, "the server side's query signal was aborted");
  const refused = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('x.test'), timeoutMs: 1000 });
  assert.deepEqual(refused.kind === 'fail' && refused.code, 'connect-refused');
});
