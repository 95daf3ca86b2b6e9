/**
 * The upstream ladder against hostile or broken servers (src/upstream/exchange.ts). TCP fallback for
 * servers silent over UDP (RFC 7766 §5): after repeated UDP timeouts, with and without EDNS, one try
 * over TCP; a server that answered there is asked over TCP first for a while; a server dead on TCP
 * too is not tried over TCP again. A server that sends garbage is ranked last, as after a timeout.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
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
