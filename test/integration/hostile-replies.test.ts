/**
 * Hostile authoritative servers on the wire, part 3: broken replies, CNAME abuse and transport
 * tricks. Garbage as a reply (random bytes, a header only, a cut-off message, compression pointer
 * loops, counts that lie, a name past its RDLENGTH: RFC 1035 §4.1.4, §3.2.1) must make Ward treat the server as broken and try the
 * next one, or SERVFAIL with an Extended DNS Error; an A record of the wrong length is dropped and the rest of the
 * reply used (Unbound's scrub_sanitize_rr_length); CNAME loops across two zones and chains longer
 * than the budget must SERVFAIL; a server that sets TC=1 on every UDP reply (RFC 7766 §5), or
 * answers only over TCP, must be asked over TCP (the latter on the first client query already).
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { LIMITS } from '../../src/resolver/index.js';
import { encodeMessage, normalizeName, type Message } from '../../src/wire/index.js';
import { reply, rrs, serveZones, type HostileAuth } from '../helpers/hostile-auth.js';
import { aRdlength3ThenA, cnamePastName } from '../helpers/lying-rdlength.js';
import { answerTexts, assertServfailEde, timed, useHostileWorld } from '../helpers/hostile-world.js';

/** A failure may wait for one upstream timeout (300 ms) per try; well under this. */
const PROMPT_MS = 2_000;

/** The question section of `q` as bytes (uncompressed). */
function questionBytes(q: Message): Buffer {
  return encodeMessage({ ...q, additionals: [] }).subarray(12);
}

function header(id: number, counts: [number, number, number, number]): Buffer {
  const h = Buffer.alloc(12);
  h.writeUInt16BE(id, 0);
  h.writeUInt16BE(0x8400, 2); // QR, AA
  counts.forEach((c, i) => h.writeUInt16BE(c, 4 + 2 * i));
  return h;
}

/** Kinds of garbage, each made for the query it answers. */
const GARBAGE: { [kind: string]: (q: Message) => Buffer } = {
  'random bytes': () => randomBytes(64),
  'our ID, random body': (q) => Buffer.concat([header(q.id, [1, 1, 0, 0]), randomBytes(40)]),
  'a header only': (q) => header(q.id, [1, 1, 0, 0]),
  'cut off inside an answer': (q) => {
    const whole = encodeMessage(reply(q, { aa: true, answers: rrs(`${q.questions[0].name}. A 6.6.6.6`) }));
    return whole.subarray(0, whole.length - 3);
  },
  'a compression pointer loop': (q) => {
    const question = questionBytes(q);
    const at = 12 + question.length; // the answer's owner name points at itself
    const answer = Buffer.from([0xc0 | (at >> 8), at & 0xff, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 6, 6, 6, 6]);
    return Buffer.concat([header(q.id, [1, 1, 0, 0]), question, answer]);
  },
  'a question that points at itself': (q) => Buffer.concat([header(q.id, [1, 0, 0, 0]), Buffer.from([0xc0, 12, 0, 1, 0, 1])]),
  'the query echoed back (QR clear)': (q) => encodeMessage(q),
  'counts that lie': (q) => Buffer.concat([header(q.id, [1, 0xffff, 0xffff, 0]), questionBytes(q)]),
  'a CNAME whose name runs past its RDLENGTH': (q) => cnamePastName(q.id, questionBytes(q)),
};

