/**
 * Hostile authoritative servers on the wire, part 1: forged and poisoning replies (RFC 5452 §9.1
 * acceptance rules, RFC 2181 §5.4.1 bailiwick). Scripted servers (test/helpers/hostile-auth.ts) send
 * replies with a wrong message ID, a wrong question, from another address or port, and with
 * out-of-bailiwick records, with NS sets and addresses that would re-point a zone, and from a
 * recursion-lame server; Ward (in-process) must answer from proven data or SERVFAIL with an
 * Extended DNS Error, promptly, and cache nothing it was not entitled to (checked with RD=0 queries
 * and by asking victim names afterwards: their real server must be asked and its data returned).
 */
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { FLAG, encodeMessage, normalizeName, type Message } from '../../src/wire/index.js';
import { reply, rrs, serveZones, type HostileAuth, type Script } from '../helpers/hostile-auth.js';
import { rcodeName } from '../helpers/lab-query.js';
import {
  HostileWorld, answerTexts, assertNoPoison, assertNotCached, assertServfailEde, assertStillServes, timed, type Ward,
} from '../helpers/hostile-world.js';

describe('hostile authoritative servers: forged and out-of-bailiwick replies', { timeout: 60_000 }, () => {
  let world: HostileWorld;
  let victim: HostileAuth;
  let evil: HostileAuth;
  let spoofer: HostileAuth;
  /** Its address is the poison: any query it receives means Ward believed forged data. */
  let trap: HostileAuth;
  let poison: string;
  let ward: Ward | undefined;
  /** The evil.test zone served honestly; scripts misbehave for some names only. */
  let honestEvil: Script;

  before(async () => {
    world = await HostileWorld.start(0, 4);
    [victim, evil, spoofer, trap] = world.servers;
    poison = trap.address;
  });
  after(async () => { await world?.close(); });

  const setup = async (): Promise<Ward> => {
    world.reset();
    world.delegate(
      'victim.test. NS ns.victim.test.', `ns.victim.test. A ${victim.address}`,
      'evil.test. NS ns.evil.test.', `ns.evil.test. A ${evil.address}`,
    );
    victim.reset(serveZones(['victim.test'], rrs(
      'victim.test. NS ns.victim.test.', `ns.victim.test. A ${victim.address}`,
      'www.victim.test. A 192.0.2.3', 'www2.victim.test. A 192.0.2.33',
    )));
    honestEvil = serveZones(['evil.test'], rrs(
      'evil.test. NS ns.evil.test.', `ns.evil.test. A ${evil.address}`,
      ...['www', 'q1', 'q2', 'q3', 'only', 'spoof1', 'spoof2', 'spoof3', 'deep'].map((l) => `${l}.evil.test. A 192.0.2.4`),
    ));
    ward = await world.ward();
    return ward;
  };
  afterEach(async () => {
    if (ward) await assertStillServes(ward);
    assert.deepEqual(trap.received, [], 'Ward never sent a query to the poisoned address');
    await ward?.stop();
    ward = undefined;
  });

  /** Wraps the honest evil.test server: `misbehave` handles the names it returns a reply for. */
  const evilScript = (misbehave: (q: Message, right: Message, remote: { address: string; port: number }) => Message | Buffer | undefined | 'honest'): Script =>
    async (q, t, remote) => {
      const right = (await honestEvil(q, t, remote)) as Message;
      const out = misbehave(q, right, remote);
      return out === 'honest' ? right : out;
    };
  const qname = (q: Message): string => normalizeName(q.questions[0].name);
  const poisoned = (q: Message, right: Message): Message =>
    ({ ...right, answers: rrs(`${qname(q)}. A ${poison}`) } as Message);

  test('1. a reply with the wrong message ID is ignored', async () => {
    const w = await setup();
    evil.script = evilScript((q, right, remote) => {
      if (qname(q) === 'www.evil.test' && q.questions[0].type === 'A') {
        evil.sendUdp(encodeMessage({ ...poisoned(q, right), id: (q.id + 1) & 0xffff }), remote);
        return right;
      }
      if (qname(q) === 'only.evil.test') return { ...poisoned(q, right), id: (q.id ^ 0x5a5a) & 0xffff } as Message;
      return 'honest';
    });
    assert.deepEqual(answerTexts(await w.ask('www.evil.test', 'A')), ['www.evil.test A 192.0.2.4']);
    const { ms, value } = await timed(() => w.ask('only.evil.test', 'A'));
    assertServfailEde(value, 'only wrong IDs');
    assert.ok(ms < 2_000, `SERVFAIL took ${Math.round(ms)} ms`);
    await assertNotCached(w, 'only.evil.test', 'A');
  });

  test('2. a reply with the wrong question (name or type) is ignored', async () => {
    const w = await setup();
    evil.script = evilScript((q, right, remote) => {
      const name = qname(q);
      if (name === 'q1.evil.test' && q.questions[0].type === 'A') {
        evil.sendUdp(encodeMessage(reply(q, { aa: true, question: { name: 'www.victim.test', type: 'A' }, answers: rrs(`www.victim.test. A ${poison}`) })), remote);
        return right;
      }
      if (name === 'q2.evil.test') return reply(q, { aa: true, question: { name: 'q2.evil.test', type: 'AAAA' }, answers: rrs(`q2.evil.test. A ${poison}`) });
      if (name === 'q3.evil.test') return reply(q, { aa: true, question: { name: 'q3x.evil.test', type: 'A' }, answers: rrs(`q3.evil.test. A ${poison}`) });
      return 'honest';
    });
    assert.deepEqual(answerTexts(await w.ask('q1.evil.test', 'A')), ['q1.evil.test A 192.0.2.4']);
    for (const name of ['q2.evil.test', 'q3.evil.test']) {
      const { ms, value } = await timed(() => w.ask(name, 'A'));
      assertServfailEde(value, name);
      assert.ok(ms < 2_000, `${name}: SERVFAIL took ${Math.round(ms)} ms`);
      await assertNotCached(w, name, 'A');
    }
    await assertNotCached(w, 'www.victim.test', 'A');
    assert.deepEqual(answerTexts(await w.ask('www.victim.test', 'A')), ['www.victim.test A 192.0.2.3']);
    assert.equal(victim.count('www.victim.test', 'A'), 1, 'the victim server was asked');
  });

  test('3. a reply from another address or port is ignored', async () => {
    const w = await setup();
    const otherPort = createSocket('udp4');
    await new Promise<void>((resolve) => otherPort.bind(5353, evil.address, () => resolve()));
    try {
      evil.script = evilScript((q, right, remote) => {
        const name = qname(q);
        if (name === 'spoof1.evil.test') { spoofer.sendUdp(encodeMessage(poisoned(q, right)), remote); return undefined; }
        if (name === 'spoof2.evil.test' && q.questions[0].type === 'A') {
          spoofer.sendUdp(encodeMessage(poisoned(q, right)), remote);
          return right;
        }
        if (name === 'spoof3.evil.test') { otherPort.send(encodeMessage(poisoned(q, right)), remote.port, remote.address); return undefined; }
        return 'honest';
      });
      assert.deepEqual(answerTexts(await w.ask('spoof2.evil.test', 'A')), ['spoof2.evil.test A 192.0.2.4']);
      for (const name of ['spoof1.evil.test', 'spoof3.evil.test']) {
        const { ms, value } = await timed(() => w.ask(name, 'A'));
        assertServfailEde(value, name);
        assert.ok(ms < 2_000, `${name}: SERVFAIL took ${Math.round(ms)} ms`);
        await assertNotCached(w, name, 'A');
      }
      assert.equal(spoofer.received.length, 0, 'Ward never asked the spoofing address');
    } finally {
      otherPort.close();
    }
  });

  test('4. out-of-bailiwick answer, authority and additional records are not cached', async () => {
    const w = await setup();
    evil.script = evilScript((q, right) => {
      const name = qname(q);
      if (name === 'www.evil.test' && q.questions[0].type === 'A') {
        return {
          ...right,
          answers: [...right.answers, ...rrs(`www.victim.test. A ${poison}`, `ok.test. A ${poison}`)],
          authorities: rrs('victim.test. NS ns.evil.test.', 'test. NS ns.evil.test.', 'evil.test. NS ns.victim.test.'),
          additionals: rrs(`ns.evil.test. A ${evil.address}`, `ns.victim.test. A ${poison}`, `www2.victim.test. A ${poison}`),
        } as Message;
      }
      if (name === 'alias.evil.test') {
        return reply(q, { aa: true, answers: rrs('alias.evil.test. CNAME www2.victim.test.', `www2.victim.test. A ${poison}`) });
      }
      if (name === 'deep.evil.test') {
        // A referral that tries to take over the TLD and the victim's zone.
        return reply(q, {
          authorities: rrs('test. NS ns.evil.test.', 'victim.test. NS ns.evil.test.'),
          additionals: rrs(`ns.evil.test. A ${evil.address}`, `ns.test. A ${evil.address}`),
        });
      }
      return 'honest';
    });
    assert.deepEqual(answerTexts(await w.ask('www.evil.test', 'A')), ['www.evil.test A 192.0.2.4']);
    assert.deepEqual(answerTexts(await w.ask('alias.evil.test', 'A')),
      ['alias.evil.test CNAME www2.victim.test', 'www2.victim.test A 192.0.2.33'], 'the CNAME target comes from its own zone');
    assertServfailEde(await w.ask('deep.evil.test', 'A'), 'an upward referral (lame)');
    await assertNotCached(w, 'www.victim.test', 'A');
    // evil.test may name ns.victim.test as its server; then its address is looked up, from victim.test.
    await assertNoPoison(w, 'ns.victim.test', 'A', poison);
    await assertNoPoison(w, 'ok.test', 'A', poison);
    // evil.test's servers are now ns.victim.test: its address must come from victim.test, not the poison glue.
    const other = await w.ask('other.evil.test', 'A');
    assert.ok(['NOERROR', 'NXDOMAIN', 'SERVFAIL'].includes(rcodeName(other)), rcodeName(other));
    assert.ok(!answerTexts(other).some((t) => t.endsWith(poison)), 'no poison in the answer');
    assert.deepEqual(answerTexts(await w.ask('www.victim.test', 'A')), ['www.victim.test A 192.0.2.3']);
    assert.equal(victim.count('www.victim.test', 'A'), 1, 'the victim server was asked');
    const victimAskedOfEvil = evil.received.filter((r) => r.name.endsWith('victim.test') || r.name === 'ok.test');
    assert.deepEqual(victimAskedOfEvil, [], 'no victim name was sent to the evil server');
  });

  test('4c. answers that carry another NS set or another server address do not re-point the zone', async () => {
    const w = await setup();
    evil.script = evilScript((q, right) => {
      const name = qname(q);
      // Not authoritative, with an NS set for evil.test. naming a server at the poisoned address.
      if (name === 'q1.evil.test') {
        return {
          ...right, flags: right.flags & ~FLAG.AA,
          authorities: rrs('evil.test. NS ns.trap.evil.test.'), additionals: rrs(`ns.trap.evil.test. A ${poison}`),
        } as Message;
      }
      // Authoritative, with another address for the zone's own server.
      if (name === 'q2.evil.test') return { ...right, authorities: rrs('evil.test. NS ns.evil.test.'), additionals: rrs(`ns.evil.test. A ${poison}`) } as Message;
      return 'honest';
    });
    for (const name of ['q1.evil.test', 'q2.evil.test']) assert.deepEqual(answerTexts(await w.ask(name, 'A')), [`${name} A 192.0.2.4`]);
    // Later questions still go to evil.test's real server (the trap must stay unasked: afterEach).
    assert.deepEqual(answerTexts(await w.ask('www.evil.test', 'A')), ['www.evil.test A 192.0.2.4']);
    assert.deepEqual(answerTexts(await w.ask('q3.evil.test', 'A')), ['q3.evil.test A 192.0.2.4']);
  });

  test('4d. a recursion-lame server (RA without AA) is passed over for the zone\'s real server', async () => {
    const w = await setup();
    world.delegate(
      'victim.test. NS ns.victim.test.', `ns.victim.test. A ${victim.address}`,
      'evil.test. NS ns.evil.test.', `ns.evil.test. A ${evil.address}`,
      'both.test. NS ns1.both.test.', 'both.test. NS ns2.both.test.',
      `ns1.both.test. A ${spoofer.address}`, `ns2.both.test. A ${victim.address}`,
    );
    victim.reset(serveZones(['victim.test', 'both.test'], rrs(
      'victim.test. NS ns.victim.test.', `ns.victim.test. A ${victim.address}`, 'www.victim.test. A 192.0.2.3',
      'both.test. NS ns1.both.test.', 'both.test. NS ns2.both.test.', `ns1.both.test. A ${spoofer.address}`,
      `ns2.both.test. A ${victim.address}`, 'www.both.test. A 192.0.2.5', 'mail.both.test. A 192.0.2.6',
    )));
    // The recursive server answers everything from its "cache", with the poisoned address.
    spoofer.script = (q) => ({ ...reply(q, { answers: rrs(`${qname(q)}. A ${poison}`) }), flags: FLAG.QR | FLAG.RA | (q.flags & FLAG.RD) } as Message);
    for (const name of ['www.both.test', 'mail.both.test']) {
      const answer = await w.ask(name, 'A');
      assert.deepEqual(answerTexts(answer), [`${name} A 192.0.2.${name.startsWith('www') ? 5 : 6}`], name);
    }
    await assertNoPoison(w, 'www.both.test', 'A', poison);
  });

  test('4b. a negative answer after a CNAME into another zone does not deny that zone\'s name', async () => {
    const w = await setup();
    const soa = 'evil.test. 3600 SOA ns.evil.test. hostmaster.evil.test. 1 3600 600 86400 3600';
    evil.script = evilScript((q) => {
      const name = qname(q);
      // NXDOMAIN (and, RFC 8020, everything below) claimed for the CNAME's target in victim.test.
      if (name === 'nx.evil.test') return reply(q, { aa: true, rcode: 3, answers: rrs('nx.evil.test. CNAME www.victim.test.'), authorities: rrs(soa) });
      if (name === 'nd.evil.test') return reply(q, { aa: true, answers: rrs('nd.evil.test. CNAME www2.victim.test.'), authorities: rrs(soa) });
      return 'honest';
    });
    assert.deepEqual(answerTexts(await w.ask('nx.evil.test', 'A')), ['nx.evil.test CNAME www.victim.test', 'www.victim.test A 192.0.2.3']);
    assert.deepEqual(answerTexts(await w.ask('nd.evil.test', 'A')), ['nd.evil.test CNAME www2.victim.test', 'www2.victim.test A 192.0.2.33']);
    const direct = await w.ask('www.victim.test', 'A');
    assert.equal(rcodeName(direct), 'NOERROR');
    assert.deepEqual(answerTexts(direct), ['www.victim.test A 192.0.2.3']);
    assert.equal(victim.count('www.victim.test', 'A'), 1, 'the victim server answered for its own name');
  });
});
