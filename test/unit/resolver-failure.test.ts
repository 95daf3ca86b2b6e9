/** The engine when servers misbehave: lame, dead, loops, NXNS fan-out, localhost; every SERVFAIL has an EDE. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LIMITS } from '../../src/resolver/index.js';
import { ROOT, harness, show, zone } from './resolver-fake-net.js';
import type { Server } from './resolver-fake-net.js';
import { EXAMPLE_TEST, standardServers, testZoneWith } from './resolver-zones.js';

/** test. delegating example.test. to `first` (misbehaving) then to the good server 10.0.3.1. */
function twoServers(first: Server): { [addr: string]: Server } {
  const test = testZoneWith(`
    example.test. 86400 NS bad.example.test.
    example.test. 86400 NS ns1.example.test.
    bad.example.test. 86400 A 10.0.3.9
    ns1.example.test. 86400 A 10.0.3.1`);
  return { ...standardServers(), '10.0.1.1': { zones: [test] }, '10.0.3.9': first };
}

test('a lame server is skipped for the next one', async () => {
  const h = harness(twoServers({ zones: [], behaviour: 'lame' }));
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(h.net.count('www.example.test', 'A', '10.0.3.9'), 1);
  assert.equal(h.net.count('www.example.test', 'A', '10.0.3.1'), 1);
  assert.ok(h.net.lame.has('example.test|10.0.3.9'), 'lameness reported to the upstream');
});

test('a server answering SERVFAIL is skipped for the next one', async () => {
  const h = harness(twoServers({ zones: [], behaviour: 'servfail' }));
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
});

test('a dead server (timeout) is skipped, and tried last afterwards', async () => {
  const h = harness(twoServers({ zones: [], behaviour: 'dead' }));
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(h.net.count('www.example.test', 'A', '10.0.3.9'), 1);
  const again = await h.ask('mail.example.test');
  assert.equal(again.rcode, 3);
  assert.equal(h.net.count('mail.example.test', 'A', '10.0.3.9'), 0, 'the upstream selection is followed');
});

test('all servers dead: SERVFAIL with EDE 22 No Reachable Authority', async () => {
  const h = harness({ ...standardServers(), '10.0.3.1': { zones: [], behaviour: 'dead' } });
  const r = await h.ask('www.example.test');
  assert.equal(r.rcode, 2);
  assert.equal(r.ede?.[0].infoCode, 22);
});

test('a server referring to itself or upwards is a loop: SERVFAIL with EDE, fast', async () => {
  const loopTest = testZoneWith(`
    loop.test. 86400 NS ns.loop.test.
    ns.loop.test. 86400 A 10.0.5.1`);
  const up = zone(`
    loop.test. 3600 SOA ns.loop.test. host. 1 2 3 4 60
    test. 86400 NS ns.test.
    ns.test. 86400 A 10.0.1.1`);
  const h = harness({
    ...standardServers(),
    '10.0.1.1': { zones: [loopTest] },
    '10.0.5.1': { zones: [], behaviour: () => ({ authorities: up.filter((r) => r.type === 'NS'), additionals: up.filter((r) => r.type === 'A') }) },
  });
  const started = Date.now();
  const r = await h.ask('www.loop.test');
  assert.equal(r.rcode, 2);
  assert.ok(r.ede && r.ede.length === 1, 'SERVFAIL carries an EDE');
  assert.ok(Date.now() - started < 1000);
  assert.ok(h.net.log.length <= 6, `few queries (${h.net.log.length})`);
});

test('a CNAME loop ends in SERVFAIL with EDE 0', async () => {
  const loops = zone(`
    c1.example.test. 300 CNAME c2.example.test.
    c2.example.test. 300 CNAME c1.example.test.`);
  const h = harness({ ...standardServers(), '10.0.3.1': { zones: [[...EXAMPLE_TEST, ...loops]] } });
  const r = await h.ask('c1.example.test');
  assert.equal(r.rcode, 2);
  assert.equal(r.ede?.[0].infoCode, 0);
  assert.match(r.ede?.[0].extraText ?? '', /CNAME/);
});

