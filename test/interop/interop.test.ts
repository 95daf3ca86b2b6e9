/**
 * INTEROP.md's checks: (a) the cell logic turns an observation with the feature off into `no`
 * (a connection with one query is no reuse, replies in query order are not out of order, ...);
 * (b) a fresh run against the real programs (Ward on 127.0.2.70, peers on 127.0.3.x: run under
 * `flock /tmp/ward-lab.lock`) fails when a cell that is `yes` in the committed INTEROP.md became `no`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import {
  fellBack, keepaliveHonoured, overTcp, overUdp, paddedTo128, pipelinedAnswered, probed, repliesOutOfOrder, strictAuthenticated,
  type Asked, type ServerRow,
} from './auth-cells.js';
import { authenticated, keepalive, outOfOrder, padding, pipelining, reuse } from './cells.js';
import { runInterop } from './interop.js';
import { readVerdicts, regressions, renderReport } from './report.js';
import { fastOpenCell } from './tfo.js';
import type { SeenQuery, SessionView } from './ward-wire.js';

function q(id: number, name: string, o: Partial<SeenQuery> = {}): SeenQuery {
  return { id, name, len: 128, inflight: 1, keepalive: true, padding: 40, ...o };
}

function session(queries: SeenQuery[], replyOrder: number[], transport = 'tls'): SessionView {
  return { sid: 1, transport, peer: '127.0.0.1:5000', queries, replies: replyOrder.map((id) => ({ id, len: 468 })) };
}

const works = session([q(1, 'slow'), q(2, 'fast', { inflight: 2 })], [2, 1]);

test('cells: each feature observed gives yes, the same observation with it off gives no', () => {
  assert.equal(reuse('c', [works]).verdict, 'yes');
  assert.equal(reuse('c', [session([q(1, 'slow')], [1]), session([q(2, 'fast')], [2])]).verdict, 'no', 'one query per connection');
  assert.equal(pipelining('c', [works]).verdict, 'yes');
  assert.equal(pipelining('c', [session([q(1, 'slow'), q(2, 'fast')], [1, 2])]).verdict, 'no', 'never two in flight');
  assert.equal(outOfOrder('c', [works], 'slow', 'fast', true, '').verdict, 'yes');
  assert.equal(outOfOrder('c', [session(works.queries, [1, 2])], 'slow', 'fast', true, '').verdict, 'no', 'replies in query order');
  assert.equal(outOfOrder('c', [works], 'slow', 'fast', false, '').verdict, 'no', 'the client did not accept both');
  assert.equal(keepalive('c', [works], true).verdict, 'yes');
  assert.equal(keepalive('c', [session([q(1, 'a', { keepalive: false })], [1])]).verdict, 'no', 'no keepalive option seen');
  assert.equal(keepalive('c', [works], false).verdict, 'no', 'Ward\'s timeout not shown');
  assert.equal(padding('c', [works]).verdict, 'yes');
  assert.equal(padding('c', [session([q(1, 'a'), q(2, 'b', { padding: null })], [1, 2])]).verdict, 'no', 'a query without padding');
  assert.equal(padding('c', [session([q(1, 'a')], [1], 'tcp')]).verdict, 'no', 'padding in clear text does not count');
  const good = { command: 'good', out: 'a. 300 IN A 192.0.2.81' };
  const refused = { command: 'bad', out: 'handshake failed' };
  assert.equal(authenticated(good, refused, /192\.0\.2\.81/, [works]).verdict, 'yes');
  assert.equal(authenticated(good, good, /192\.0\.2\.81/, [works]).verdict, 'no', 'the wrong credential also answered');
  assert.equal(authenticated(good, refused, /192\.0\.2\.81/, []).verdict, 'no', 'no TLS connection seen');
  const answers = [['192.0.2.81'], ['192.0.2.81']];
  assert.equal(fastOpenCell('c', [5, 5, 6], answers).verdict, 'yes');
  assert.equal(fastOpenCell('c', [5, 5, 5], answers).verdict, 'no', 'no SYN carried data');
});

const ok: Asked = { command: 'c', rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'], elapsedMs: 20 };
const row = (o: Partial<ServerRow> & { udp?: number; tls?: number; state?: string } = {}): ServerRow => ({
  address: '127.53.0.1', by_transport: { udp: o.udp ?? 3, tcp: 0, tls: o.tls ?? 5 }, dot: { state: o.state ?? 'ok' }, last_error: o.last_error,
});
/** An outbound session: queries written (with in flight counts), replies read in `replyOrder`, with a keepalive timeout and times. */
function upstream(queries: SeenQuery[], replyOrder: number[], o: { transport?: string; keepalive?: number | null; closed?: SessionView['closed'] } = {}): SessionView {
  return {
    sid: 2, role: 'outbound', transport: o.transport ?? 'tls', peer: '127.53.0.1:853', queries,
    replies: replyOrder.map((id, i) => ({ id, len: 90, keepaliveTimeout: o.keepalive ?? null, time: 1000 + i })),
    opened: { resumed: false, authenticated: true }, closed: o.closed,
  };
}
const pipelined = [q(1, 'a'), q(2, 'b', { inflight: 2 })];

