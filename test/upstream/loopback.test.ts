/**
 * The upstream over the real net core against a tiny authoritative server built from the core's own
 * Listener on loopback (UDP, TCP and TLS on ephemeral ports): the ladder on the wire (TC → TCP),
 * the keepalive option in stream queries (RFC 7828), query padding over TLS seen by the server
 * (RFC 8467: multiples of 128), DoT connection reuse (many queries, one handshake), opportunistic
 * probing and strict authentication (RFC 9539, RFC 8310).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createExchanger, listen, type Listener, type NetExchanger, type Transport } from '../../src/net/index.js';
import { createSelfSigned, type TlsMaterial } from '../../src/tls/index.js';
import {
  decodeMessage, encodeMessage, findOpt, findOption, makeOpt, optAsRecord, FLAG, MalformedMessage, OPTION, RCODE,
  type Message,
} from '../../src/wire/index.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/util/index.js';
import { defaultConfig, type UpstreamTlsPolicy } from '../../src/config/index.js';
import { createUpstream, type ManagedUpstream, type UpstreamQuery } from '../../src/upstream/index.js';
import { closedPort } from '../net/net-fixtures.js';

interface Seen { transport: Transport; length: number; query: Message }
const seen: Seen[] = [];
const listeners: Listener[] = [];
const exchangers: NetExchanger[] = [];
let material: TlsMaterial;
let do53Port = 0;
let dotPort = 0;

/**
 * The authoritative server: answers every A query with 192.0.2.1; `big.*` is truncated over UDP,
 * `old.*` gets FORMERR when the query has EDNS, `silent.*` gets no answer.
 */
function answer(bytes: Buffer, transport: Transport): Buffer | undefined {
  const query = decodeMessage(bytes);
  if (query instanceof MalformedMessage) return undefined;
  seen.push({ transport, length: bytes.length, query });
  const name = query.questions[0].name;
  if (name.startsWith('silent.')) return undefined;
  const tc = transport === 'udp' && name.startsWith('big.');
  const formerr = name.startsWith('old.') && findOpt(query) !== undefined; // a pre-EDNS server (RFC 6891 §7)
  if (formerr) {
    return encodeMessage({ type: 'response', id: query.id, flags: RCODE.FORMERR, questions: query.questions, answers: [], authorities: [], additionals: [] });
  }
  return encodeMessage({
    type: 'response', id: query.id, flags: FLAG.AA | (tc ? FLAG.TC : 0), questions: query.questions,
    answers: tc ? [] : [{ name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }],
    authorities: [],
    additionals: findOpt(query) ? [optAsRecord(makeOpt(1232, false))] : [],
  });
}

async function bind(transport: Transport, port: number): Promise<Listener> {
  const l = await listen({ transport, address: '127.0.0.1', port, log: silentLogger(), tls: transport === 'tls' ? material : undefined },
    (q) => q.reply(answer(q.bytes, q.peer.transport)));
  listeners.push(l);
  return l;
}

before(async () => {
  material = createSelfSigned({ dnsNames: ['ns1.test'], ipAddresses: ['127.0.0.1'] });
  const udp = await bind('udp', 0);
  do53Port = udp.address().port;
  await bind('tcp', do53Port);
  dotPort = (await bind('tls', 0)).address().port;
});

after(async () => {
  await Promise.all(exchangers.map((e) => e.close()));
  await Promise.all(listeners.map((l) => l.close(100)));
});

function setup(tls: UpstreamTlsPolicy): { upstream: ManagedUpstream; exchanger: NetExchanger } {
  const exchanger = createExchanger({ log: silentLogger(), tlsContextFor: () => ({ ca: material.cert }) });
  exchangers.push(exchanger);
  const upstream = createUpstream({
    exchanger, clock: systemClock, log: silentLogger(), dotPort,
    config: { ...defaultConfig().upstream, tls, timeout_ms: 3000 },
  });
  return { upstream, exchanger };
}

function q(name: string, serverName?: string): UpstreamQuery {
  return { name, type: 'A', server: { address: '127.0.0.1', port: do53Port, name: serverName }, dnssecOk: true, cd: false, rd: false };
}

function seenFor(name: string): Seen[] { return seen.filter((s) => s.query.questions[0].name === name); }

