/**
 * RFC 7766 §6.2.1.1 / §7 on loopback, our Listener against our Exchanger: pipelined queries on one
 * TLS connection answered out of order, connection reuse (one handshake for many queries), TLS
 * session resumption after an idle close, RFC 8467 query padding; a burst of queries leaves in one
 * TLS record per query (some servers read only the first message of a record).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { createExchanger, type ExchangeResult } from '../../src/net/index.js';
import { decode, framed, log, makeQuery, responder, serve, within } from './net-fixtures.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

function nameOf(r: ExchangeResult): string {
  assert.equal(r.kind, 'reply', JSON.stringify(r));
  return decode((r as { bytes: Buffer }).bytes).questions[0].name;
}

test('three pipelined queries on one TLS connection come back out of order, matched by ID', async () => {
  const resp = responder({ 'slow.test': 300 });
  const l = await serve('tls', resp.sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log });
  cleanups.push(() => ex.close());
  const { port } = l.address();
  const done: string[] = [];
  const ask = (name: string) => ex.exchange({
    to: { host: '127.0.0.1', port }, transport: 'tls', query: makeQuery(name), timeoutMs: 3000,
    tls: { authenticate: false },
  }).then((r) => { done.push(nameOf(r)); return r; });
  const results = await within(Promise.all([ask('slow.test'), ask('a.test'), ask('b.test')]), 5000, 'pipelined answers');
  assert.deepEqual(results.map(nameOf), ['slow.test', 'a.test', 'b.test']);
  assert.equal(done[2], 'slow.test', `fast answers first, got ${done.join(',')}`);
  assert.deepEqual(resp.seen, ['slow.test', 'a.test', 'b.test'], 'all three were dispatched before the slow one was answered');
  assert.equal(ex.stats().dials, 1);
  assert.equal(l.stats().accepted, 1, 'one connection carried all three');
  for (const r of results) assert.equal(r.kind === 'reply' && r.transport, 'tls');
});

test('on the wire: three queries in one write, the delayed one is the last frame back', async () => {
  const resp = responder({ 'slow.test': 250 });
  const l = await serve('tls', resp.sink);
  cleanups.push(() => l.close());
  const s = tlsConnect({ host: '127.0.0.1', port: l.address().port, rejectUnauthorized: false, ALPNProtocols: ['dot'] });
  cleanups.push(() => s.destroy());
  await new Promise((r) => s.once('secureConnect', r));
  assert.equal(s.alpnProtocol, 'dot');
  s.write(Buffer.concat([framed(makeQuery('slow.test', { id: 1 })), framed(makeQuery('x.test', { id: 2 })), framed(makeQuery('y.test', { id: 3 }))]));
  const ids: number[] = [];
  let buf = Buffer.alloc(0);
  await within(new Promise<void>((resolve) => s.on('data', (c: Buffer) => {
    buf = Buffer.concat([buf, c]);
    while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
      ids.push(buf.readUInt16BE(2));
      buf = buf.subarray(2 + buf.readUInt16BE(0));
    }
    if (ids.length === 3) resolve();
  })), 3000, 'three frames');
  assert.equal(ids[2], 1, `the slow answer (ID 1) comes last: ${ids.join(',')}`);
  assert.deepEqual([...ids].sort(), [1, 2, 3]);
});

test('many exchanges reuse one TLS session: one handshake; TLS queries with OPT are padded to 128', async () => {
  const lengths: number[] = [];
  const resp = responder();
  const l = await serve('tls', (q) => { lengths.push(q.bytes.length); resp.sink(q); });
  cleanups.push(() => l.close());
  const ex = createExchanger({ log });
  cleanups.push(() => ex.close());
  const to = { host: '127.0.0.1', port: l.address().port };
  const reused: boolean[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await ex.exchange({ to, transport: 'tls', query: makeQuery(`n${i}.example`, { edns: true }), timeoutMs: 2000, tls: { authenticate: false } });
    assert.equal(r.kind, 'reply');
    if (r.kind === 'reply') reused.push(r.reused);
  }
  // and a burst of 30 at once (pipelined on the same session)
  const burst = await Promise.all(Array.from({ length: 30 }, (_, i) =>
    ex.exchange({ to, transport: 'tls', query: makeQuery(`b${i}.example`), timeoutMs: 2000, tls: { authenticate: false } })));
  assert.ok(burst.every((r) => r.kind === 'reply'));
  assert.equal(ex.stats().tlsHandshakes, 1);
  assert.equal(ex.stats().dials, 1);
  assert.equal(l.stats().accepted, 1);
  assert.equal(reused[0], false);
  assert.ok(reused.slice(1).every(Boolean));
  assert.ok(lengths.slice(0, 40).every((n) => n % 128 === 0), `padded lengths: ${lengths.slice(0, 5).join(',')}`);
});

test('after an idle close the next TLS connection resumes the session (ticket cache)', async () => {
  const resp = responder();
  const l = await serve('tls', resp.sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log, limits: { idleTimeoutMs: 100 } });
  cleanups.push(() => ex.close());
  const to = { host: '127.0.0.1', port: l.address().port };
  const ask = () => ex.exchange({ to, transport: 'tls', query: makeQuery('r.example'), timeoutMs: 2000, tls: { authenticate: false } });
  assert.equal((await ask()).kind, 'reply');
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(ex.stats().sessions, 0, 'the idle outbound session closed itself');
  const again = await ask();
  assert.equal(again.kind, 'reply');
  assert.equal(again.kind === 'reply' && again.reused, false);
  assert.deepEqual([ex.stats().dials, ex.stats().tlsHandshakes, ex.stats().tlsResumed], [2, 1, 1]);
});

test('TCP: a burst over the per-session cap opens more sessions; sessions retire after N queries', async () => {
  const resp = responder({ 'slow0.test': 100, 'slow1.test': 100 });
  const l = await serve('tcp', resp.sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log, limits: { maxInflight: 2, maxQueriesPerSession: 4 } });
  cleanups.push(() => ex.close());
  const to = { host: '127.0.0.1', port: l.address().port };
  const ask = (name: string) => ex.exchange({ to, transport: 'tcp', query: makeQuery(name), timeoutMs: 2000 });
  const burst = await Promise.all(['slow0.test', 'slow1.test', 'c.test', 'd.test', 'e.test'].map(ask));
  assert.deepEqual(burst.map(nameOf), ['slow0.test', 'slow1.test', 'c.test', 'd.test', 'e.test']);
  assert.equal(ex.stats().dials, 3, 'five queries with two per session need three sessions');
  const ex2 = createExchanger({ log, limits: { maxQueriesPerSession: 4 } });
  cleanups.push(() => ex2.close());
  for (let i = 0; i < 12; i++) {
    const r = await ex2.exchange({ to, transport: 'tcp', query: makeQuery(`seq${i}.test`), timeoutMs: 2000 });
    assert.equal(r.kind, 'reply');
  }
  assert.equal(ex2.stats().dials, 3, 'twelve queries, four per session');
});

test("a server's keepalive timeout can be applied to the outbound session", async () => {
  const l = await serve('tcp', responder().sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log, limits: { idleTimeoutMs: 5000 } });
  cleanups.push(() => ex.close());
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('ka.test'), timeoutMs: 2000 });
  assert.equal(r.kind, 'reply');
  assert.ok(r.kind === 'reply' && r.session);
  if (r.kind === 'reply') r.session?.applyKeepalive(50);
  await new Promise((res) => setTimeout(res, 200));
  assert.equal(ex.stats().sessions, 0, 'closed after the shorter keepalive timeout');
});

/** A TCP relay to `port` counting the TLS records (RFC 8446 §5.1 headers) the client sends, by content type. */
async function recordCounter(port: number): Promise<{ port: number; records: Map<number, number>; close(): void }> {
  const records = new Map<number, number>();
  const server = createServer((client) => {
    const up = connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    client.on('data', (chunk: Buffer) => {
      up.write(chunk);
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 5 && buf.length >= 5 + buf.readUInt16BE(3)) {
        records.set(buf[0], (records.get(buf[0]) ?? 0) + 1);
        buf = buf.subarray(5 + buf.readUInt16BE(3));
      }
    });
    up.on('data', (chunk: Buffer) => client.write(chunk));
    client.on('close', () => up.destroy());
    up.on('close', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { port: (server.address() as AddressInfo).port, records, close: () => server.close() };
}

test('a burst of queries in one tick over TLS: each query in a TLS record of its own', async () => {
  const l = await serve('tls', responder().sink);
  cleanups.push(() => l.close());
  const relay = await recordCounter(l.address().port);
  cleanups.push(() => relay.close());
  const ex = createExchanger({ log });
  cleanups.push(() => ex.close());
  const ask = (i: number) => ex.exchange({
    to: { host: '127.0.0.1', port: relay.port }, transport: 'tls', query: makeQuery(`q${i}.test`), timeoutMs: 3000, tls: { authenticate: false },
  });
  await ask(0);
  const appData = relay.records.get(23) ?? 0;
  const burst = await within(Promise.all(Array.from({ length: 10 }, (_, i) => ask(i + 1))), 5000, 'the burst');
  assert.deepEqual(burst.map(nameOf), Array.from({ length: 10 }, (_, i) => `q${i + 1}.test`));
  assert.equal(ex.stats().dials, 1);
  assert.equal((relay.records.get(23) ?? 0) - appData, 10, 'ten application data records for ten queries');
});
