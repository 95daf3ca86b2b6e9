/**
 * The upstream ladder against hostile or broken servers (src/upstream/ladder.ts). TCP fallback for
 * servers silent over UDP (RFC 7766 §5): after repeated UDP timeouts, with and without EDNS, one try
 * over TCP; a server that answered there is asked over TCP first for a while; a server dead on TCP
 * too is not tried over TCP again. A UDP timeout with rungs left is reported as `udpSilent`, and a
 * query `afterUdpSilence` goes straight to them (without EDNS, then TCP). A server that sends garbage
 * is ranked last, as after a timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOpt } from '../../src/wire/index.js';
import type { UpstreamResult } from '../../src/upstream/index.js';
import { FakeExchanger, aRecord, fail, makeUpstream, q, reply } from '../upstream/fake-exchanger.js';

const SERVER = { address: '192.0.2.53', port: 53 };

test('silent over UDP, answering over TCP: TCP after repeated timeouts, then TCP first', async () => {
  const ex = new FakeExchanger((req, query) => (req.transport === 'udp' ? fail('timeout') : reply(req, query, { answers: [aRecord('t.test')] })));
  const { upstream } = makeUpstream(ex);
  const r1 = await upstream.query(q('t.test'));
  assert.equal(r1.kind === 'fail' && r1.reason, 'timeout');
  assert.deepEqual(ex.transports(), ['udp'], 'one timeout alone changes nothing');
  const r2 = await upstream.query(q('t.test'));
  assert.equal(r2.kind === 'reply' && r2.transport, 'tcp');
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'udp', 'tcp'], 'UDP with EDNS, without, then TCP');
  const r3 = await upstream.query(q('t.test', 'AAAA'));
  assert.equal(r3.kind === 'reply' && r3.transport, 'tcp');
  assert.deepEqual(ex.transports().slice(4), ['tcp'], 'remembered: TCP first');
  assert.equal(upstream.serverInfo(SERVER).edns, 'yes', 'the TCP reply echoed OPT');
});

test('dead on UDP and TCP: TCP is tried once, not on every query', async () => {
  const ex = new FakeExchanger((req) => fail(req.transport === 'udp' ? 'timeout' : 'connect-refused'));
  const { upstream } = makeUpstream(ex);
  await upstream.query(q('d.test'));
  await upstream.query(q('d.test'));
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'udp', 'tcp']);
  const r3 = await upstream.query(q('d.test'));
  assert.equal(r3.kind, 'fail');
  assert.deepEqual(ex.transports().slice(4), ['udp', 'udp'], 'no second TCP try');
});

test('a server asked over TCP first that stops answering there goes back to UDP', async () => {
  let tcpUp = true;
  const ex = new FakeExchanger((req, query) => {
    if (req.transport === 'udp') return tcpUp ? fail('timeout') : reply(req, query, { answers: [aRecord('b.test')] });
    return tcpUp ? reply(req, query, { answers: [aRecord('b.test')] }) : fail('connect-refused');
  });
  const { upstream } = makeUpstream(ex);
  await upstream.query(q('b.test'));
  await upstream.query(q('b.test'));
  tcpUp = false;
  const r3 = await upstream.query(q('b.test'));
  assert.equal(r3.kind, 'fail');
  const r4 = await upstream.query(q('b.test'));
  assert.equal(r4.kind === 'reply' && r4.transport, 'udp');
  assert.deepEqual(ex.transports().slice(4), ['tcp', 'udp']);
});

test('a garbage reply ranks the server last, like a timeout', async () => {
  const ex = new FakeExchanger((req, query) => (req.to.host === '192.0.2.66'
    ? { kind: 'reply', bytes: Buffer.from('0001810000010000000000000377777700', 'hex'), rttMs: 1, transport: 'udp', reused: false }
    : reply(req, query, { answers: [aRecord('g.test')] })));
  const { upstream } = makeUpstream(ex, {}, { random: () => 0.99 }); // a shuffle that keeps the order
  const bad = { address: '192.0.2.66', port: 53 };
  const good = { address: '192.0.2.53', port: 53 };
  const r = await upstream.query(q('g.test', 'A', bad.address));
  assert.equal(r.kind === 'fail' && r.reason, 'malformed');
  assert.equal(upstream.serverInfo(bad).consecutiveTimeouts, 1);
  assert.deepEqual(upstream.orderServers([bad, good]).map((s) => s.address), [good.address, bad.address]);
});

/** The same query asked again after UDP silence. */
function again(name: string, type = 'A'): ReturnType<typeof q> {
  return { ...q(name, type), afterUdpSilence: true };
}

function udpSilent(r: UpstreamResult): boolean {
  return r.kind === 'fail' && r.udpSilent === true;
}