test('authoritative cells: each feature observed gives yes, the same observation with it off gives no', () => {
  assert.equal(overUdp(ok, row()).verdict, 'yes');
  assert.equal(overUdp(ok, row({ udp: 0 })).verdict, 'no', 'no UDP query counted');
  assert.equal(overUdp({ ...ok, rcode: 'SERVFAIL', answers: [] }, row()).verdict, 'no', 'not answered');
  const big = { ...ok, answers: Array.from({ length: 40 }, () => 'x') };
  const tcp = upstream([q(1, 't.big.glue.test', { padding: null })], [1], { transport: 'tcp' });
  assert.equal(overTcp(big, 40, [tcp], 't.big.glue.test').verdict, 'yes');
  assert.equal(overTcp(big, 40, [], 't.big.glue.test').verdict, 'no', 'no TCP connection carried it');
  assert.equal(overTcp({ ...big, answers: [] }, 40, [tcp], 't.big.glue.test').verdict, 'no', 'the truncated answer only');
  const dot = upstream([q(1, 'again.w.glue.test')], [1]);
  assert.equal(probed(ok, row(), ok, [dot]).verdict, 'yes');
  assert.equal(probed(ok, row({ state: 'failed' }), ok, [dot]).verdict, 'no', 'probe failed');
  assert.equal(probed(ok, row({ tls: 0 }), ok, []).verdict, 'no', 'nothing over TLS');
  const failed = row({ state: 'failed', tls: 0 });
  assert.equal(fellBack([ok, failed], [ok, failed]).verdict, 'yes');
  assert.equal(fellBack([ok, failed], [{ ...ok, elapsedMs: 4200 }, failed]).verdict, 'no', 'the stalled port held the answer up');
  assert.equal(fellBack([{ ...ok, rcode: 'SERVFAIL', answers: [] }, failed], [ok, failed]).verdict, 'no', 'no answer with 853 closed');
  assert.equal(fellBack([ok, row({ state: 'probing' })], [ok, failed]).verdict, 'no', 'DoT not marked failed');
  const refused = { ...ok, rcode: 'SERVFAIL', answers: [] };
  const wrongRow = row({ udp: 3, tls: 0, last_error: 'strict DoT (rule zone glue.test: strict, name wrong.lab.test): Hostname/IP does not match' });
  assert.equal(strictAuthenticated(ok, [dot], refused, wrongRow, 0).verdict, 'yes');
  assert.equal(strictAuthenticated(ok, [dot], ok, wrongRow, 0).verdict, 'no', 'the wrong name answered');
  assert.equal(strictAuthenticated(ok, [dot], refused, wrongRow, 1).verdict, 'no', 'a query for the zone went in clear');
  assert.equal(strictAuthenticated(ok, [{ ...dot, opened: { resumed: false, authenticated: false } }], refused, wrongRow, 0).verdict, 'no', 'not authenticated');
  assert.equal(pipelinedAnswered('c', [upstream(pipelined, [2, 1])]).verdict, 'yes');
  assert.equal(pipelinedAnswered('c', [upstream([q(1, 'a'), q(2, 'b')], [1, 2])]).verdict, 'no', 'never two in flight');
  assert.equal(pipelinedAnswered('c', [upstream(pipelined, [1])]).verdict, 'no', 'a pipelined query was not answered on the connection');
  assert.equal(repliesOutOfOrder('c', [upstream(pipelined, [2, 1])], true).verdict, 'yes');
  assert.equal(repliesOutOfOrder('c', [upstream(pipelined, [2, 1])], false).verdict, 'no', 'not every question answered');
  assert.equal(repliesOutOfOrder('c', [upstream(pipelined, [1, 2])], true).verdict, 'n.a.', 'in order: nothing to reorder');
  const idle = (idleMs: number, time: number): SessionView['closed'] => ({ reason: 'idle', idleMs, time });
  assert.equal(keepaliveHonoured('c', [upstream(pipelined, [1, 2], { keepalive: 20, closed: idle(2000, 3001) })], 10_000).verdict, 'yes');
  assert.equal(keepaliveHonoured('c', [upstream(pipelined, [1, 2], { keepalive: 20, closed: idle(10_000, 11_001) })], 10_000).verdict, 'no', 'Ward kept its own 10 s');
  assert.equal(keepaliveHonoured('c', [upstream(pipelined, [1, 2], { keepalive: 20 })], 10_000).verdict, 'no', 'never closed as idle');
  assert.equal(keepaliveHonoured('c', [upstream(pipelined, [1, 2])], 10_000).verdict, 'n.a.', 'no timeout offered');
  assert.equal(paddedTo128('c', [upstream(pipelined, [1, 2])]).verdict, 'yes');
  assert.equal(paddedTo128('c', [upstream([q(1, 'a', { padding: null, len: 40 })], [1])]).verdict, 'no', 'not padded');
  assert.equal(paddedTo128('c', [upstream([q(1, 'a', { len: 130 })], [1])]).verdict, 'no', 'not a multiple of 128');
});

test('report: verdicts read back from the rendered text; a yes that became no is a regression', () => {
  const row = { id: 'reuse', title: 'connection reuse' };
  const report = (verdict: 'yes' | 'no') => renderReport({
    date: 'd', platform: 'p',
    tables: [{ side: 'Clients of Ward', intro: '', rows: [row], programs: [{ name: 'kdig', version: 'v', cells: { reuse: { verdict, evidence: [] } } }] }],
  });
  const before = readVerdicts(report('yes'));
  assert.deepEqual([...before], [['Clients of Ward / kdig / connection reuse', 'yes']]);
  assert.deepEqual(regressions(before, readVerdicts(report('no'))), ['Clients of Ward / kdig / connection reuse']);
  assert.deepEqual(regressions(readVerdicts(report('no')), before), []);
});

test('a fresh run keeps every yes of the committed INTEROP.md', { timeout: 240_000 }, async () => {
  const committed = readVerdicts(readFileSync(join(REPO_ROOT, 'INTEROP.md'), 'utf8'));
  assert.ok([...committed.values()].includes('yes'), 'the committed file has yes cells');
  const fresh = readVerdicts(renderReport(await runInterop()));
  assert.deepEqual(regressions(committed, fresh), [], 'cells that were yes and are now no');
});
