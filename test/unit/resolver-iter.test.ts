/** The iterative engine on a scripted network: referrals, CNAME/DNAME, negative answers, QNAME minimisation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { authoritative, harness, show } from './resolver-fake-net.js';
import { RCODE } from '../../src/wire/index.js';
import { standardServers } from './resolver-zones.js';

test('follows referrals from the root to an answer, minimal, with minimised questions', async () => {
  const h = harness(standardServers());
  const r = await h.ask('WWW.Example.test');
  assert.equal(r.rcode, 0);
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(r.answer[0].name, 'WWW.Example.test', 'the client spelling is kept');
  assert.deepEqual([r.authority, r.additional], [[], []]);
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type}`), [
    '10.0.0.1 test NS', '10.0.1.1 example.test NS', '10.0.3.1 www.example.test A',
  ]);
});

test('with qname_minimisation_qtype A minimised questions ask A (RFC 9156 §2.1); an authoritative NODATA to one means no zone cut there', async () => {
  const h = harness(standardServers(), (c) => { c.resolver.qname_minimisation_qtype = 'A'; });
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type}`), [
    '10.0.0.1 test A', '10.0.1.1 example.test A', '10.0.3.1 www.example.test A',
  ]);
  await h.ask('deep.ent.example.test');
  await h.ask('other.ent.example.test');
  assert.equal(h.net.count('ent.example.test', 'A'), 1, 'the empty non-terminal\'s NODATA is cached and its label skipped');
  assert.equal(h.net.count('other.ent.example.test', 'A'), 1, 'the second name went straight to the full question');
  assert.equal(h.net.count('ent.example.test', 'NS'), 0);
});

test('without QNAME minimisation the full question goes to every server', async () => {
  const h = harness(standardServers(), (c) => { c.resolver.qname_minimisation = false; });
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type}`), [
    '10.0.0.1 www.example.test A', '10.0.1.1 www.example.test A', '10.0.3.1 www.example.test A',
  ]);
});

test('a server that refuses minimised questions gets the full name instead (RFC 9156 §2.3)', async () => {
  const servers = standardServers();
  const zones = servers['10.0.1.1'].zones;
  // The test. server breaks on "example.test NS" (a minimised question) but answers the full name.
  servers['10.0.1.1'] = {
    zones,
    behaviour: (q) => (q.type === 'NS' && q.name === 'example.test' ? { flags: RCODE.REFUSED } : authoritative(zones, q)),
  };
  const h = harness(servers);
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.deepEqual(h.net.log.map((l) => `${l.server} ${l.name} ${l.type}`), [
    '10.0.0.1 test NS', '10.0.1.1 example.test NS', '10.0.1.1 www.example.test A', '10.0.3.1 www.example.test A',
  ]);
});

test('an empty non-terminal moves minimisation one label on', async () => {
  const h = harness(standardServers());
  const r = await h.ask('deep.ent.example.test');
  assert.deepEqual(show(r.answer), ['deep.ent.example.test A 192.0.2.3']);
  assert.equal(h.net.count('ent.example.test', 'NS'), 1);
  assert.equal(h.net.count('deep.ent.example.test', 'A'), 1);
});

test('a cached NODATA for an empty non-terminal is not asked again for names below it', async () => {
  const h = harness(standardServers());
  await h.ask('deep.ent.example.test');
  const r = await h.ask('nothere.ent.example.test');
  assert.equal(r.rcode, 3);
  assert.equal(h.net.count('ent.example.test', 'NS'), 1, 'the empty non-terminal was asked once');
  assert.equal(h.net.count('nothere.ent.example.test', 'A'), 1, 'the second name went straight to the full question');
});

test('chases a CNAME into another zone whose server name needs its own resolution', async () => {
  const h = harness(standardServers());
  const r = await h.ask('alias.example.test');
  assert.equal(r.rcode, 0);
  assert.deepEqual(show(r.answer), ['alias.example.test CNAME www.other.test', 'www.other.test A 192.0.2.7']);
  assert.equal(h.net.count('ns.example.net', 'A'), 1, 'out-of-bailiwick NS resolved once');
  assert.equal(h.net.count('ns.example.net', 'AAAA'), 0, 'no AAAA with IPv6 off');
});

test('synthesizes the CNAME of a DNAME and follows it', async () => {
  const h = harness(standardServers());
  const r = await h.ask('www.dn.example.test');
  assert.equal(r.rcode, 0);
  assert.deepEqual(show(r.answer), [
    'dn.example.test DNAME example.net', 'www.dn.example.test CNAME www.example.net', 'www.example.net A 192.0.2.9',
  ]);
});

test('NXDOMAIN carries the SOA in authority and nothing else', async () => {
  const h = harness(standardServers());
  const r = await h.ask('nope.example.test');
  assert.equal(r.rcode, 3);
  assert.deepEqual(show(r.answer), []);
  assert.deepEqual(show(r.authority), ['example.test SOA SOA']);
  assert.deepEqual(r.additional, []);
});

test('NODATA is NOERROR with an empty answer and the SOA', async () => {
  const h = harness(standardServers());
  const r = await h.ask('www.example.test', 'AAAA');
  assert.equal(r.rcode, 0);
  assert.deepEqual(r.answer, []);
  assert.deepEqual(show(r.authority), ['example.test SOA SOA']);
});
