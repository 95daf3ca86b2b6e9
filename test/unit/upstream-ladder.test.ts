/** The fallback ladder and reply checks of upstream/ladder.ts over a scripted Exchanger. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOpt, findOption, FLAG, OPTION, RCODE, DO_FLAG } from '../../src/wire/index.js';
import { FakeExchanger, aRecord, fail, makeUpstream, q, reply } from '../upstream/fake-exchanger.js';

test('query bytes: RD/CD as asked, OPT with payload 1232 and DO, no keepalive over UDP', async () => {
  const ex = new FakeExchanger((req, query) => reply(req, query, { answers: [aRecord('example.test')] }));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('example.test', 'A', '192.0.2.53', { rd: true, cd: true, dnssecOk: true }));
  assert.equal(res.kind, 'reply');
  const { req, query } = ex.seen[0];
  assert.equal(req.transport, 'udp');
  assert.deepEqual(req.to, { host: '192.0.2.53', port: 53 });
  assert.ok(query.flags & FLAG.RD);
  assert.ok(query.flags & FLAG.CD);
  const opt = findOpt(query);
  assert.ok(opt);
  assert.equal(opt.udpPayloadSize, 1232);
  assert.equal((opt.flags ?? 0) & DO_FLAG, DO_FLAG);
  assert.equal(findOption(opt, OPTION.KEEPALIVE), undefined);
  assert.deepEqual(query.questions, [{ name: 'example.test', type: 'A', class: 'IN' }]);
  if (res.kind === 'reply') {
    assert.equal(res.transport, 'udp');
    assert.equal(res.message.answers.length, 1);
  }

  await upstream.query(q('example.test', 'AAAA'));
  const second = ex.seen[1].query;
  assert.equal(second.flags & (FLAG.RD | FLAG.CD), 0);
  assert.equal((findOpt(second)!.flags ?? 0) & DO_FLAG, 0);
});

test('TC=1 over UDP is retried over TCP with the keepalive option', async () => {
  const ex = new FakeExchanger((req, query) =>
    reply(req, query, req.transport === 'udp' ? { tc: true } : { answers: [aRecord('big.test')] }));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('big.test'));
  assert.deepEqual(ex.transports(), ['udp', 'tcp']);
  assert.equal(res.kind, 'reply');
  if (res.kind === 'reply') {
    assert.equal(res.transport, 'tcp');
    assert.equal(res.message.flags & FLAG.TC, 0);
  }
  const keepalive = findOption(findOpt(ex.seen[1].query), OPTION.KEEPALIVE);
  assert.ok(keepalive, 'keepalive option in the TCP query');
  assert.equal(keepalive.timeout, undefined, 'RFC 7828 §3.2.1: empty in queries');
  assert.equal(ex.seen[1].req.timeoutMs, 1500, 'stream tries get the full timeout');
});

test('FORMERR to an EDNS query: retried without EDNS, and remembered for the server', async () => {
  const ex = new FakeExchanger((req, query) =>
    findOpt(query) ? reply(req, query, { rcode: RCODE.FORMERR, opt: false, questions: [] }) : reply(req, query));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('old.test'));
  assert.equal(res.kind, 'reply');
  assert.equal(ex.seen.length, 2);
  assert.ok(findOpt(ex.seen[0].query));
  assert.equal(findOpt(ex.seen[1].query), undefined);
  assert.equal(upstream.serverInfo({ address: '192.0.2.53', port: 53 }).edns, 'no');

  await upstream.query(q('again.old.test'));
  assert.equal(ex.seen.length, 3, 'one try: EDNS support is remembered');
  assert.equal(findOpt(ex.seen[2].query), undefined);
  // other servers are not affected
  await upstream.query(q('old.test', 'A', '192.0.2.54'));
  assert.ok(findOpt(ex.seen[3].query));
});

test('NOTIMP to an EDNS query is retried without EDNS too', async () => {
  const ex = new FakeExchanger((req, query) =>
    findOpt(query) ? reply(req, query, { rcode: RCODE.NOTIMP }) : reply(req, query));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('notimp.test'));
  assert.equal(res.kind, 'reply');
  assert.equal(ex.seen.length, 2);
});

test('FORMERR without EDNS fails with formerr', async () => {
  const ex = new FakeExchanger((req, query) => reply(req, query, { rcode: RCODE.FORMERR, opt: false }));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('broken.test'));
  assert.equal(res.kind, 'fail');
  if (res.kind === 'fail') assert.equal(res.reason, 'formerr');
  assert.equal(ex.seen.length, 2);
});

test('a reply without an OPT echo marks the server as not speaking EDNS', async () => {
  const ex = new FakeExchanger((req, query) => reply(req, query, { opt: false }));
  const { upstream } = makeUpstream(ex);
  assert.equal((await upstream.query(q('plain.test'))).kind, 'reply');
  assert.equal(upstream.serverInfo({ address: '192.0.2.53', port: 53 }).edns, 'no');
  const ex2 = new FakeExchanger((req, query) => reply(req, query));
  const { upstream: u2 } = makeUpstream(ex2);
  await u2.query(q('edns.test'));
  assert.equal(u2.serverInfo({ address: '192.0.2.53', port: 53 }).edns, 'yes');
});

test('repeated timeouts of a server not known for EDNS: the next try goes without EDNS', async () => {
  const ex = new FakeExchanger((req, query) => (findOpt(query) ? fail('timeout') : reply(req, query)));
  const { upstream } = makeUpstream(ex);
  const r1 = await upstream.query(q('drop.test'));
  assert.equal(r1.kind, 'fail');
  if (r1.kind === 'fail') assert.equal(r1.reason, 'timeout');
  assert.equal(ex.seen.length, 1, 'one timeout alone is not a reason to drop EDNS');
  const r2 = await upstream.query(q('drop.test'));
  assert.equal(r2.kind, 'reply');
  assert.equal(ex.seen.length, 3);
  assert.equal(findOpt(ex.seen[2].query), undefined);
  assert.equal(upstream.serverInfo({ address: '192.0.2.53', port: 53 }).edns, 'no');
});

test('a reply for another question is a mismatch; a 0x20 case change is not', async () => {
  const ex = new FakeExchanger((req, query) => {
    const name = query.questions[0].name;
    if (name.startsWith('other')) return reply(req, query, { questions: [{ name: 'evil.test', type: 'A', class: 'IN' }] });
    if (name.startsWith('type')) return reply(req, query, { questions: [{ name, type: 'MX', class: 'IN' }] });
    if (name.startsWith('none')) return reply(req, query, { questions: [] });
    return reply(req, query, { questions: [{ name: name.toUpperCase(), type: 'A', class: 'IN' }] });
  });
  const { upstream } = makeUpstream(ex);
  for (const name of ['other.test', 'type.test', 'none.test']) {
    const res = await upstream.query(q(name));
    assert.equal(res.kind, 'fail', name);
    if (res.kind === 'fail') assert.equal(res.reason, 'mismatch', name);
  }
  const ok = await upstream.query(q('MiXeD.test'));
  assert.equal(ok.kind, 'reply');
});

test('bytes that are not a DNS message fail as malformed; a query echoed back is a mismatch', async () => {
  const ex = new FakeExchanger((req, query) => {
    if (query.questions[0].name === 'echo.test') return { kind: 'reply', bytes: req.query, rttMs: 1, transport: 'udp', reused: false };
    return { kind: 'reply', bytes: Buffer.from('0001810000010000000000000377777700', 'hex'), rttMs: 1, transport: 'udp', reused: false };
  });
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('bad.test'));
  assert.equal(res.kind, 'fail');
  if (res.kind === 'fail') assert.equal(res.reason, 'malformed');
  const echo = await upstream.query(q('echo.test'));
  assert.equal(echo.kind === 'fail' && echo.reason, 'mismatch');
});

test('network failures become failure values, never exceptions', async () => {
  const codes = { 'connect-refused': 'connect-failed', 'reset': 'network', 'aborted': 'aborted', 'tls-auth': 'tls-failed' } as const;
  for (const [code, reason] of Object.entries(codes)) {
    const ex = new FakeExchanger(() => fail(code as keyof typeof codes));
    const { upstream } = makeUpstream(ex);
    const res = await upstream.query(q('x.test'));
    assert.equal(res.kind === 'fail' && res.reason, reason, code);
  }
  const thrower = new FakeExchanger(() => { throw new Error('bug'); });
  const { upstream } = makeUpstream(thrower);
  const res = await upstream.query(q('x.test'));
  assert.equal(res.kind === 'fail' && res.reason, 'network');
});

test('an unknown type name fails without sending anything', async () => {
  const ex = new FakeExchanger((req, query) => reply(req, query));
  const { upstream } = makeUpstream(ex);
  const res = await upstream.query(q('x.test', 'NOSUCHTYPE'));
  assert.equal(res.kind === 'fail' && res.reason, 'malformed');
  const long = await upstream.query(q('a'.repeat(64) + '.test'));
  assert.equal(long.kind, 'fail');
  assert.equal(ex.seen.length, 0);
});
