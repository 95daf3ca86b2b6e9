/** The DNS cache on a manual clock: TTL countdown, ranks, clamps, negative entries, LRU bound, serve-stale, prefetch. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, RANK } from '../../src/cache/index.js';
import { ttlOf } from '../../src/wire/index.js';
import type { CacheConfig } from '../../src/config/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/util/index.js';
import { rr, show } from './resolver-fake-net.js';

function setup(tweak: Partial<CacheConfig> = {}): { cache: DnsCache; clock: ManualClock } {
  const clock = new ManualClock(1_700_000_000_000);
  return { cache: new DnsCache({ ...defaultConfig().cache, ...tweak }, clock), clock };
}

const soa = (ttl: number, minimum: number) => rr(`example.test. ${ttl} SOA ns.example.test. host. 1 2 3 4 ${minimum}`);

test('RRsets are keyed case-insensitively and their TTL counts down to expiry', () => {
  const { cache, clock } = setup();
  assert.ok(cache.storeRRset([rr('WWW.Example.test. 300 A 192.0.2.1'), rr('www.example.test. 200 A 192.0.2.2')], RANK.AUTH_ANSWER));
  const hit = cache.getRRset('www.EXAMPLE.test', 'A');
  assert.deepEqual(hit?.records.map(ttlOf), [200, 200], 'the set TTL is its minimum');
  clock.advance(150_500);
  assert.equal(cache.getRRset('www.example.test', 'A')?.ttl, 50);
  clock.advance(50_000);
  assert.equal(cache.getRRset('www.example.test', 'A'), undefined);
  assert.equal(cache.getRRset('www.example.test', 'AAAA'), undefined);
});

test('a lower rank never replaces a fresh higher-ranked RRset, and may once it expired', () => {
  const { cache, clock } = setup();
  cache.storeRRset([rr('ns.example.test. 100 A 192.0.2.1')], RANK.AUTH_ANSWER);
  assert.equal(cache.storeRRset([rr('ns.example.test. 900 A 6.6.6.6')], RANK.ADDITIONAL), false);
  assert.deepEqual(show(cache.getRRset('ns.example.test', 'A')?.records ?? []), ['ns.example.test A 192.0.2.1']);
  assert.ok(cache.storeRRset([rr('ns.example.test. 100 A 192.0.2.5')], RANK.AUTH_ANSWER), 'same rank refreshes');
  clock.advance(101_000);
  assert.ok(cache.storeRRset([rr('ns.example.test. 900 A 192.0.2.9')], RANK.ADDITIONAL));
  assert.equal(cache.getRRset('ns.example.test', 'A', { minRank: RANK.ANSWER }), undefined, 'glue is not an answer');
  assert.equal(cache.getRRset('ns.example.test', 'A')?.rank, RANK.ADDITIONAL);
});

test('the same data at the same rank does not extend the TTL; a changed NS set keeps the old expiry', () => {
  const { cache, clock } = setup();
  cache.storeRRset([rr('example.test. 100 NS ns1.example.test.')], RANK.AUTH_AUTHORITY);
  clock.advance(60_000);
  assert.equal(cache.storeRRset([rr('example.test. 100 NS ns1.example.test.')], RANK.AUTH_AUTHORITY), false);
  assert.equal(cache.getRRset('example.test', 'NS')?.ttl, 40);
  assert.ok(cache.storeRRset([rr('example.test. 100 NS ns2.example.test.')], RANK.AUTH_AUTHORITY));
  assert.deepEqual(show(cache.getRRset('example.test', 'NS')?.records ?? []), ['example.test NS ns2.example.test']);
  assert.equal(cache.getRRset('example.test', 'NS')?.ttl, 40);
});

test('a higher-ranked NS set replaces a delegation but never outlives it (ghost domains, CVE-2012-1191)', () => {
  const { cache, clock } = setup();
  assert.ok(cache.storeRRset([rr('ghost.example.test. 3600 NS ns.ghost.example.test.')], RANK.AUTHORITY));
  clock.advance(1_800_000);
  // The child's own apex set, authoritative and a day long, with another server name.
  assert.ok(cache.storeRRset([rr('ghost.example.test. 86400 NS ns2.ghost.example.test.')], RANK.AUTH_ANSWER));
  const hit = cache.getRRset('ghost.example.test', 'NS');
  assert.deepEqual(show(hit?.records ?? []), ['ghost.example.test NS ns2.ghost.example.test']);
  assert.equal(hit?.ttl, 1800, 'the parent delegation\'s remaining life');
  clock.advance(1_800_000);
  assert.equal(cache.getRRset('ghost.example.test', 'NS'), undefined);
  // Once gone, a set is stored for its own TTL; other types are not capped.
  assert.ok(cache.storeRRset([rr('ghost.example.test. 86400 NS ns2.ghost.example.test.')], RANK.AUTH_ANSWER));
  assert.equal(cache.getRRset('ghost.example.test', 'NS')?.ttl, 86400);
  cache.storeRRset([rr('a.example.test. 60 A 192.0.2.1')], RANK.ADDITIONAL);
  cache.storeRRset([rr('a.example.test. 600 A 192.0.2.1')], RANK.AUTH_ANSWER);
  assert.equal(cache.getRRset('a.example.test', 'A')?.ttl, 600);
});

test('glue a child\'s own address replaced stays known as the parent side until it expires', () => {
  const { cache, clock } = setup();
  cache.storeRRset([rr('ns.names.test. 600 A 192.0.2.1')], RANK.ADDITIONAL);
  cache.storeRRset([rr('ns.names.test. 86400 A 192.0.2.9')], RANK.AUTH_ANSWER);
  assert.deepEqual(cache.parentSideAddresses('ns.names.test'), ['192.0.2.1']);
  assert.deepEqual(show(cache.getRRset('ns.names.test', 'A')?.records ?? []), ['ns.names.test A 192.0.2.9']);
  cache.storeRRset([rr('same.names.test. 600 A 192.0.2.2')], RANK.ADDITIONAL);
  cache.storeRRset([rr('same.names.test. 600 A 192.0.2.2')], RANK.AUTH_ANSWER);
  assert.deepEqual(cache.parentSideAddresses('same.names.test'), [], 'no disagreement, nothing kept');
  clock.advance(601_000);
  assert.deepEqual(cache.parentSideAddresses('ns.names.test'), [], 'the glue\'s own TTL still applies');
});

test('TTLs are clamped to min_ttl and max_ttl', () => {
  const { cache } = setup({ min_ttl: 60, max_ttl: 3600 });
  cache.storeRRset([rr('a.example.test. 5 A 192.0.2.1')], RANK.ANSWER);
  cache.storeRRset([rr('b.example.test. 999999 A 192.0.2.2')], RANK.ANSWER);
  assert.equal(cache.getRRset('a.example.test', 'A')?.ttl, 60);
  assert.equal(cache.getRRset('b.example.test', 'A')?.ttl, 3600);
  assert.equal(setup().cache.storeRRset([rr('c.example.test. 0 A 192.0.2.3')], RANK.ANSWER), false, 'TTL 0 is not cached');
});

test('negative answers: TTL min(SOA TTL, minimum); a validated NXDOMAIN covers names below (RFC 8020); positive data replaces NODATA', () => {
  const { cache, clock } = setup();
  assert.ok(cache.storeNegative('nxdomain', 'nope.example.test', 'A', [soa(3600, 30)], RANK.AUTH_AUTHORITY));
  assert.ok(cache.storeNegative('nodata', 'www.example.test', 'AAAA', [soa(20, 300), rr('example.test. 3600 NS ns.example.test.')], RANK.AUTH_AUTHORITY));
  assert.equal(cache.storeNegative('nodata', 'x.example.test', 'A', [rr('example.test. 3600 NS ns.example.test.')], RANK.AUTH_AUTHORITY), false);
  assert.equal(cache.getNegative('nope.example.test', 'MX')?.kind, 'nxdomain');
  assert.equal(cache.getNegative('a.b.nope.example.test', 'A'), undefined, 'not validated: it denies its own name only');
  cache.setNegativeSecurity('nope.example.test', 'MX', 'secure');
  assert.equal(cache.getNegative('a.b.nope.example.test', 'A')?.ttl, 30, 'validated secure: the names below too');
  assert.equal(cache.getNegative('www.example.test', 'AAAA')?.kind, 'nodata');
  assert.deepEqual(show(cache.getNegative('www.example.test', 'AAAA')?.authority ?? []), ['example.test NS ns.example.test', 'example.test SOA SOA']);
  assert.equal(cache.getNegative('www.example.test', 'A'), undefined);
  clock.advance(21_000);
  assert.equal(cache.getNegative('www.example.test', 'AAAA'), undefined, 'SOA TTL 20 bounds it');
  assert.ok(cache.getNegative('nope.example.test', 'A'));
  cache.storeRRset([rr('nope.example.test. 300 A 192.0.2.1')], RANK.AUTH_ANSWER);
  assert.equal(cache.getNegative('nope.example.test', 'A'), undefined);
});

test('memory is bounded by max_bytes, least recently used first out', () => {
  const { cache } = setup({ max_bytes: 20_000 });
  for (let i = 0; i < 500; i++) cache.storeRRset([rr(`host${i}.example.test. 300 A 192.0.2.1`)], RANK.ANSWER);
  assert.ok(cache.bytes <= 20_000, `${cache.bytes} bytes`);
  assert.ok(cache.entries < 500 && cache.entries > 10, `${cache.entries} entries`);
  assert.ok(cache.getRRset('host499.example.test', 'A'));
  assert.equal(cache.getRRset('host0.example.test', 'A'), undefined);
});

test('serve-stale returns expired data with TTL 30 only when asked and enabled', () => {
  const on = setup({ serve_stale: true });
  on.cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  on.clock.advance(3600_000);
  assert.equal(on.cache.getRRset('www.example.test', 'A'), undefined);
  const stale = on.cache.getRRset('www.example.test', 'A', { allowStale: true });
  assert.deepEqual([stale?.stale, stale?.ttl, ttlOf(stale!.records[0])], [true, 30, 30], 'cache.stale_reply_ttl defaults to 30 s');
  const off = setup();
  off.cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  off.clock.advance(61_000);
  assert.equal(off.cache.getRRset('www.example.test', 'A', { allowStale: true }), undefined);
  // cache.stale_reply_ttl (Unbound's serve-expired-reply-ttl) sets the TTL of the stale answer.
  const longer = setup({ serve_stale: true, stale_reply_ttl: 123 });
  longer.cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  longer.clock.advance(61_000);
  const served = longer.cache.getRRset('www.example.test', 'A', { allowStale: true });
  assert.deepEqual([served?.ttl, ttlOf(served!.records[0])], [123, 123]);
});

test('serve-stale keeps expired data for stale_max_ttl only (RFC 8767 §5 maximum stale timer)', () => {
  const { cache, clock } = setup({ serve_stale: true, stale_max_ttl: 100 });
  cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  cache.storeNegative('nxdomain', 'nope.example.test', 'A', [soa(60, 60)], RANK.AUTH_ANSWER);
  clock.advance(60_000 + 99_000);
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true })?.stale, true);
  assert.equal(cache.getNegative('nope.example.test', 'A', { allowStale: true })?.stale, true);
  clock.advance(1_000);
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true }), undefined);
  assert.equal(cache.getNegative('nope.example.test', 'A', { allowStale: true }), undefined);
  assert.equal(cache.entries, 0, 'and not kept');
});

test('stale_ttl_reset: a failed refresh serves data past the maximum stale timer for another one', () => {
  const { cache, clock } = setup({ serve_stale: true, stale_max_ttl: 10, stale_ttl_reset: true });
  cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  clock.advance(60_000 + 20_000);
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true }), undefined, 'past the timer');
  assert.equal(cache.refreshFailedRecently('www.example.test', 'A'), false);
  cache.refreshFailed('www.example.test', 'A');
  assert.equal(cache.refreshFailedRecently('WWW.example.test', 'A'), true);
  clock.advance(9_000);
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true })?.stale, true, 'served again after the reset');
  clock.advance(21_000);
  assert.equal(cache.refreshFailedRecently('www.example.test', 'A'), false, 'the failure recheck timer is 30 s');
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true }), undefined);
});

test('a fresh answer with TTL 0 drops the expired copy it supersedes, positive or negative', () => {
  const { cache, clock } = setup({ serve_stale: true });
  cache.storeRRset([rr('www.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  cache.storeNegative('nodata', 'nd.example.test', 'A', [soa(10, 10)], RANK.AUTH_ANSWER);
  cache.storeNegative('nxdomain', 'nx.example.test', 'A', [soa(10, 10)], RANK.AUTH_ANSWER);
  clock.advance(61_000);
  for (const name of ['www', 'nd', 'nx']) assert.equal(cache.storeRRset([rr(`${name}.example.test. 0 A 192.0.2.9`)], RANK.AUTH_ANSWER), false);
  assert.equal(cache.getRRset('www.example.test', 'A', { allowStale: true }), undefined);
  assert.equal(cache.getNegative('nd.example.test', 'A', { allowStale: true }), undefined);
  assert.equal(cache.getNegative('nx.example.test', 'A', { allowStale: true }), undefined);
  cache.storeRRset([rr('fresh.example.test. 60 A 192.0.2.1')], RANK.ANSWER);
  cache.storeRRset([rr('fresh.example.test. 0 A 192.0.2.9')], RANK.ANSWER);
  assert.deepEqual(show(cache.getRRset('fresh.example.test', 'A')?.records ?? []), ['fresh.example.test A 192.0.2.1'], 'a fresh entry stays');
});

test('serve_original_ttl: answers carry the TTL as received, fresh and stale, and min_ttl/max_ttl do not apply', () => {
  const { cache, clock } = setup({ serve_stale: true, serve_original_ttl: true, min_ttl: 20, max_ttl: 1000, stale_reply_ttl: 123 });
  cache.storeRRset([rr('www.example.test. 10 A 192.0.2.1')], RANK.ANSWER);
  cache.storeRRset([rr('example.test. 3600 NS ns.example.test.')], RANK.AUTH_ANSWER);
  clock.advance(5_000);
  assert.equal(ttlOf(cache.getRRset('www.example.test', 'A')!.records[0]), 10);
  assert.equal(cache.getRRset('example.test', 'NS')?.ttl, 3600, 'above max_ttl, as received');
  clock.advance(6_000);
  const stale = cache.getRRset('www.example.test', 'A', { allowStale: true });
  assert.deepEqual([stale?.stale, stale?.ttl], [true, 10], 'expired after its own 10 s (no min_ttl), still with its TTL');
  const capped = setup({ min_ttl: 20 });
  capped.cache.storeRRset([rr('www.example.test. 10 A 192.0.2.1')], RANK.ANSWER);
  assert.equal(capped.cache.getRRset('www.example.test', 'A')?.ttl, 20, 'without it min_ttl applies');
});

test('prefetch flags hits in the last 10% of the TTL when enabled', () => {
  const { cache, clock } = setup({ prefetch: true });
  cache.storeRRset([rr('www.example.test. 100 A 192.0.2.1')], RANK.ANSWER);
  clock.advance(80_000);
  assert.equal(cache.getRRset('www.example.test', 'A')?.prefetch, false);
  clock.advance(11_000);
  assert.equal(cache.getRRset('www.example.test', 'A')?.prefetch, true);
  const at = setup({ prefetch: true });
  at.cache.storeRRset([rr('www.example.test. 3600 A 192.0.2.1')], RANK.ANSWER);
  at.clock.advance(1_800_000);
  assert.equal(at.cache.getRRset('www.example.test', 'A')?.untilPrefetchMs, 1_440_000, 'how long until the window opens');
  at.clock.advance(1_440_000);
  const edge = at.cache.getRRset('www.example.test', 'A');
  assert.equal(edge?.prefetch, true, 'exactly 10% left is inside the window (Unbound: from 90% of the TTL on)');
  assert.equal(edge?.untilPrefetchMs, undefined);
  const off = setup();
  off.cache.storeRRset([rr('www.example.test. 100 A 192.0.2.1')], RANK.ANSWER);
  off.clock.advance(95_000);
  assert.equal(off.cache.getRRset('www.example.test', 'A')?.prefetch, false);
});

test('with prefetch, only the parent\'s referral renews a delegation in its last 10%; the child\'s own NS answer does not', () => {
  const { cache, clock } = setup({ prefetch: true });
  assert.ok(cache.storeRRset([rr('moved.example.test. 1000 NS ns.moved.example.test.')], RANK.AUTH_ANSWER));
  clock.advance(950_000);
  // The child's servers answer their NS set again, same rank and data: it does not live on.
  assert.ok(cache.storeRRset([rr('moved.example.test. 1000 NS ns.moved.example.test.')], RANK.AUTH_ANSWER));
  assert.equal(cache.getRRset('moved.example.test', 'NS')?.ttl, 50);
  // The parent's referral, asked by the prefetch, renews it (CVE-2012-1191: the parent says the cut exists).
  assert.ok(cache.storeRRset([rr('moved.example.test. 1000 NS ns.moved.example.test.')], RANK.AUTHORITY));
  assert.equal(cache.getRRset('moved.example.test', 'NS')?.ttl, 1000);
});

test('a validation result vouches only for the data it saw: another cached copy keeps its state', () => {
  const { cache } = setup();
  const forged = [rr('www.example.test. 300 A 192.0.2.66')];
  const real = [rr('www.example.test. 300 A 192.0.2.1')];
  cache.storeRRset(forged, RANK.AUTH_ANSWER);
  assert.equal(cache.storeRRset(real, RANK.ANSWER), false, 'the lower-ranked validated copy cannot replace it');
  cache.setRRsetSecurity('www.example.test', 'A', 'secure', 300, real);
  assert.equal(cache.getRRset('www.example.test', 'A')?.security, undefined, 'the forged copy is not marked secure');
  cache.setRRsetSecurity('www.example.test', 'A', 'secure', 300, [...forged]);
  assert.equal(cache.getRRset('www.example.test', 'A')?.security, 'secure', 'the same data is');
  const soa = [rr('example.test. 300 SOA ns.example.test. h.example.test. 1 3600 600 86400 300')];
  cache.storeNegative('nxdomain', 'gone.example.test', 'A', soa, RANK.AUTH_AUTHORITY);
  cache.setNegativeSecurity('gone.example.test', 'A', 'secure', 300, [rr('example.test. 300 SOA other.example.test. h.example.test. 2 3600 600 86400 300')]);
  assert.equal(cache.getNegative('gone.example.test', 'A')?.security, undefined, 'a negative entry with another SOA neither');
});

test('an RRset is a set: a record repeated in a reply is cached once (RFC 2181 §5)', () => {
  const { cache } = setup();
  const dname = rr('x. 300 DNAME x.x.');
  cache.storeRRset([dname, { ...dname }, rr('x. 300 DNAME x.x.')], RANK.AUTH_ANSWER);
  assert.equal(cache.getRRset('x', 'DNAME')?.records.length, 1);
  cache.setRRsetSecurity('x', 'DNAME', 'secure', 300, [dname]);
  assert.equal(cache.getRRset('x', 'DNAME')?.security, 'secure', 'and the one validated record vouches for it');
});

test('mayHoldDname is false until a DNAME is stored, and again after a clear', () => {
  const { cache } = setup();
  cache.storeRRset([rr('www.example.test. 300 CNAME other.example.test.')], RANK.AUTH_ANSWER);
  assert.equal(cache.mayHoldDname(), false);
  assert.ok(cache.storeRRset([rr('old.example.test. 300 DNAME new.example.test.')], RANK.AUTH_ANSWER));
  assert.equal(cache.mayHoldDname(), true);
  cache.clear();
  assert.equal(cache.mayHoldDname(), false);
});
