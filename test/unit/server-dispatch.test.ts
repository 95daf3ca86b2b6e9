/**
 * The server's request checks, response shaping, access control and microcache, driven through the
 * dispatcher with in-memory InboundQuery objects (the socket side is covered by test/e2e).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket from 'dns-packet';
import { createDispatcher, AccessControl, MicroCache, LocalZones, chainHandlers, type Answer, type ClientQuery, type QueryHandler } from '../../src/server/index.js';
import { decodeMessage, FLAG, findOpt, findOption, OPTION, RCODE, readEde, type Message } from '../../src/wire/index.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/util/index.js';
import type { AclRule } from '../../src/config/index.js';
import type { InboundQuery, PeerInfo, StreamInfo } from '../../src/net/index.js';

type Opt = { udpPayloadSize?: number; flags?: number; ednsVersion?: number; options?: unknown[] };
function query(name: string, type = 'A', o: { id?: number; flags?: number; opt?: Opt | null; opts?: Opt[] } = {}): Buffer {
  const opts = o.opts ?? (o.opt === null || o.opt === undefined ? [] : [o.opt]);
  return dnsPacket.encode({
    id: o.id ?? 4242, type: 'query', flags: o.flags ?? dnsPacket.RECURSION_DESIRED,
    questions: [{ name, type: type as 'A', class: 'IN' }],
    additionals: opts.map((x) => ({ type: 'OPT', name: '.', udpPayloadSize: 1232, ...x })) as dnsPacket.Answer[],
  });
}

interface Sent { bytes: Buffer | undefined; idle?: number }
function inbound(bytes: Buffer, transport: PeerInfo['transport'] = 'udp', address = '127.0.0.1'): { q: InboundQuery; sent: Promise<Sent> } {
  let resolve!: (s: Sent) => void;
  const sent = new Promise<Sent>((r) => { resolve = r; });
  let idle: number | undefined;
  const stream: StreamInfo | undefined = transport === 'udp' ? undefined : {
    sessionId: 1, transport, idleTimeoutMs: 10_000, setIdleTimeout(ms: number) { idle = ms; },
  };
  const q: InboundQuery = {
    bytes, peer: { address, port: 5353, transport }, stream, signal: new AbortController().signal,
    reply: (b) => resolve({ bytes: b, idle }),
  };
  return { q, sent };
}

const A_RECORD = { name: 'www.example.test', type: 'A', class: 'IN', ttl: 300, data: '192.0.2.1' } as const;
function answerAll(extra: Partial<Answer> = {}): QueryHandler {
  return (q: ClientQuery): Answer => ({
    rcode: RCODE.NOERROR, answer: [{ ...A_RECORD, name: q.question.name }], authority: [], additional: [],
    authenticated: true, cacheable: true, ...extra,
  });
}

function dispatcher(handler: QueryHandler, acl: AclRule[] = [{ prefix: '127.0.0.0/8', action: 'allow' }], microcache = true) {
  return createDispatcher({
    handler, acl: new AccessControl(acl), log: silentLogger(), clock: systemClock,
    limits: { udp_max_payload: 1232, keepalive_timeout_ms: 30_000 }, microcache: microcache ? new MicroCache() : undefined,
  });
}

async function ask(d: ReturnType<typeof dispatcher>, bytes: Buffer, transport: PeerInfo['transport'] = 'udp', address = '127.0.0.1'): Promise<{ msg: Message | undefined; raw: Buffer | undefined; idle?: number }> {
  const { q, sent } = inbound(bytes, transport, address);
  d.sink(q);
  const s = await sent;
  if (!s.bytes) return { msg: undefined, raw: undefined };
  const m = decodeMessage(s.bytes);
  assert.ok(!(m instanceof Error), 'reply decodes');
  return { msg: m as Message, raw: s.bytes, idle: s.idle };
}
const has = (m: Message | undefined, bit: number): boolean => m !== undefined && (m.flags & bit) !== 0;
const rcode = (m: Message): number => (m.flags & 0xf) | ((findOpt(m)?.extendedRcode ?? 0) << 4);

test('answers with QR, RA, RD copied, AD only when asked, question case kept', async () => {
  const d = dispatcher(answerAll());
  const { msg } = await ask(d, query('WwW.ExAmple.TEST', 'A', { id: 7 }));
  assert.ok(msg);
  assert.equal(msg.id, 7);
  assert.equal(msg.type, 'response');
  assert.equal(has(msg, FLAG.RD), true);
  assert.equal(has(msg, FLAG.RA), true);
  assert.equal(has(msg, FLAG.AD), false, 'no AD without DO or AD in the query');
  assert.equal(msg.questions[0].name, 'WwW.ExAmple.TEST');
  assert.equal(findOpt(msg), undefined, 'no OPT without OPT in the query');
  const withDo = await ask(d, query('www.example.test', 'A', { opt: { flags: 0x8000 } }));
  assert.equal(has(withDo.msg, FLAG.AD), true);
  assert.equal(findOpt(withDo.msg!)?.udpPayloadSize, 1232);
  assert.equal(findOpt(withDo.msg!)?.flags, 0x8000, 'DO copied');
  const withAd = await ask(d, query('www.example.test', 'A', { flags: dnsPacket.RECURSION_DESIRED | dnsPacket.AUTHENTIC_DATA }));
  assert.equal(has(withAd.msg, FLAG.AD), true);
  const cd = await ask(dispatcher(answerAll({ authenticated: false })), query('x.test', 'A', { flags: dnsPacket.CHECKING_DISABLED, opt: { flags: 0x8000 } }));
  assert.equal(has(cd.msg, FLAG.CD), true);
  assert.equal(has(cd.msg, FLAG.RD), false);
  assert.equal(has(cd.msg, FLAG.AD), false);
});

test('request checks: QR dropped, NOTIMP, FORMERR, BADVERS, header-only FORMERR', async () => {
  const d = dispatcher(answerAll());
  const resp = query('a.test');
  resp.writeUInt16BE(resp.readUInt16BE(2) | 0x8000, 2);
  assert.equal((await ask(d, resp)).msg, undefined, 'QR set: dropped');
  assert.equal((await ask(d, Buffer.from([1, 2, 3]))).msg, undefined, 'no header: dropped');
  const notify = query('a.test', 'SOA', { flags: 4 << 11 });
  assert.equal(rcode((await ask(d, notify)).msg!), RCODE.NOTIMP);
  const two = dnsPacket.encode({ id: 9, type: 'query', questions: [{ name: 'a.test', type: 'A' }, { name: 'b.test', type: 'A' }] });
  const formerr = (await ask(d, two)).msg!;
  assert.equal(rcode(formerr), RCODE.FORMERR);
  assert.equal(formerr.questions.length, 0);
  const none = dnsPacket.encode({ id: 9, type: 'query', questions: [] });
  assert.equal(rcode((await ask(d, none)).msg!), RCODE.FORMERR);
  assert.equal(rcode((await ask(d, query('a.test', 'A', { opts: [{}, {}] }))).msg!), RCODE.FORMERR, 'two OPT records');
  const badvers = (await ask(d, query('a.test', 'A', { opt: { ednsVersion: 1 } }))).msg!;
  assert.equal(rcode(badvers), RCODE.BADVERS);
  assert.equal(findOpt(badvers)?.ednsVersion, 0);
  const cut = query('abcdef.test').subarray(0, 17);
  const head = await ask(d, cut);
  assert.equal(head.raw?.length, 12);
  assert.equal(head.raw?.readUInt16BE(0), 4242);
  assert.equal(head.raw!.readUInt16BE(2) & 0xf, RCODE.FORMERR);
  assert.equal(rcode((await ask(d, query('example.test', 'AXFR'))).msg!), RCODE.REFUSED);
});

test('UDP truncation: min(client size or 512, udp_max_payload), TC set', async () => {
  const big: QueryHandler = (q) => ({
    rcode: 0, authenticated: false, authority: [], additional: [],
    answer: Array.from({ length: 40 }, (_, i) => ({ name: q.question.name, type: 'A', class: 'IN', ttl: 60, data: `192.0.2.${i}` })) as Answer['answer'],
  });
  const d = dispatcher(big);
  const plain = await ask(d, query('big.test'));
  assert.equal(has(plain.msg, FLAG.TC), true);
  assert.ok(plain.raw!.length <= 512);
  const edns = await ask(d, query('big.test', 'A', { opt: { udpPayloadSize: 4096 } }));
  assert.equal(has(edns.msg, FLAG.TC), false, '40 A records fit in 1232');
  assert.ok(edns.raw!.length <= 1232);
  const small = await ask(d, query('big.test', 'A', { opt: { udpPayloadSize: 600 } }));
  assert.equal(has(small.msg, FLAG.TC), true);
  assert.ok(findOpt(small.msg!), 'OPT kept in a truncated reply');
  const tcp = await ask(d, query('big.test'), 'tcp');
  assert.equal(has(tcp.msg, FLAG.TC), false);
  assert.equal(tcp.msg?.answers.length, 40);
});

test('keepalive only on streams, applied to the session; padding only over TLS', async () => {
  const d = dispatcher(answerAll());
  const ka = { options: [{ code: OPTION.KEEPALIVE }] };
  const tcp = await ask(d, query('k.test', 'A', { opt: ka }), 'tcp');
  assert.equal(findOption(findOpt(tcp.msg!), OPTION.KEEPALIVE)?.timeout, 300);
  assert.equal(tcp.idle, 30_000);
  const udp = await ask(d, query('k.test', 'A', { opt: ka }), 'udp');
  assert.equal(findOption(findOpt(udp.msg!), OPTION.KEEPALIVE), undefined);
  const withTimeout = await ask(d, query('k.test', 'A', { opt: { options: [{ code: OPTION.KEEPALIVE, timeout: 5 }] } }), 'tcp');
  assert.equal(rcode(withTimeout.msg!), RCODE.FORMERR, 'RFC 7828 §3.3.1');
  const pad = { options: [{ code: OPTION.PADDING, length: 20 }] };
  const tls = await ask(d, query('p.test', 'A', { opt: pad }), 'tls');
  assert.equal(tls.raw!.length % 468, 0);
  assert.ok(findOption(findOpt(tls.msg!), OPTION.PADDING));
  const clear = await ask(d, query('p.test', 'A', { opt: pad }), 'tcp');
  assert.notEqual(clear.raw!.length % 468, 0);
  assert.equal(findOption(findOpt(clear.msg!), OPTION.PADDING), undefined, 'never padded in clear text');
  const unasked = await ask(d, query('p.test', 'A', { opt: {} }), 'tls');
  assert.equal(findOption(findOpt(unasked.msg!), OPTION.PADDING), undefined);
});

test('access control: first match wins; refuse answers REFUSED with EDE 18, deny drops', async () => {
  const d = dispatcher(answerAll(), [
    { prefix: '127.0.0.2/32', action: 'deny' },
    { prefix: '127.0.0.3', action: 'refuse' },
    { prefix: '127.0.0.0/8', action: 'allow' },
    { prefix: '::/0', action: 'deny' },
  ]);
  assert.equal((await ask(d, query('a.test'), 'udp', '127.0.0.2')).msg, undefined);
  const refused = (await ask(d, query('a.test', 'A', { opt: {} }), 'udp', '127.0.0.3')).msg!;
  assert.equal(rcode(refused), RCODE.REFUSED);
  assert.equal(readEde(findOption(findOpt(refused), OPTION.EDE)!)?.infoCode, 18);
  assert.equal(rcode((await ask(d, query('a.test'), 'udp', '::ffff:127.0.0.9')).msg!), 0, 'mapped IPv4 matches IPv4 rules');
  assert.equal((await ask(d, query('a.test'), 'udp', '::1')).msg, undefined);
  assert.equal(rcode((await ask(d, query('a.test'), 'udp', '192.0.2.1')).msg!), RCODE.REFUSED, 'unmatched: refused');
  const acl = new AccessControl([{ prefix: '2001:db8::/32', action: 'allow' }, { prefix: '10.1.0.0/16', action: 'deny' }]);
  assert.equal(acl.check('2001:db8:ffff::1'), 'allow');
  assert.equal(acl.check('2001:db9::1'), 'refuse');
  assert.equal(acl.check('10.1.255.1'), 'deny');
  assert.equal(acl.check('10.2.0.1'), 'refuse');
});

test('microcache: a second identical question is answered without the handler, ID and case patched; streams apart', async () => {
  let calls = 0;
  const handler: QueryHandler = (q) => { calls++; return answerAll()(q, new AbortController().signal); };
  const d = dispatcher(handler);
  await ask(d, query('cache.test', 'A', { id: 1 }));
  const second = await ask(d, query('CaChE.TeSt', 'A', { id: 2 }));
  assert.equal(calls, 1);
  assert.equal(second.msg?.id, 2);
  assert.equal(second.msg?.questions[0].name, 'CaChE.TeSt');
  assert.equal(d.stats().microcacheHits, 1);
  await ask(d, query('cache.test', 'A', { id: 3, opt: {} }));
  assert.equal(calls, 2, 'EDNS presence is part of the key');
  await ask(d, query('cache.test', 'AAAA', { id: 4 }));
  assert.equal(calls, 3, 'type is part of the key');
  const big = (n: number): Answer['answer'] => Array.from({ length: n }, (_, i) => ({ ...A_RECORD, name: 'big.test', data: `192.0.2.${i + 1}` }));
  let bigCalls = 0;
  const streams = dispatcher((q) => { bigCalls++; return answerAll({ answer: big(40) })(q, new AbortController().signal); });
  const udpBig = await ask(streams, query('big.test', 'A', { id: 5 }));
  assert.equal(has(udpBig.msg, FLAG.TC), true, '40 A records do not fit 512 octets');
  const tcpBig = await ask(streams, query('big.test', 'A', { id: 6 }), 'tcp');
  assert.equal(bigCalls, 2, 'a stream query never takes a UDP (truncated) reply');
  assert.equal(tcpBig.msg?.answers.length, 40);
  const tlsBig = await ask(streams, query('BIG.test', 'A', { id: 7 }), 'tls');
  assert.equal(bigCalls, 2, 'streams share their own entries: answered from the microcache');
  assert.deepEqual([tlsBig.msg?.id, tlsBig.msg?.questions[0].name, tlsBig.msg?.answers.length], [7, 'BIG.test', 40]);
  const ka = await ask(streams, query('big.test', 'A', { id: 8, opt: { options: [{ code: OPTION.KEEPALIVE }] } }), 'tcp');
  assert.equal(bigCalls, 3, 'a stream query with EDNS options takes the full path');
  assert.ok(findOption(findOpt(ka.msg!), OPTION.KEEPALIVE), 'and gets its keepalive option');
  const padded = await ask(streams, query('big.test', 'A', { id: 9, opt: { options: [{ code: OPTION.PADDING, length: 8 }] } }), 'tls');
  assert.equal(padded.raw!.length % 468, 0, 'and its padding');
  const uncacheable = dispatcher(answerAll({ cacheable: false }));
  await ask(uncacheable, query('n.test'));
  await ask(uncacheable, query('n.test'));
  assert.equal(uncacheable.stats().microcacheHits, 0);
});

test('handler failures become SERVFAIL with an EDE', async () => {
  const d = dispatcher(() => Promise.reject(new Error('boom')));
  const m = (await ask(d, query('fail.test', 'A', { opt: {} }))).msg!;
  assert.equal(rcode(m), RCODE.SERVFAIL);
  assert.ok(findOption(findOpt(m), OPTION.EDE));
  const sync = dispatcher(() => { throw new Error('sync boom'); });
  assert.equal(rcode((await ask(sync, query('fail.test'))).msg!), RCODE.SERVFAIL);
});

test('local zones in a chain before the refusing fallback', async () => {
  const zones = new LocalZones([
    { name: 'ward.test.', type: 'static', records: [
      'ward.test. 3600 IN SOA ns.ward.test. h.ward.test. 1 3600 900 604800 300',
      'www 300 IN A 192.0.2.80', 'web 300 IN CNAME www', 'alias 300 IN CNAME nothere', 'a.b.deep 300 IN TXT "x"',
    ] },
    { name: 'open.test', type: 'transparent', records: ['host.open.test. 60 IN A 192.0.2.9'] },
    { name: 'no.test', type: 'refuse', records: [] },
    { name: 'drop.test', type: 'deny', records: [] },
    { name: 'redir.test', type: 'redirect', records: ['redir.test. 60 IN A 192.0.2.7'] },
  ], 'test.yaml');
  const d = dispatcher(chainHandlers([zones.handler], answerAll({ authenticated: false })));
  const www = (await ask(d, query('WWW.ward.test'))).msg!;
  assert.equal(has(www, FLAG.AA), true);
  assert.deepEqual(www.answers.map((r) => (r as { data: string }).data), ['192.0.2.80']);
  const web = (await ask(d, query('web.ward.test'))).msg!;
  assert.deepEqual(web.answers.map((r) => r.type), ['CNAME', 'A']);
  const alias = (await ask(d, query('alias.ward.test'))).msg!;
  assert.equal(rcode(alias), RCODE.NXDOMAIN, 'CNAME to a missing name in a static zone');
  assert.deepEqual(alias.answers.map((r) => r.type), ['CNAME']);
  const nodata = (await ask(d, query('www.ward.test', 'MX'))).msg!;
  assert.equal(rcode(nodata), 0);
  assert.equal(nodata.answers.length, 0);
  assert.equal(nodata.authorities[0].type, 'SOA');
  assert.equal((nodata.authorities[0] as { ttl: number }).ttl, 300, 'negative TTL = min(SOA TTL, MINIMUM)');
  const nx = (await ask(d, query('nope.ward.test'))).msg!;
  assert.equal(rcode(nx), RCODE.NXDOMAIN);
  assert.equal(nx.authorities[0].type, 'SOA');
  assert.equal(rcode((await ask(d, query('b.deep.ward.test'))).msg!), 0, 'empty non-terminal: NODATA');
  assert.equal(rcode((await ask(d, query('host.open.test'))).msg!), 0);
  const passed = (await ask(d, query('other.open.test', 'A', { opt: {} }))).msg!;
  assert.equal(rcode(passed), RCODE.NOERROR);
  assert.deepEqual(passed.answers.map((r) => (r as { data: string }).data), [A_RECORD.data], 'transparent passes on to the next handler');
  assert.equal(has(passed, FLAG.AA), false, 'the next handler, not local data, answered');
  assert.equal(rcode((await ask(d, query('x.no.test'))).msg!), RCODE.REFUSED);
  assert.equal((await ask(d, query('x.drop.test'))).msg, undefined);
  const redir = (await ask(d, query('any.thing.redir.test'))).msg!;
  assert.equal(redir.answers[0].name, 'any.thing.redir.test');
  assert.equal((redir.answers[0] as { data: string }).data, '192.0.2.7');
  const synth = new LocalZones([{ name: 'empty.test', type: 'static', records: [] }]);
  const neg = synth.answer({ question: { name: 'a.empty.test', type: 'A', class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false }, peer: { address: '127.0.0.1', port: 1, transport: 'udp' } });
  assert.equal(neg?.rcode, RCODE.NXDOMAIN);
  assert.equal(neg?.authority[0].name, 'empty.test');
});

test('bad local zone records are config errors naming the record', () => {
  assert.throws(() => new LocalZones([{ name: 'z.test', type: 'static', records: ['www 300 IN A not-an-address'] }], 'f.yaml'),
    (e: Error) => /^f\.yaml: local_zones\[0\]\.records\[0\]: expected a record in zone-file syntax/.test(e.message));
  assert.throws(() => new LocalZones([{ name: 'z.test', type: 'static', records: ['www.other.test. 300 IN A 192.0.2.1'] }], 'f.yaml'),
    (e: Error) => /local_zones\[0\]\.records\[0\]: expected a record at or below z\.test\./.test(e.message));
});