test('UDP with EDNS, then TC=1 → TCP with the keepalive option', async () => {
  const { upstream } = setup('off');
  const small = await upstream.query(q('small.test'));
  assert.equal(small.kind === 'reply' && small.transport, 'udp');
  const [udp] = seenFor('small.test');
  assert.equal(findOpt(udp.query)?.udpPayloadSize, 1232);
  assert.equal(findOption(findOpt(udp.query), OPTION.KEEPALIVE), undefined);

  const big = await upstream.query(q('big.test'));
  assert.equal(big.kind === 'reply' && big.transport, 'tcp');
  if (big.kind === 'reply') assert.equal(big.message.answers.length, 1);
  assert.deepEqual(seenFor('big.test').map((s) => s.transport), ['udp', 'tcp']);
  const tcp = seenFor('big.test')[1];
  assert.ok(findOption(findOpt(tcp.query), OPTION.KEEPALIVE), 'RFC 7828 keepalive in the TCP query');
  assert.ok(upstream.serverInfo({ address: '127.0.0.1', port: do53Port }).srttMs! >= 0);
});

test('on the wire: FORMERR to EDNS → retry without EDNS; a silent server times out and is backed off', async () => {
  const { upstream } = setup('off');
  const server = { address: '127.0.0.1', port: do53Port };
  const old = await upstream.query(q('old.test'));
  assert.equal(old.kind, 'reply');
  assert.deepEqual(seenFor('old.test').map((s) => findOpt(s.query) !== undefined), [true, false]);
  assert.equal(upstream.serverInfo(server).edns, 'no');

  const { upstream: fresh } = setup('off');
  const started = performance.now();
  const silent = await fresh.query(q('silent.test'));
  const took = performance.now() - started;
  assert.equal(silent.kind === 'fail' && silent.reason, 'timeout');
  assert.ok(took >= 350 && took < 2000, `timed out after the initial timeout (${took.toFixed(0)} ms)`);
  const info = fresh.serverInfo(server);
  assert.equal(info.consecutiveTimeouts, 1);
  assert.ok(info.backoffUntil > Date.now());
  assert.equal(info.timeoutMs, 800, 'the next try waits twice as long');
});

test('opportunistic DoT: probe, then padded queries with keepalive over one reused TLS connection', async () => {
  const { upstream, exchanger } = setup('opportunistic');
  const first = await upstream.query(q('p0.test', 'ns1.test'));
  assert.equal(first.kind === 'reply' && first.transport, 'udp');
  await upstream.settle();
  assert.equal(upstream.serverInfo({ address: '127.0.0.1', port: do53Port }).dot.state, 'ok');

  const names = Array.from({ length: 30 }, (_, i) => `q${i}.dot.test`);
  const batch = await Promise.all(names.slice(0, 15).map((n) => upstream.query(q(n, 'ns1.test'))));
  for (const n of names.slice(15)) batch.push(await upstream.query(q(n, 'ns1.test')));
  for (const r of batch) assert.equal(r.kind === 'reply' && r.transport, 'tls');
  for (const n of names) {
    const s = seenFor(n);
    assert.deepEqual(s.map((x) => x.transport), ['tls'], `${n}: DoT only once known good`);
    assert.equal(s[0].length % 128, 0, `${n}: padded to 128-octet blocks (got ${s[0].length})`);
    assert.ok(findOption(findOpt(s[0].query), OPTION.PADDING));
    assert.ok(findOption(findOpt(s[0].query), OPTION.KEEPALIVE));
  }
  const stats = exchanger.stats();
  assert.equal(stats.tlsHandshakes, 1, 'one handshake for the probe and 30 queries');
  assert.equal(stats.dials, 1);
});

test('strict DoT authenticates the NS name: the right name works, a wrong one fails without cleartext', async () => {
  const { upstream } = setup('strict');
  const ok = await upstream.query(q('strict-ok.test', 'ns1.test'));
  assert.equal(ok.kind === 'reply' && ok.transport, 'tls');
  const bad = await upstream.query(q('strict-bad.test', 'ns2.test'));
  assert.equal(bad.kind === 'fail' && bad.reason, 'tls-failed');
  assert.deepEqual(seenFor('strict-bad.test'), [], 'nothing reached the server');
});

test('opportunistic DoT to a server without DoT: marked failed, queries stay on Do53', async () => {
  const exchanger = createExchanger({ log: silentLogger() });
  exchangers.push(exchanger);
  const upstream = createUpstream({
    exchanger, clock: systemClock, log: silentLogger(), dotPort: await closedPort(),
    config: { ...defaultConfig().upstream, tls: 'opportunistic', timeout_ms: 3000 },
  });
  const r = await upstream.query(q('nodot.test'));
  assert.equal(r.kind === 'reply' && r.transport, 'udp');
  await upstream.settle();
  assert.equal(upstream.serverInfo({ address: '127.0.0.1', port: do53Port }).dot.state, 'failed');
  const r2 = await upstream.query(q('nodot2.test'));
  assert.equal(r2.kind === 'reply' && r2.transport, 'udp');
});
