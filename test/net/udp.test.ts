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

test('each query comes from its own random source port with a fresh ID', async () => {
  const server = await udpSocket();
  const ports = new Set<number>();
  const ids = new Set<number>();
  server.on('message', (q, rinfo) => {
    ports.add(rinfo.port);
    ids.add(q.readUInt16BE(0));
    server.send(answerFor(q), rinfo.port, rinfo.address);
  });
  for (let i = 0; i < 10; i++) {
    const r = await ex.exchange({ to: { host: '127.0.0.1', port: server.address().port }, transport: 'udp', query: makeQuery('p.test', { id: 1 }), timeoutMs: 1000 });
    assert.equal(r.kind, 'reply');
  }
  assert.ok(ports.size >= 9, `distinct source ports: ${ports.size}`);
  assert.ok(ids.size >= 9, `distinct IDs: ${ids.size}`);
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