test('silent over UDP, answering over TCP: after silence, without EDNS and then TCP at once', async () => {
  const ex = new FakeExchanger((req, query) => (req.transport === 'udp' ? fail('timeout') : reply(req, query, { answers: [aRecord('t.test')] })));
  const { upstream } = makeUpstream(ex);
  const r1 = await upstream.query(q('t.test'));
  assert.equal(r1.kind === 'fail' && r1.reason, 'timeout');
  assert.ok(udpSilent(r1), 'a first UDP timeout leaves the rungs without EDNS and TCP');
  const r2 = await upstream.query(again('t.test'));
  assert.equal(r2.kind === 'reply' && r2.transport, 'tcp');
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'tcp'], 'UDP with EDNS (the first query), without, then TCP');
  assert.deepEqual(ex.seen.map((s) => findOpt(s.query) !== undefined), [true, false, true]);
  const r3 = await upstream.query(q('t.test', 'AAAA'));
  assert.equal(r3.kind === 'reply' && r3.transport, 'tcp');
  assert.deepEqual(ex.transports().slice(3), ['tcp'], 'remembered: TCP first');
});

test('a server answering over UDP: one query, nothing reported as silence', async () => {
  const ex = new FakeExchanger((req, query) => reply(req, query, { answers: [aRecord('u.test')] }));
  const { upstream } = makeUpstream(ex);
  assert.equal((await upstream.query(q('u.test'))).kind, 'reply');
  assert.deepEqual(ex.transports(), ['udp']);
  const lame = new FakeExchanger(() => ({ kind: 'reply', bytes: Buffer.from('0001810000010000000000000377777700', 'hex'), rttMs: 1, transport: 'udp', reused: false }));
  const garbage = await makeUpstream(lame).upstream.query(q('g.test'));
  assert.equal(garbage.kind === 'fail' && garbage.reason, 'malformed');
  assert.ok(!udpSilent(garbage), 'garbage is an answer of sorts, not silence');
});

test('dead on UDP and TCP: after silence one try without EDNS and one TCP try, never TCP again', async () => {
  const ex = new FakeExchanger((req) => fail(req.transport === 'udp' ? 'timeout' : 'connect-timeout'));
  const { upstream } = makeUpstream(ex);
  assert.ok(udpSilent(await upstream.query(q('d.test'))));
  const r2 = await upstream.query(again('d.test'));
  assert.equal(r2.kind === 'fail' && r2.reason, 'connect-failed');
  assert.ok(!udpSilent(r2), 'no rung left');
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'tcp']);
  const r3 = await upstream.query(q('d.test'));
  assert.ok(r3.kind === 'fail' && !udpSilent(r3), 'a known-dead server reports no rungs left');
  assert.deepEqual(ex.transports().slice(3), ['udp', 'udp'], 'as before: with and without EDNS, no second TCP try');
});

test('EDNS dropped over UDP: the try without EDNS answers; EDNS is given up only after a second silence', async () => {
  const ex = new FakeExchanger((req, query) => (findOpt(query) ? fail('timeout') : reply(req, query, { answers: [aRecord('e.test')] })));
  const { upstream } = makeUpstream(ex);
  const server = { address: '192.0.2.53', port: 53 };
  assert.ok(udpSilent(await upstream.query(q('e.test'))));
  const r2 = await upstream.query(again('e.test'));
  assert.equal(r2.kind === 'reply' && r2.transport, 'udp');
  assert.equal(upstream.serverInfo(server).edns, 'unknown', 'one lost datagram is no evidence');
  assert.ok(udpSilent(await upstream.query(q('e.test'))));
  assert.equal((await upstream.query(again('e.test'))).kind, 'reply');
  assert.equal(upstream.serverInfo(server).edns, 'no', 'silent with EDNS twice, answering without: remembered');
  assert.equal((await upstream.query(q('e.test'))).kind, 'reply');
  assert.deepEqual(ex.seen.slice(4).map((s) => findOpt(s.query) !== undefined), [false], 'asked without EDNS first');
  assert.ok(ex.transports().every((t) => t === 'udp'), 'no TCP needed');
});

test('a server known not to speak EDNS that goes silent over UDP: after silence straight to TCP', async () => {
  let udpUp = true;
  const ex = new FakeExchanger((req, query) => (req.transport === 'udp' && !udpUp ? fail('timeout')
    : reply(req, query, { answers: [aRecord('n.test')], opt: false })));
  const { upstream } = makeUpstream(ex);
  await upstream.query(q('n.test'));
  assert.equal(upstream.serverInfo({ address: '192.0.2.53', port: 53 }).edns, 'no');
  udpUp = false;
  assert.ok(udpSilent(await upstream.query(q('n.test'))));
  const r = await upstream.query(again('n.test'));
  assert.equal(r.kind === 'reply' && r.transport, 'tcp');
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'tcp']);
  assert.equal(findOpt(ex.seen[2].query), undefined, 'TCP without EDNS too');
});
