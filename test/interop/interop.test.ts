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
