/**
 * Stream framing on the wire (RFC 1035 §4.2.2, RFC 7766 §8) against our TCP listener: frames split
 * byte by byte and coalesced, garbage in a well-framed message, lying and oversized length prefixes,
 * and half-closed clients (RFC 7766 §6.2.3: the answers still arrive). After each bad input a
 * normal query still works.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { createExchanger, type Listener } from '../../src/net/index.js';
import { decode, framed, log, makeQuery, RawClient, responder, serve, sleep, within } from './net-fixtures.js';

let l: Listener;
const ex = createExchanger({ log });
const clients: RawClient[] = [];
const resp = responder({ 'slow.test': 200 });

before(async () => {
  l = await serve('tcp', resp.sink, { limits: { maxFrameBytes: 512, idleTimeoutMs: 300 } });
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await ex.close();
  await l.close();
});

async function open(): Promise<RawClient> {
  const c = await RawClient.open(l.address().port);
  c.socket.setNoDelay(true);
  clients.push(c);
  return c;
}

async function normalQueryWorks(): Promise<void> {
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('ok.test'), timeoutMs: 2000 });
  assert.equal(r.kind, 'reply', JSON.stringify(r));
  if (r.kind === 'reply') assert.equal(decode(r.bytes).questions[0].name, 'ok.test');
}

test('a frame written one byte at a time is decoded', async () => {
  const c = await open();
  const bytes = framed(makeQuery('split.test', { id: 7 }));
  for (const b of bytes) {
    c.socket.write(Buffer.from([b]));
    await sleep(2);
  }
  const [f] = await c.waitFrames(1);
  assert.equal(f.readUInt16BE(0), 7);
  assert.equal(decode(f).questions[0].name, 'split.test');
});

test('coalesced frames, and a frame split across two writes, are all answered', async () => {
  const c = await open();
  const all = Buffer.concat([1, 2, 3, 4, 5].map((i) => framed(makeQuery(`c${i}.test`, { id: i }))));
  const cut = all.length - 10;
  c.socket.write(all.subarray(0, cut));
  await sleep(20);
  c.socket.write(all.subarray(cut));
  const frames = await c.waitFrames(5);
  assert.deepEqual(frames.map((f) => f.readUInt16BE(0)).sort(), [1, 2, 3, 4, 5]);
});

test('garbage inside a frame does not kill the connection; the next query on it is answered', async () => {
  const c = await open();
  c.socket.write(framed(Buffer.alloc(40, 0xff)));
  c.socket.write(framed(makeQuery('after-garbage.test', { id: 9 })));
  const [f] = await c.waitFrames(1);
  assert.equal(f.readUInt16BE(0), 9);
  assert.equal(c.closed, false);
});

test('a length prefix over the frame limit closes the connection (malformed)', async () => {
  const c = await open();
  const b = Buffer.alloc(4);
  b.writeUInt16BE(1000, 0);
  c.socket.write(b);
  await within(c.done, 2000, 'server closes');
  await normalQueryWorks();
});

test('a length prefix below a DNS header closes the connection', async () => {
  const c = await open();
  c.socket.write(Buffer.from([0, 5, 1, 2, 3, 4, 5]));
  await within(c.done, 2000, 'server closes');
  await normalQueryWorks();
});

test('a lying length prefix (promises more than is sent) ends with the idle timeout', async () => {
  const c = await open();
  const started = Date.now();
  const b = Buffer.alloc(22);
  b.writeUInt16BE(300, 0);
  c.socket.write(b);
  await within(c.done, 2000, 'server closes');
  assert.ok(Date.now() - started >= 250, 'closed by the idle timer, not before');
  await normalQueryWorks();
});

test('half-open client: sends, ends its side, still gets every answer, then the server closes', async () => {
  const c = await open();
  c.socket.write(Buffer.concat([framed(makeQuery('slow.test', { id: 1 })), framed(makeQuery('h.test', { id: 2 }))]));
  c.socket.end();
  const frames = await c.waitFrames(2);
  assert.deepEqual(frames.map((f) => f.readUInt16BE(0)), [2, 1]);
  await within(c.done, 2000, 'server closes after the last answer');
  await normalQueryWorks();
});

test('slow loris: a frame trickled a byte at a time is cut off by the idle timer', async () => {
  const c = await open();
  const bytes = framed(makeQuery('loris.test', { id: 5 }));
  const t0 = Date.now();
  for (const b of bytes) {
    if (c.closed) break;
    c.socket.write(Buffer.from([b]));
    await sleep(40);
  }
  await within(c.done, 2000, 'server closes');
  assert.equal(c.frames.length, 0, 'never answered');
  assert.ok(Date.now() - t0 < 1000, `closed after ${Date.now() - t0} ms although bytes kept coming`);
  await normalQueryWorks();
});