describe('hostile authoritative servers: garbage, CNAME abuse, TCP', { timeout: 60_000 }, () => {
  const fixture = useHostileWorld(40, 3);
  const { fresh } = fixture;
  let s1: HostileAuth;
  let s2: HostileAuth;
  let s3: HostileAuth;
  before(() => { [s1, s2, s3] = fixture.world.servers; });

  for (const [kind, make] of Object.entries(GARBAGE)) {
    test(`8. garbage as a reply (${kind}): the next server is tried, or SERVFAIL`, async () => {
      // bad.test has only the garbage server; mixed.test lists it (with glue, so it is asked
      // first) and an honest server whose address must be looked up.
      const w = await fresh(
        'bad.test. NS ns.bad.test.', `ns.bad.test. A ${s1.address}`,
        'mixed.test. NS ns.mixed.test.', 'mixed.test. NS ns.honest.test.', `ns.mixed.test. A ${s1.address}`,
        'honest.test. NS ns.honest.test.', `ns.honest.test. A ${s2.address}`,
      );
      s1.script = (q) => make(q);
      s2.script = serveZones(['mixed.test', 'honest.test'], rrs('mixed.test. NS ns.mixed.test.', 'mixed.test. NS ns.honest.test.',
        `ns.mixed.test. A ${s1.address}`, 'www.mixed.test. A 192.0.2.8', 'honest.test. NS ns.honest.test.', `ns.honest.test. A ${s2.address}`));
      const bad = await timed(() => w.ask('www.bad.test', 'A'));
      assertServfailEde(bad.value, kind);
      assert.ok(bad.ms < PROMPT_MS, `SERVFAIL took ${Math.round(bad.ms)} ms`);
      assert.ok(s1.count('www.bad.test') >= 1, 'the garbage server was asked');
      const mixed = await timed(() => w.ask('www.mixed.test', 'A'));
      assert.deepEqual(answerTexts(mixed.value), ['www.mixed.test A 192.0.2.8']);
      assert.ok(mixed.ms < PROMPT_MS, `the answer took ${Math.round(mixed.ms)} ms`);
      assert.ok(s1.count('www.mixed.test') >= 1, 'the garbage server was asked first');
    });
  }

  test('8b. an A record of the wrong length before an honest one: only the honest one is answered', async () => {
    const w = await fresh('short.test. NS ns.short.test.', `ns.short.test. A ${s1.address}`);
    s1.script = (q) => aRdlength3ThenA(q.id, questionBytes(q), '192.0.2.9');
    assert.deepEqual(answerTexts(await w.ask('www.short.test', 'A')), ['www.short.test A 192.0.2.9']);
  });

  test('9a. a CNAME loop across two zones, and one inside a zone, end in SERVFAIL', async () => {
    const w = await fresh('cn1.test. NS ns.cn1.test.', `ns.cn1.test. A ${s1.address}`, 'cn2.test. NS ns.cn2.test.', `ns.cn2.test. A ${s2.address}`);
    s1.script = serveZones(['cn1.test'], rrs('loop.cn1.test. CNAME loop.cn2.test.', 'self.cn1.test. CNAME self.cn1.test.'));
    s2.script = serveZones(['cn2.test'], rrs('loop.cn2.test. CNAME loop.cn1.test.'));
    for (const name of ['loop.cn1.test', 'self.cn1.test', 'loop.cn1.test']) {
      const { ms, value } = await timed(() => w.ask(name, 'A'));
      assertServfailEde(value, name);
      assert.ok(ms < PROMPT_MS, `${name}: took ${Math.round(ms)} ms`);
    }
    assert.ok(s1.count('loop.cn1.test', 'A') <= 2, 'the loop is not followed again and again');
  });

  test('9b. CNAME chains longer than the budget (across replies, and in one reply) end in SERVFAIL', async () => {
    const w = await fresh('cn1.test. NS ns.cn1.test.', `ns.cn1.test. A ${s1.address}`, 'cn2.test. NS ns.cn2.test.',
      `ns.cn2.test. A ${s2.address}`, 'cn3.test. NS ns.cn3.test.', `ns.cn3.test. A ${s3.address}`);
    const links = LIMITS.maxCnameChain + 8;
    // c0.cn1 → c1.cn2 → c2.cn1 → ...: every link in another zone, one reply per link.
    const zoneOf = (i: number): string => (i % 2 === 0 ? 'cn1.test' : 'cn2.test');
    const chain = Array.from({ length: links }, (_, i) => `c${i}.${zoneOf(i)}. CNAME c${i + 1}.${zoneOf(i + 1)}.`);
    const end = `c${links}.${zoneOf(links)}. A 192.0.2.9`;
    s1.script = serveZones(['cn1.test'], rrs(...chain, end, 'short0.cn1.test. CNAME short1.cn2.test.', 'short2.cn1.test. A 192.0.2.10'));
    s2.script = serveZones(['cn2.test'], rrs(...chain, end, 'short1.cn2.test. CNAME short2.cn1.test.'));
    // cn3.test sends the whole long chain in one reply.
    const inOne = rrs(...Array.from({ length: links }, (_, i) => `l${i}.cn3.test. CNAME l${i + 1}.cn3.test.`), `l${links}.cn3.test. A 192.0.2.11`);
    s3.script = (q) => reply(q, { aa: true, answers: inOne.filter((rr) => normalizeName(rr.name) !== 'cn3.test') });
    assert.deepEqual(answerTexts(await w.ask('short0.cn1.test', 'A')),
      ['short0.cn1.test CNAME short1.cn2.test', 'short1.cn2.test CNAME short2.cn1.test', 'short2.cn1.test A 192.0.2.10'],
      'a short chain across zones is followed');
    for (const name of ['c0.cn1.test', 'l0.cn3.test']) {
      const { ms, value } = await timed(() => w.ask(name, 'A'));
      assertServfailEde(value, name);
      assert.ok(ms < PROMPT_MS, `${name}: took ${Math.round(ms)} ms`);
    }
    const asked = s1.received.length + s2.received.length;
    assert.ok(asked <= LIMITS.maxCnameChain + 6, `${asked} queries for the long chain`);
  });

  test('10a. TC=1 on every UDP reply: Ward asks again over TCP and answers', async () => {
    const w = await fresh('tc.test. NS ns.tc.test.', `ns.tc.test. A ${s1.address}`);
    const honest = serveZones(['tc.test'], rrs('tc.test. NS ns.tc.test.', `ns.tc.test. A ${s1.address}`, 'www.tc.test. A 192.0.2.12'));
    s1.script = (q, transport, remote) => (transport === 'udp' ? reply(q, { tc: true, aa: true, answers: rrs('www.tc.test. A 6.6.6.6') }) : honest(q, transport, remote));
    const { ms, value } = await timed(() => w.ask('www.tc.test', 'A'));
    assert.deepEqual(answerTexts(value), ['www.tc.test A 192.0.2.12'], 'the truncated UDP data is not used');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(s1.received.some((r) => r.transport === 'tcp' && r.name === 'www.tc.test'), 'asked over TCP');
  });

  test('10c. TC=1 over UDP and silence over TCP: SERVFAIL promptly', async () => {
    const w = await fresh('tcdead.test. NS ns.tcdead.test.', `ns.tcdead.test. A ${s1.address}`);
    s1.script = (q, transport) => (transport === 'udp' ? reply(q, { tc: true }) : undefined);
    const { ms, value } = await timed(() => w.ask('www.tcdead.test', 'A'));
    assertServfailEde(value, 'TCP silent');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(s1.received.some((r) => r.transport === 'tcp'), 'asked over TCP');
  });

  test('10d. a TCP reply cut off inside its frame does not stall later queries to the server', async () => {
    const w = await fresh('stall.test. NS ns.stall.test.', `ns.stall.test. A ${s1.address}`);
    const honest = serveZones(['stall.test'], rrs('stall.test. NS ns.stall.test.', `ns.stall.test. A ${s1.address}`,
      'one.stall.test. A 192.0.2.15', 'two.stall.test. A 192.0.2.16'));
    s1.script = (q, transport, remote) => {
      if (transport === 'udp') return reply(q, { tc: true });
      // A length prefix announcing 1000 octets, then 12 of them: the stream is left mid-frame.
      if (normalizeName(q.questions[0].name) === 'one.stall.test') return { raw: Buffer.concat([Buffer.from([0x03, 0xe8]), Buffer.alloc(12)]) };
      return honest(q, transport, remote);
    };
    assertServfailEde(await w.ask('one.stall.test', 'A'), 'cut-off frame');
    const { ms, value } = await timed(() => w.ask('two.stall.test', 'A'));
    assert.deepEqual(answerTexts(value), ['two.stall.test A 192.0.2.16'], 'the next query gets a clean stream');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
  });

  test('10b. a server silent over UDP that answers over TCP: the first query is answered over TCP, and it is remembered', async () => {
    const w = await fresh('tcponly.test. NS ns.tcponly.test.', `ns.tcponly.test. A ${s1.address}`);
    const honest = serveZones(['tcponly.test'], rrs('tcponly.test. NS ns.tcponly.test.', `ns.tcponly.test. A ${s1.address}`,
      'www.tcponly.test. A 192.0.2.13', 'two.tcponly.test. A 192.0.2.14'));
    s1.script = (q, transport, remote) => (transport === 'udp' ? undefined : honest(q, transport, remote));
    // The only server stays silent over UDP: the same client query asks it again without EDNS, then over TCP.
    const first = await timed(() => w.ask('www.tcponly.test', 'A'));
    assert.deepEqual(answerTexts(first.value), ['www.tcponly.test A 192.0.2.13'], 'the first query is answered');
    assert.ok(first.ms < PROMPT_MS, `took ${Math.round(first.ms)} ms`);
    assert.deepEqual(s1.received.map((r) => `${r.name} ${r.transport}${r.edns ? ' EDNS' : ''}`),
      ['www.tcponly.test udp EDNS', 'www.tcponly.test udp', 'www.tcponly.test tcp EDNS'], 'the queries the server saw');
    const second = await timed(() => w.ask('two.tcponly.test', 'A'));
    assert.deepEqual(answerTexts(second.value), ['two.tcponly.test A 192.0.2.14']);
    assert.ok(second.ms < 250, `the second name took ${Math.round(second.ms)} ms (no UDP timeout)`);
    assert.equal(s1.received.filter((r) => r.transport === 'udp').length, 2, 'remembered: TCP first');
  });

  test('10e. a server silent over UDP and TCP: SERVFAIL promptly, and TCP is tried once, not per query', async () => {
    const w = await fresh('dead.test. NS ns.dead.test.', `ns.dead.test. A ${s1.address}`);
    const first = await timed(() => w.ask('www.dead.test', 'A'));
    assertServfailEde(first.value, 'dead server');
    assert.ok(first.ms < PROMPT_MS, `took ${Math.round(first.ms)} ms`);
    assert.deepEqual(s1.received.map((r) => `${r.transport}${r.edns ? ' EDNS' : ''}`), ['udp EDNS', 'udp', 'tcp EDNS'],
      'one more UDP try and one TCP try after the silence');
    assertServfailEde(await w.ask('two.dead.test', 'A'), 'dead server, again');
    assert.equal(s1.received.filter((r) => r.transport === 'tcp').length, 1, 'no second TCP try');
  });
});
