/**
 * UDP on loopback (RFC 1035 §4.2.1, RFC 5452 §9): our UDP listener against our exchanger, and a
 * scripted server that answers with the wrong ID, from the wrong port and for the wrong question
 * before the right answer: those are counted and ignored. Random source ports, timeout and abort
 * as values.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { createExchanger, type Listener } from '../../src/net/index.js';
import { answerFor, decode, log, makeQuery, responder, serve, sleep } from './net-fixtures.js';

const ex = createExchanger({ log });
const sockets: Socket[] = [];
const listeners: Listener[] = [];
after(async () => {
  await ex.close();
  for (const s of sockets) s.close();
  for (const l of listeners) await l.close(100);
});

function udpSocket(): Promise<Socket> {
  const s = createSocket('udp4');
  sockets.push(s);
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve(s)));
}

test('a query over UDP to our listener is answered', async () => {
  const l = await serve('udp', responder().sink);
  listeners.push(l);
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'udp', query: makeQuery('u.test'), timeoutMs: 1000 });
  assert.equal(r.kind, 'reply');
  assert.equal(r.kind === 'reply' && (decode(r.bytes).answers[0] as { data?: unknown }).data, '192.0.2.1');
  assert.equal(r.kind === 'reply' && r.transport, 'udp');
  assert.equal(l.stats().queries, 1);
  assert.equal(l.stats().inflight, 0);
});

test('replies with a wrong ID, from a wrong port, or for another question are ignored and counted', async () => {
  const server = await udpSocket();
  const other = await udpSocket();
  server.on('message', (q, rinfo) => {
    const good = answerFor(q);
    const wrongId = Buffer.from(good);
    wrongId.writeUInt16BE((good.readUInt16BE(0) + 1) & 0xffff, 0);
    const wrongQuestion = answerFor(makeQuery('other.test', { id: q.readUInt16BE(0) }));
    server.send(wrongId, rinfo.port, rinfo.address);
    other.send(good, rinfo.port, rinfo.address);
    server.send(wrongQuestion, rinfo.port, rinfo.address);
    setTimeout(() => server.send(good, rinfo.port, rinfo.address), 50);
  });
  const before = ex.stats().udpMismatched;
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery('spoof.test'), timeoutMs: 1000 });
  assert.equal(r.kind, 'reply', JSON.stringify(r));
  assert.equal(r.kind === 'reply' && decode(r.bytes).questions[0].name, 'spoof.test');
  assert.equal(ex.stats().udpMismatched - before, 3);
});

test('source ports (RFC 5452 §9.2): a socket carries at most 32 queries, ports are random and spread, IDs fresh', async () => {
  const server = await udpSocket();
  const ports: number[] = [];
  const ids = new Set<number>();
  server.on('message', (q, rinfo) => {
    ports.push(rinfo.port);
    ids.add(q.readUInt16BE(0));
    server.send(answerFor(q), rinfo.port, rinfo.address);
  });
  const n = 640;
  for (let i = 0; i < n; i++) {
    const r = await ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery('p.test', { id: 1 }), timeoutMs: 1000 });
    assert.equal(r.kind, 'reply');
  }
  const distinct = [...new Set(ports)];
  assert.ok(distinct.length >= n / 32, `distinct source ports: ${distinct.length} for ${n} queries`);
  for (let i = 0; i + 32 < ports.length; i++) assert.notEqual(ports[i], ports[i + 32], 'no socket carries more than 32 queries');
  // The kernel draws each port at random from its ephemeral range: not a sequence, and spread out.
  const steps = distinct.slice(1).filter((p, i) => Math.abs(p - distinct[i]) === 1).length;
  assert.ok(steps <= 2, `${steps} consecutive ports in ${distinct.join(',')}`);
  const span = Math.max(...distinct) - Math.min(...distinct);
  assert.ok(span > 2048, `ports span ${span}`);
  assert.ok(ids.size >= n - 10, `distinct IDs: ${ids.size} of ${n}`);
});

test('a socket serves one server: two servers asked in turn never see the same source port at once', async () => {
  const a = await udpSocket();
  const b = await udpSocket();
  const seen: { a: number[]; b: number[] } = { a: [], b: [] };
  a.on('message', (q, rinfo) => { seen.a.push(rinfo.port); a.send(answerFor(q), rinfo.port, rinfo.address); });
  b.on('message', (q, rinfo) => { seen.b.push(rinfo.port); b.send(answerFor(q), rinfo.port, rinfo.address); });
  for (let i = 0; i < 40; i++) {
    for (const s of [a, b]) {
      const r = await ex.exchange({ to: { host: '127.0.0.1', port: s.address().port }, transport: 'udp', query: makeQuery('two.test'), timeoutMs: 1000 });
      assert.equal(r.kind, 'reply');
    }
  }
  for (let i = 0; i < 40; i++) assert.notEqual(seen.a[i], seen.b[i], `query ${i}: a server would learn the port used towards the other`);
  assert.ok(ex.stats().udpSockets < 2 * 40, `sockets opened: ${ex.stats().udpSockets} (one per query before)`);
});

test('queries in flight together on one socket each get their own reply, in any order', async () => {
  const server = await udpSocket();
  const held: { q: Buffer; port: number; address: string }[] = [];
  server.on('message', (q, rinfo) => {
    held.push({ q, port: rinfo.port, address: rinfo.address });
    if (held.length === 5) for (const h of held.reverse()) server.send(answerFor(h.q), h.port, h.address);
  });
  const names = ['o1.test', 'o2.test', 'o3.test', 'o4.test', 'o5.test'];
  const rs = await Promise.all(names.map((name) => ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery(name), timeoutMs: 2000 })));
  assert.deepEqual(rs.map((r) => r.kind === 'reply' && decode(r.bytes).questions[0].name), names);
});

test('no answer is a timeout value; an abort is an aborted value', async () => {
  const server = await udpSocket();
  const t0 = Date.now();
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery('t.test'), timeoutMs: 200 });
  assert.equal(r.kind === 'fail' && r.code, 'timeout');
  assert.ok(Date.now() - t0 >= 190);
  const ac = new AbortController();
  const p = ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery('a.test'), timeoutMs: 2000, signal: ac.signal });
  await sleep(20);
  ac.abort();
  const a = await p;
  assert.equal(a.kind === 'fail' && a.code, 'aborted');
});

test('a query without a question is refused as a value', async () => {
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: 9 }, transport: 'udp', query: Buffer.alloc(12), timeoutMs: 100 });
  assert.equal(r.kind === 'fail' && r.code, 'bad-query');
});
