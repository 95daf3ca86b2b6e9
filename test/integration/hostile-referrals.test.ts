/**
 * Hostile authoritative servers on the wire, part 2: referrals built to make a resolver loop or do
 * unbounded work (cf. RFC 9156 §2.3, the NXNS attack, Unbound's iterator limits). Referral
 * ping-pong between two zones, an NS-name dependency cycle, an endless delegation chain, a referral
 * fanning out to 50 glueless NS names, and a huge referral (400 NS + 400 glue) sent with TC=1 over
 * UDP and in full over TCP. Ward must SERVFAIL with an Extended DNS Error or answer, promptly, within
 * its work budget (counted as queries received by the scripted servers), and keep serving.
 */
import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '../../src/resolver/index.js';
import { isSubdomain, normalizeName, type Message } from '../../src/wire/index.js';
import { UdpSink, reply, rrs, serveZones, type HostileAuth } from '../helpers/hostile-auth.js';
import { answerTexts, assertServfailEde, timed, useHostileWorld } from '../helpers/hostile-world.js';

/** What "promptly" means for a failure that needs no timeout. */
const PROMPT_MS = 2_000;

describe('hostile authoritative servers: referral loops and fan-out', { timeout: 60_000 }, () => {
  const fixture = useHostileWorld(20, 3);
  const { fresh } = fixture;
  let s1: HostileAuth;
  let s2: HostileAuth;
  let s3: HostileAuth;
  before(() => { [s1, s2, s3] = fixture.world.servers; });
  const qname = (q: Message): string => normalizeName(q.questions[0].name);
  const allQueries = (): number => [fixture.world.root, fixture.world.tld, ...fixture.world.servers].reduce((n, s) => n + s.received.length, 0);

  test('5a. a referral ping-pong between two zones ends quickly in SERVFAIL', async () => {
    const w = await fresh('a.test. NS ns.a.test.', `ns.a.test. A ${s1.address}`, 'b.test. NS ns.b.test.', `ns.b.test. A ${s2.address}`);
    const honestB = serveZones(['b.test'], rrs('b.test. NS ns.b.test.', `ns.b.test. A ${s2.address}`));
    // a.test sends www.a.test to the servers of b.test; they send it back to a.test.
    s1.script = (q) => (qname(q) === 'a.test'
      ? reply(q, { aa: true, answers: rrs('a.test. NS ns.a.test.') })
      : reply(q, { authorities: rrs(`${qname(q)}. NS ns.b.test.`) }));
    s2.script = (q, t, r) => (isSubdomain(qname(q), 'a.test')
      ? reply(q, { authorities: rrs('a.test. NS ns.a.test.'), additionals: rrs(`ns.a.test. A ${s1.address}`) })
      : honestB(q, t, r));
    const { ms, value } = await timed(() => w.ask('www.a.test', 'A'));
    assertServfailEde(value, 'referral ping-pong');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(allQueries() <= LIMITS.maxQueries + 2, `${allQueries()} queries sent`);
  });

  test('5b. an NS-name dependency cycle (a.test served by ns.b.test and back, no glue) fails quickly', async () => {
    const w = await fresh('c1.test. NS ns.c2.test.', 'c2.test. NS ns.c1.test.');
    const { ms, value } = await timed(() => w.ask('www.c1.test', 'A'));
    assertServfailEde(value, 'dependency cycle');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(allQueries() <= LIMITS.maxQueries, `${allQueries()} queries sent`);
  });

  test('5c. an endless delegation chain (each reply refers one label deeper) stays within the budget', async () => {
    const w = await fresh('deep.test. NS ns.deep.test.', `ns.deep.test. A ${s1.address}`);
    // Every name below deep.test is delegated to itself, with glue pointing back here.
    s1.script = (q) => reply(q, {
      authorities: rrs(`${qname(q)}. NS ns.${qname(q)}.`), additionals: rrs(`ns.${qname(q)}. A ${s1.address}`),
    });
    const name = `${Array.from({ length: 40 }, (_, i) => `l${i}`).join('.')}.deep.test`;
    const { ms, value } = await timed(() => w.ask(name, 'A'));
    assertServfailEde(value, 'endless delegation');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(s1.received.length <= LIMITS.maxQueries, `${s1.received.length} queries to the looping server`);
  });

  test('6. NXNS: a referral to 50 glueless NS names resolves at most the budgeted number of them', async () => {
    const w = await fresh('nxns.test. NS ns.nxns.test.', `ns.nxns.test. A ${s1.address}`,
      'sink.test. NS ns.sink.test.', `ns.sink.test. A ${s2.address}`);
    const names = Array.from({ length: 50 }, (_, i) => `n${i}.sink.test.`);
    s1.script = (q) => {
      const name = qname(q);
      if (name === 'nxns.test') return reply(q, { aa: true, answers: rrs('nxns.test. NS ns.nxns.test.') });
      const cut = name.split('.').slice(-3).join('.');
      return reply(q, { authorities: rrs(...names.map((n) => `${cut}. NS ${n}`)) });
    };
    s2.script = serveZones(['sink.test'], rrs('sink.test. NS ns.sink.test.', `ns.sink.test. A ${s2.address}`));
    const { ms, value } = await timed(() => w.ask('www.nxns.test', 'A'));
    assertServfailEde(value, 'NXNS referral');
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    const looked = new Set(s2.received.map((r) => r.name).filter((n) => /^n\d+\.sink\.test$/.test(n)));
    assert.ok(looked.size > 0, 'some NS names were looked up');
    assert.ok(looked.size <= LIMITS.maxTargetsPerDelegation,
      `${looked.size} NS names looked up, the budget is ${LIMITS.maxTargetsPerDelegation}`);
    assert.ok(allQueries() <= LIMITS.maxQueries + 2, `${allQueries()} queries sent`);
  });

  test('7. a huge referral (400 NS and glue; TC=1 over UDP, in full over TCP) is followed with bounded work', async () => {
    const w = await fresh('huge.test. NS ns.huge.test.', `ns.huge.test. A ${s1.address}`);
    const ns = Array.from({ length: 400 }, (_, i) => `ns${i}.sub.huge.test.`);
    const referral = rrs(...ns.map((n) => `sub.huge.test. NS ${n}`));
    const glue = rrs(...ns.map((n) => `${n} A ${s3.address}`));
    s1.script = (q, transport) => {
      if (transport === 'udp') return reply(q, { tc: true });
      if (qname(q) === 'huge.test') return reply(q, { aa: true, answers: rrs('huge.test. NS ns.huge.test.') });
      return reply(q, { authorities: referral, additionals: glue });
    };
    s3.script = serveZones(['sub.huge.test'], rrs(...referral.map((rr) => `sub.huge.test. NS ${String((rr as { data?: unknown }).data)}.`),
      'www.sub.huge.test. A 192.0.2.7'));
    const { ms, value } = await timed(() => w.ask('www.sub.huge.test', 'A'));
    assert.deepEqual(answerTexts(value), ['www.sub.huge.test A 192.0.2.7']);
    assert.ok(ms < PROMPT_MS, `took ${Math.round(ms)} ms`);
    assert.ok(s1.received.some((r) => r.transport === 'tcp'), 'the truncated referral was fetched over TCP');
    assert.ok(s3.received.length <= 3, `${s3.received.length} queries to the child servers`);
    assert.ok(allQueries() <= LIMITS.maxQueries, `${allQueries()} queries sent`);
  });

  test('7b. a huge referral whose 200 glue addresses are all dead: at most LIMITS.maxTimeouts tries', async () => {
    const w = await fresh('dead.test. NS ns.dead.test.', `ns.dead.test. A ${s1.address}`);
    const addresses = Array.from({ length: 200 }, (_, i) => `127.53.10.${i + 1}`);
    const sink = await UdpSink.start(addresses);
    try {
      const ns = addresses.map((_, i) => `ns${i}.sub.dead.test.`);
      s1.script = (q) => (qname(q) === 'dead.test'
        ? reply(q, { aa: true, answers: rrs('dead.test. NS ns.dead.test.') })
        : reply(q, { authorities: rrs(...ns.map((n) => `sub.dead.test. NS ${n}`)), additionals: rrs(...ns.map((n, i) => `${n} A ${addresses[i]}`)) }));
      const { ms, value } = await timed(() => w.ask('www.sub.dead.test', 'A', { timeoutMs: LIMITS.deadlineMs + 3_000 }));
      assertServfailEde(value, 'all glue dead');
      // Each try waits for the 300 ms upstream timeout.
      assert.ok(ms < LIMITS.maxTimeouts * 300 + 1_500, `took ${Math.round(ms)} ms`);
      assert.ok(sink.received > 0 && sink.received <= LIMITS.maxTimeouts + 1, `${sink.received} queries to dead addresses`);
    } finally {
      await sink.close();
    }
  });
});
