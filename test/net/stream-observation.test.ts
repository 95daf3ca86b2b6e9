/**
 * The per-connection observation lines of the inbound core (log level debug, read by test/interop):
 * every query read is a 'stream query' line with its session, ID, length, the queries in flight
 * with it (itself included) and its keepalive (RFC 7828) and padding (RFC 7830) options; every
 * reply written is a 'stream reply' line, in the order written. The outbound side writes the same
 * lines for each query written and each reply read, with a 'stream open' line per connection. At
 * level info nothing is logged.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { createExchanger } from '../../src/net/index.js';
import { encodeMessage, FLAG, keepaliveOption, makeOpt, optAsRecord, OPTION, keepaliveTimeoutOf, peekEdnsOptions, peekEdnsOptionsAt } from '../../src/wire/index.js';
import { framed, makeQuery, RawClient, responder, serve } from './net-fixtures.js';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A pino logger at `level` whose JSON lines land in `lines`. */
function capture(level: string): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { lines.push(JSON.parse(chunk.toString())); done(); } });
  return { log: pino({ level }, sink), lines };
}

function queryWith(name: string, id: number, options: { code: number; length?: number }[]): Buffer {
  return encodeMessage({
    id, type: 'query', flags: FLAG.RD, questions: [{ name, type: 'A', class: 'IN' }],
    additionals: [optAsRecord(makeOpt(1232, false, options))],
  });
}

test('peekEdnsOptions reads option codes and lengths; [] without OPT, null when cut short', () => {
  const q = queryWith('a.test', 1, [{ code: OPTION.KEEPALIVE }, { code: OPTION.PADDING, length: 40 }]);
  assert.deepEqual(peekEdnsOptions(q), [{ code: OPTION.KEEPALIVE, length: 0 }, { code: OPTION.PADDING, length: 40 }]);
  assert.deepEqual(peekEdnsOptions(encodeMessage({ id: 1, type: 'query', flags: 0, questions: [{ name: 'a.test', type: 'A', class: 'IN' }] })), []);
  assert.equal(peekEdnsOptions(q.subarray(0, q.length - 3)), null);
});

/** The keepalive timeout of a message, as the observer reads it (one walk of the options). */
const peekKeepaliveTimeout = (b: Buffer): number | null => keepaliveTimeoutOf(b, peekEdnsOptionsAt(b) ?? []);

test('keepaliveTimeoutOf reads the timeout of a keepalive option (100 ms units); null when empty or absent', () => {
  assert.equal(peekKeepaliveTimeout(queryWith('a.test', 1, [{ code: OPTION.PADDING, length: 4 }, keepaliveOption(2000)])), 20);
  assert.equal(peekKeepaliveTimeout(queryWith('a.test', 1, [{ code: OPTION.KEEPALIVE }])), null);
  assert.equal(peekKeepaliveTimeout(queryWith('a.test', 1, [])), null);
});

test('debug: one line per query and per reply on a session; pipelined, out of order, options seen', async () => {
  const { log, lines } = capture('debug');
  const l = await serve('tcp', responder({ 'slow.test': 200 }).sink, { log });
  cleanups.push(() => l.close());
  const c = await RawClient.open(l.address().port);
  cleanups.push(() => c.socket.destroy());
  c.socket.write(Buffer.concat([
    framed(queryWith('slow.test', 1, [{ code: OPTION.KEEPALIVE }])),
    framed(queryWith('fast.test', 2, [{ code: OPTION.PADDING, length: 20 }])),
  ]));
  await c.waitFrames(2);
  const queries = lines.filter((x) => x.msg === 'stream query');
  const replies = lines.filter((x) => x.msg === 'stream reply');
  assert.deepEqual(queries.map((x) => [x.id, x.name, x.inflight, x.keepalive, x.padding]),
    [[1, 'slow.test', 1, true, null], [2, 'fast.test', 2, false, 20]]);
  assert.equal(queries[0].sid, queries[1].sid, 'one session');
  assert.match(String(queries[0].peer), /^127\.0\.0\.1:\d+$/);
  assert.deepEqual(replies.map((x) => x.id), [2, 1], 'the fast reply was written first');
  assert.equal(replies[0].sid, queries[0].sid);
});

test('info: no observation lines', async () => {
  const { log, lines } = capture('info');
  const l = await serve('tcp', responder().sink, { log });
  cleanups.push(() => l.close());
  const c = await RawClient.open(l.address().port);
  cleanups.push(() => c.socket.destroy());
  c.socket.write(framed(queryWith('a.test', 3, [])));
  await c.waitFrames(1);
  assert.equal(lines.filter((x) => x.msg === 'stream query' || x.msg === 'stream reply').length, 0);
});

test('outbound, debug: a stream open line, then each query written and each reply read, pipelined and out of order', async () => {
  const { log, lines } = capture('debug');
  const l = await serve('tcp', responder({ 'slow.test': 200 }).sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log });
  cleanups.push(() => ex.close());
  const to = { host: '127.0.0.1', port: l.address().port };
  const slow = ex.exchange({ to, transport: 'tcp', query: makeQuery('slow.test', { edns: true }), timeoutMs: 2000 });
  await new Promise((r) => setTimeout(r, 50));
  const fast = await ex.exchange({ to, transport: 'tcp', query: makeQuery('fast.test', { edns: true }), timeoutMs: 2000 });
  assert.equal((await slow).kind, 'reply');
  assert.equal(fast.kind, 'reply');
  const mine = lines.filter((x) => x.role === 'outbound');
  assert.deepEqual(mine.map((x) => x.msg).slice(0, 4), ['stream open', 'stream query', 'stream query', 'stream reply']);
  assert.equal(mine[0].resumed, false);
  assert.equal(mine[0].peer, `127.0.0.1:${to.port}`);
  const queries = mine.filter((x) => x.msg === 'stream query');
  const replies = mine.filter((x) => x.msg === 'stream reply');
  assert.deepEqual(queries.map((x) => [x.name, x.inflight, x.keepalive]), [['slow.test', 1, false], ['fast.test', 2, false]]);
  assert.deepEqual(replies.map((x) => [x.name, x.keepalive_timeout]), [['fast.test', null], ['slow.test', null]], 'the fast reply was read first');
  assert.equal(new Set(mine.map((x) => x.sid)).size, 1, 'one session');
});

test('outbound, info: no observation lines', async () => {
  const { log, lines } = capture('info');
  const l = await serve('tcp', responder().sink);
  cleanups.push(() => l.close());
  const ex = createExchanger({ log });
  cleanups.push(() => ex.close());
  const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tcp', query: makeQuery('a.test'), timeoutMs: 2000 });
  assert.equal(r.kind, 'reply');
  assert.equal(lines.filter((x) => String(x.msg).startsWith('stream ')).length, 0);
});