test('NXNS: at most a few name server names are resolved for one delegation', async () => {
  const many = Array.from({ length: 20 }, (_, i) => `nxns.test. 86400 NS ns${i}.nowhere.example.net.`).join('\n');
  const nxTest = testZoneWith(`
    ${many}`);
  const h = harness({ ...standardServers(), '10.0.1.1': { zones: [nxTest] } });
  const r = await h.ask('www.nxns.test');
  assert.equal(r.rcode, 2);
  assert.equal(r.ede?.[0].infoCode, 22);
  const looked = new Set(h.net.log.filter((l) => /^ns\d+\.nowhere/.test(l.name)).map((l) => l.name));
  assert.ok(looked.size <= LIMITS.maxTargetsPerDelegation, `${looked.size} names looked up`);
  assert.ok(h.net.log.length <= LIMITS.maxQueries);
});

test('never queries 127.0.0.0/8 given as glue (do_not_query_localhost)', async () => {
  const local = testZoneWith(`
    local.test. 86400 NS ns.local.test.
    ns.local.test. 86400 A 127.0.0.5`);
  const h = harness({ ...standardServers(), '10.0.1.1': { zones: [local] }, '127.0.0.5': { zones: [EXAMPLE_TEST] } });
  const r = await h.ask('www.local.test');
  assert.equal(r.rcode, 2);
  assert.equal(r.ede?.[0].infoCode, 22);
  assert.equal(h.net.log.filter((l) => l.server === '127.0.0.5').length, 0);
});

test('root hints on loopback are still used', async () => {
  const servers = standardServers();
  const h = harness({ ...servers, '127.0.0.10': servers[ROOT] }, () => {}, '127.0.0.10');
  const r = await h.ask('www.example.test');
  assert.equal(r.rcode, 0);
  assert.equal(h.net.log[0].server, '127.0.0.10');
});

test('a reply carrying another question is not accepted', async () => {
  const h = harness(twoServers({ zones: [], behaviour: () => ({ questions: [{ name: 'evil.example.test', type: 'A' }] }) }));
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(h.net.count('www.example.test', 'A', '10.0.3.1'), 1, 'the next server was asked');
});

test('name servers whose addresses need each other are a cycle: SERVFAIL, fast, also across clients', async () => {
  const cyc = testZoneWith(`
    a.test. 86400 NS ns.b.test.
    b.test. 86400 NS ns.a.test.`);
  const h = harness({ ...standardServers(), '10.0.1.1': { zones: [cyc] } });
  const started = Date.now();
  const [a, b] = await Promise.all([h.ask('www.a.test'), h.ask('www.b.test')]);
  for (const r of [a, b]) {
    assert.equal(r.rcode, 2);
    assert.ok(r.ede && r.ede.length > 0);
  }
  assert.ok(Date.now() - started < 1000, 'two queries waiting on each other do not deadlock');
  assert.ok(h.net.log.length <= 16, `${h.net.log.length} queries`);
});

test('when the cached servers of a zone all fail, the parent is asked again for the delegation', async () => {
  const servers = standardServers();
  const h = harness(servers);
  await h.ask('www.example.test');
  const moved = testZoneWith(`
    example.test. 86400 NS ns1.example.test.
    ns1.example.test. 86400 A 10.0.3.2`);
  h.net.servers.set('10.0.1.1', { zones: [moved] });
  h.net.servers.set('10.0.3.2', servers['10.0.3.1']);
  h.net.servers.set('10.0.3.1', { zones: [], behaviour: 'dead' });
  const r = await h.ask('mail.example.test', 'TXT');
  assert.equal(r.rcode, 3);
  assert.equal(h.net.count('mail.example.test', 'TXT', '10.0.3.2'), 1);
});

test('a CNAME chain longer than the limit ends in SERVFAIL; one at the limit resolves', async () => {
  const link = (i: number): string => `c${i}.example.test. 300 CNAME c${i + 1}.example.test.`;
  const chain = (n: number) => zone([...Array.from({ length: n }, (_, i) => link(i)), `c${n}.example.test. 300 A 192.0.2.99`].join('\n'));
  const ok = harness({ ...standardServers(), '10.0.3.1': { zones: [[...EXAMPLE_TEST, ...chain(LIMITS.maxCnameChain)]] } });
  const good = await ok.ask('c0.example.test');
  assert.equal(good.rcode, 0);
  assert.equal(good.answer.length, LIMITS.maxCnameChain + 1);
  const bad = harness({ ...standardServers(), '10.0.3.1': { zones: [[...EXAMPLE_TEST, ...chain(LIMITS.maxCnameChain + 1)]] } });
  const r = await bad.ask('c0.example.test');
  assert.equal(r.rcode, 2);
  assert.match(r.ede?.[0].extraText ?? '', /CNAME chain/);
});
