/** The engine with its cache: poisoning attempts, de-duplication, TTL countdown, negative caching, serve-stale, prefetch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, rr, show } from './resolver-fake-net.js';
import { standardServers } from './resolver-zones.js';
import { FLAG, ttlOf } from '../../src/wire/index.js';

test('out-of-bailiwick records in answer and additional never enter the cache', async () => {
  const servers = standardServers();
  servers['10.0.3.1'] = {
    zones: [], behaviour: (q) => ({
      flags: FLAG.AA,
      answers: [rr(`${q.name}. 300 CNAME www.example.net.`), rr('www.example.net. 86400 A 6.6.6.6')],
      authorities: [rr('example.test. 3600 NS ns1.example.test.'), rr('example.test. 3600 NS ns.example.net.')],
      additionals: [rr('ns1.example.test. 3600 A 10.0.3.1'), rr('ns.example.net. 86400 A 6.6.6.6')],
    }),
  };
  const h = harness(servers);
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.net A 192.0.2.9', 'www.example.test CNAME www.example.net']);
  const other = await h.ask('www.other.test');
  assert.deepEqual(show(other.answer), ['www.other.test A 192.0.2.7']);
  assert.equal(h.net.log.filter((l) => l.server === '6.6.6.6').length, 0, 'poisoned glue never used');
  assert.deepEqual(show((await h.ask('www.example.net')).answer), ['www.example.net A 192.0.2.9']);
});

test('identical concurrent queries share one upstream resolution', async () => {
  const servers = standardServers();
  for (const s of Object.values(servers)) s.delayMs = 10;
  const h = harness(servers);
  const answers = await Promise.all(Array.from({ length: 20 }, () => h.ask('www.example.test')));
  for (const a of answers) assert.deepEqual(show(a.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(h.net.log.length, 3);
});

test('a cache hit costs no query and its TTL counts down', async () => {
  const h = harness(standardServers());
  const first = await h.ask('www.example.test');
  assert.equal(ttlOf(first.answer[0]), 300);
  h.clock.advance(100_000);
  const second = await h.ask('www.example.test');
  assert.equal(ttlOf(second.answer[0]), 200);
  assert.equal(h.net.log.length, 3);
  h.clock.advance(201_000);
  await h.ask('www.example.test');
  assert.equal(h.net.count('www.example.test', 'A'), 2, 'expired data is fetched again');
  assert.equal(h.net.log.length, 4, 'the delegation is still cached');
});

test('negative answers are cached for min(SOA TTL, SOA minimum); an unvalidated NXDOMAIN denies only its own name', async () => {
  const h = harness(standardServers());
  assert.equal((await h.ask('nope.example.test')).rcode, 3);
  const sent = h.net.log.length;
  const again = await h.ask('nope.example.test');
  assert.equal(again.rcode, 3);
  assert.deepEqual(show(again.authority), ['example.test SOA SOA']);
  // RFC 8020 §4: without DNSSEC the names below are asked (Unbound's harden-below-nxdomain).
  const beforeDeeper = h.net.log.length;
  assert.equal((await h.ask('deeper.nope.example.test', 'TXT')).rcode, 3);
  assert.equal(h.net.count('deeper.nope.example.test', 'TXT'), 1, 'asked, not denied from the cache');
  const deeper = h.net.log.length - beforeDeeper;
  assert.equal((await h.ask('www.example.test', 'AAAA')).rcode, 0);
  const nodata = h.net.log.length;
  assert.deepEqual((await h.ask('www.example.test', 'AAAA')).answer, []);
  assert.equal(h.net.log.length, nodata);
  assert.equal(nodata, sent + deeper + 1);
  h.clock.advance(61_000);
  await h.ask('nope.example.test');
  assert.equal(h.net.count('nope.example.test', 'A'), 2, 'SOA minimum 60 s bounds the negative TTL');
});

test('serve-stale: expired data answers with TTL 30 and EDE 3 when the servers are gone', async () => {
  const servers = standardServers();
  const h = harness(servers, (c) => { c.cache.serve_stale = true; });
  await h.ask('www.example.test');
  h.clock.advance(400_000);
  servers['10.0.3.1'].behaviour = 'dead';
  const r = await h.ask('www.example.test');
  assert.equal(r.rcode, 0);
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(ttlOf(r.answer[0]), 30);
  assert.deepEqual(r.ede?.map((e) => e.infoCode), [3]);
});

test('without serve-stale a failure is SERVFAIL', async () => {
  const servers = standardServers();
  const h = harness(servers);
  await h.ask('www.example.test');
  h.clock.advance(400_000);
  servers['10.0.3.1'].behaviour = 'dead';
  assert.equal((await h.ask('www.example.test')).rcode, 2);
});

test('prefetch: a hit in the last 10% of the TTL refreshes in the background', async () => {
  const h = harness(standardServers(), (c) => { c.cache.prefetch = true; });
  await h.ask('www.example.test');
  h.clock.advance(200_000);
  await h.ask('www.example.test');
  assert.equal(h.net.count('www.example.test', 'A'), 1, 'no prefetch at 2/3 of the TTL');
  h.clock.advance(75_000);
  const r = await h.ask('www.example.test');
  assert.equal(ttlOf(r.answer[0]), 25, 'answered from cache');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(h.net.count('www.example.test', 'A'), 2, 'refreshed');
  assert.equal(ttlOf((await h.ask('www.example.test')).answer[0]), 300);
});

test('a query without RD is answered from the cache only, else REFUSED with EDE 20', async () => {
  const h = harness(standardServers());
  const norec = (name: string) =>
    h.resolver.resolve({ question: { name, type: 'A', class: 'IN' }, flags: { rd: false, cd: false, do: false, ad: false } });
  const miss = await norec('www.example.test');
  assert.deepEqual([miss.rcode, miss.ede?.[0].infoCode, h.net.log.length], [5, 20, 0]);
  await h.ask('www.example.test');
  assert.deepEqual(show((await norec('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
});
