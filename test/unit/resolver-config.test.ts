/** The engine's configuration switches: root priming (RFC 8109), IPv4/IPv6 transport choice, forward and stub zones. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT, harness, rootZone, show, zone } from './resolver-fake-net.js';
import type { Server } from './resolver-fake-net.js';
import { authoritative } from './resolver-fake-net.js';
import type { UpstreamQuery } from '../../src/upstream/index.js';
import type { Message } from '../../src/wire/index.js';
import { FLAG } from '../../src/wire/index.js';
import { EXAMPLE_NET, EXAMPLE_TEST, TEST_ZONE, standardServers, testZoneWith } from './resolver-zones.js';

test('root_priming: false sends no ". NS" query; true primes once and uses the primed servers', async () => {
  const off = harness(standardServers());
  await off.ask('www.example.test');
  assert.equal(off.net.count('', 'NS'), 0);

  const servers = standardServers();
  const primedRoot = rootZone('a.root. 86400 A 10.0.0.2');
  servers[ROOT] = { zones: [primedRoot] };
  servers['10.0.0.2'] = { zones: [primedRoot] };
  const on = harness(servers, (c) => { c.resolver.root_priming = true; });
  assert.deepEqual(show((await on.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
  await on.ask('www.example.net');
  assert.equal(on.net.count('', 'NS'), 1, 'primed once');
  assert.equal(on.net.log[0].name, '');
  assert.equal(on.net.log[1].server, '10.0.0.2', 'the primed root server is used');
});

test('IPv6 off: AAAA glue is never used; IPv4 off: only AAAA is', async () => {
  const root = rootZone('ns.test. 86400 AAAA 2001:db8::11');
  const dual = testZoneWith(`
    ns.test. 86400 AAAA 2001:db8::11
    example.test. 86400 NS ns1.example.test.
    ns1.example.test. 86400 AAAA 2001:db8::31
    ns1.example.test. 86400 A 10.0.3.1`);
  const servers: { [addr: string]: Server } = {
    ...standardServers(), [ROOT]: { zones: [root] }, '2001:db8::1': { zones: [root] },
    '10.0.1.1': { zones: [dual] }, '2001:db8::11': { zones: [dual] },
  };
  servers['2001:db8::31'] = servers['10.0.3.1'];
  const v4 = harness(servers);
  assert.deepEqual(show((await v4.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
  assert.equal(v4.net.log.filter((l) => l.server.includes(':')).length, 0);

  const v6 = harness(servers, (c) => { c.upstream.ipv4 = false; c.upstream.ipv6 = true; }, '2001:db8::1');
  assert.deepEqual(show((await v6.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
  assert.equal(v6.net.log.length, 3);
  assert.ok(v6.net.log.every((l) => l.server.includes(':')));
});

test('forward zones are asked with RD and the full name, their recursive answers accepted', async () => {
  const recursive = (q: UpstreamQuery): Partial<Message> => {
    const m = authoritative([EXAMPLE_TEST, EXAMPLE_NET], q);
    return { ...m, flags: (m.flags & ~FLAG.AA) | FLAG.RA };
  };
  const servers = { ...standardServers(), '127.0.0.53': { zones: [], behaviour: recursive } };
  const h = harness(servers, (c) => { c.forward_zones = [{ name: 'example.test', addresses: ['127.0.0.53'], tls: false, hosts: [], first: false }]; });
  assert.deepEqual(show((await h.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
  const nodata = await h.ask('www.example.test', 'AAAA');
  assert.deepEqual([nodata.rcode, nodata.answer.length], [0, 0], 'RA without AA is not lame at a forwarder');
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type} ${l.rd}`), [
    '127.0.0.53 www.example.test A true', '127.0.0.53 www.example.test AAAA true',
  ]);
  await h.ask('www.example.net');
  assert.equal(h.net.count('www.example.net', 'A', '127.0.0.53'), 0, 'other names are iterated');
});

test('a forward zone with tls asks its servers over DoT only, and the servers they refer to as well', async () => {
  const servers = { ...standardServers(), '127.0.0.53': { zones: [TEST_ZONE] } };
  for (const tls of [true, false]) {
    const h = harness(servers, (c) => { c.forward_zones = [{ name: 'test', addresses: ['127.0.0.53'], tls, hosts: [], first: false }]; });
    assert.deepEqual(show((await h.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
    await h.ask('www.example.net');
    assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.tls}`), [
      `127.0.0.53 www.example.test ${tls}`, `10.0.3.1 www.example.test ${tls}`,
      '10.0.0.1 net false', '10.0.2.1 example.net false', '10.0.4.1 www.example.net false',
    ], `tls: ${tls}; names outside the zone are iterated as before`);
  }
});

test('minimal_responses off: answers carry the zone\'s NS set and its server\'s address, fresh and from the cache', async () => {
  const servers = standardServers();
  // example.test's server sends what BIND or NSD send: its NS set and the server's address with answers.
  const zoneNs = EXAMPLE_TEST.filter((rr) => rr.type === 'NS');
  const glue = EXAMPLE_TEST.filter((rr) => rr.name === 'ns1.example.test');
  servers['10.0.3.1'] = { zones: [EXAMPLE_TEST], behaviour: (q) => ({ ...authoritative([EXAMPLE_TEST], q), authorities: zoneNs, additionals: glue }) };
  const h = harness(servers, (c) => { c.resolver.minimal_responses = false; c.resolver.qname_minimisation = false; });
  let sent = 0;
  for (const round of ['fresh', 'cached']) {
    const r = await h.ask('www.example.test');
    assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1'], round);
    assert.deepEqual(show(r.authority), ['example.test NS ns1.example.test'], round);
    assert.deepEqual(show(r.additional), ['ns1.example.test A 10.0.3.1'], round);
    if (round === 'fresh') sent = h.net.log.length;
  }
  assert.equal(h.net.log.length, sent, 'the second answer came from the cache');
  const minimal = harness(standardServers());
  const r = await minimal.ask('www.example.test');
  assert.deepEqual([r.authority, r.additional], [[], []], 'the default stays minimal');
});

test('a stub zone\'s servers are asked iteratively (no RD) instead of the root path, their referrals followed and cached', async () => {
  const stubZone = zone(`
    example.test. 3600 SOA ns.stub. host. 1 2 3 4 60
    example.test. 3600 NS ns.stub.
    www.example.test. 300 A 192.0.2.99
    inner.example.test. 3600 NS ns.inner.example.test.
    ns.inner.example.test. 3600 A 10.0.8.1`);
  const inner = zone(`
    inner.example.test. 3600 SOA ns.inner.example.test. host. 1 2 3 4 60
    inner.example.test. 3600 NS ns.inner.example.test.
    ns.inner.example.test. 3600 A 10.0.8.1
    a.inner.example.test. 300 A 192.0.2.100
    b.inner.example.test. 300 A 192.0.2.101`);
  const servers = { ...standardServers(), '127.0.0.9': { zones: [stubZone] }, '10.0.8.1': { zones: [inner] } };
  const h = harness(servers, (c) => { c.stub_zones = [{ name: 'example.test', addresses: ['127.0.0.9'], hosts: [], first: false }]; });
  assert.deepEqual(show((await h.ask('www.example.test')).answer), ['www.example.test A 192.0.2.99'], 'not the root path\'s 192.0.2.1');
  assert.deepEqual(show((await h.ask('a.inner.example.test')).answer), ['a.inner.example.test A 192.0.2.100']);
  assert.deepEqual(show((await h.ask('b.inner.example.test')).answer), ['b.inner.example.test A 192.0.2.101']);
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type} ${l.rd}`), [
    '127.0.0.9 www.example.test A false',
    '127.0.0.9 inner.example.test NS false', '10.0.8.1 a.inner.example.test A false',
    '10.0.8.1 b.inner.example.test A false',
  ], 'loopback stub servers are asked (exempt), minimised below the stub, the referral cached below it');
  await h.ask('www.example.net');
  assert.equal(h.net.count('www.example.net', 'A', '10.0.4.1'), 1, 'names outside it are iterated from the root');
});
