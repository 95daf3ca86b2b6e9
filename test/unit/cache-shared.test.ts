/**
 * The shared cache tier (cache.shared) with a real redis-server started here: two resolvers over the
 * signed world of dnssec-world.ts, each with its own tier on one Redis, stand for two machines. What
 * one resolves the other answers without asking test.'s server, TTLs counted down, and keeps in its
 * own cache (the next question does not reach Redis); an entry whose
 * TTL ran out (in Redis, or by the writer's clock) is not served; bogus and unvalidated (CD) data is
 * never written; a malformed value or one for another question is ignored; an absent server and a
 * stopped one (SIGSTOP) never fail a query, count errors, timeouts and breaker openings, and a
 * continued one (SIGCONT) is used again.
 */
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { connectRedis, encodeShared, sharedKey, SharedTier } from '../../src/cache/index.js';
import { defaultConfig, validateConfig, type SharedCacheConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ManualClock } from '../../src/util/index.js';
import { RCODE, rdataOf } from '../../src/wire/index.js';
import { freePort } from '../helpers/free-port.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { NOW, rrs } from './dnssec-fixtures.js';
import { setupSignedWorld, tierTestData } from './dnssec-world.js';

let redis: RedisServer;
before(async () => { redis = await startRedis(); });
after(async () => { await redis.stop(); });

const PREFIX = 'ward:v1:';
const keyOf = (name: string, type = 'A'): string => sharedKey(PREFIX, { name, type, class: 'IN' });

/** One "machine": a resolver over the world with its own tier (and tier clock) on `url`, closed after test `t`. */
async function machine(t: TestContext, url: string, over: Partial<SharedCacheConfig> = {}) {
  const config: SharedCacheConfig = { redis: { url }, timeout_ms: 1_000, prefix: PREFIX, breaker: { failures: 3, backoff_ms: 200 }, ...over };
  const clock = new ManualClock(NOW * 1000);
  const tier = new SharedTier(await connectRedis(url, silentLogger()), config, clock, silentLogger());
  t.after(() => tier.close());
  const world = setupSignedWorld(tierTestData(), undefined, tier);
  return { ...world, tier, tierClock: clock };
}

/** Polls `cond` every 20 ms, at most `ms` (writes are fire-and-forget). */
async function until(cond: () => boolean | Promise<boolean>, ms = 5_000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end;) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 20));
  }
  return cond();
}

test('an answer one machine resolved is served by the other without a query, TTLs counted down, AD kept', async (t) => {
  await redis.client.flushall();
  const a = await machine(t, redis.url);
  const b = await machine(t, redis.url);
  const first = await a.ask('WWW.test');
  assert.equal(first.rcode, RCODE.NOERROR);
  assert.equal(first.authenticated, true);
  assert.ok(await until(() => a.tier.stats().writes === 1), JSON.stringify(a.tier.stats()));
  const pttl = await redis.client.pttl(keyOf('www.test'));
  assert.ok(pttl > 290_000 && pttl <= 300_000, `Redis expiry is the TTL (PX): ${pttl}`);
  b.tierClock.advance(100_000);
  const second = await b.ask('www.TEST');
  assert.equal(b.asked('www.test'), 0, 'no query reached the authority');
  assert.equal(b.tier.stats().hits, 1);
  assert.equal(second.authenticated, true, 'secure data keeps AD');
  assert.equal(second.source, 'shared');
  const a1 = second.answer.find((rr) => rr.type === 'A');
  assert.equal(a1?.name, 'www.TEST', 'the client spelling');
  assert.equal((a1 as { ttl: number }).ttl, 200, '300 s written, read 100 s later');
  assert.ok(second.answer.some((rr) => rr.type === 'RRSIG'), 'RRSIGs for a DO client');
  const plain = await b.resolver.resolve({ question: { name: 'www.test', type: 'A', class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false } });
  assert.deepEqual(plain.answer.map((rr) => rr.type), ['A'], 'no RRSIG without DO');
  assert.equal(plain.authenticated, false, 'no AD without DO or AD');
  assert.equal(plain.source, 'cache', 'the hit was kept in the local cache');
  const again = await b.ask('www.test');
  assert.equal(again.source, 'cache');
  assert.equal(again.authenticated, true, 'kept with its DNSSEC state');
  assert.equal(b.tier.stats().hits + b.tier.stats().misses, 1, 'Redis was not asked again');
});

test('an entry whose TTL ran out is not served: expired in Redis, or stale by the writer\'s time', async (t) => {
  await redis.client.flushall();
  const a = await machine(t, redis.url);
  const b = await machine(t, redis.url);
  await a.ask('short.test');
  await a.ask('old.test');
  assert.ok(await until(() => a.tier.stats().writes === 2));
  assert.ok(await until(async () => (await redis.client.exists(keyOf('short.test'))) === 0, 3_000), 'Redis dropped the 1 s entry');
  const short = await b.ask('short.test');
  assert.equal(short.rcode, RCODE.NOERROR);
  assert.equal(b.asked('short.test'), 1, 'resolved again');
  // The entry is still in Redis, but 301 s old by the reader's clock.
  b.tierClock.advance(301_000);
  const old = await b.ask('old.test');
  assert.equal(old.rcode, RCODE.NOERROR);
  assert.equal(b.asked('old.test'), 1, 'a stale entry is resolved again');
  assert.equal(b.tier.stats().expired, 1);
  assert.equal(b.tier.stats().hits, 0);
});

test('bogus and unvalidated (CD) answers are never written; a secure one is', async (t) => {
  await redis.client.flushall();
  const a = await machine(t, redis.url);
  const bad = await a.ask('bad.test');
  assert.equal(bad.rcode, RCODE.SERVFAIL);
  const cd = await a.resolver.resolve({ question: { name: 'junk.test', type: 'A', class: 'IN' }, flags: { rd: true, cd: true, do: true, ad: false } });
  assert.equal(cd.rcode, RCODE.NOERROR);
  await a.ask('www.test');
  assert.ok(await until(() => a.tier.stats().writes === 1), 'the secure answer was written');
  assert.deepEqual((await redis.client.keys(`${PREFIX}*`)).sort(), [keyOf('www.test')]);
});

test('a malformed value, or a valid one for another question, is ignored and counted', async (t) => {
  await redis.client.flushall();
  const b = await machine(t, redis.url);
  await redis.client.set(keyOf('www.test'), Buffer.from('not a Ward entry at all, long enough'), 'PX', 60_000);
  const other = encodeShared({ name: 'evil.test', type: 'A', class: 'IN' }, {
    rcode: RCODE.NOERROR, answer: rrs('evil.test. 300 IN A 203.0.113.1'), authority: [], additional: [], security: 'secure',
  }, NOW * 1000);
  assert.ok(other);
  await redis.client.set(keyOf('junk.test'), other, 'PX', 60_000);
  const www = await b.ask('www.test');
  const junk = await b.ask('junk.test');
  assert.deepEqual(www.answer.filter((rr) => rr.type === 'A').map(rdataOf), ['192.0.2.1']);
  assert.deepEqual(junk.answer.filter((rr) => rr.type === 'A').map(rdataOf), ['192.0.2.4']);
  assert.equal(b.tier.stats().malformed, 2);
  assert.equal(b.tier.stats().hits, 0);
  assert.equal(b.asked('www.test') + b.asked('junk.test'), 2, 'both resolved');
});

test('flush removes from Redis what it names: one type, every type of a name, a subtree, everything; glob characters are literal', async (t) => {
  await redis.client.flushall();
  const { tier } = await machine(t, redis.url);
  const keys = [keyOf('www.test'), keyOf('www.test', 'AAAA'), keyOf('a.www.test'), keyOf('wwwx.test'), keyOf('*.test'), keyOf('other.example'), 'someone-else:www.test|A|IN'];
  const fill = async (): Promise<void> => { for (const k of keys) await redis.client.set(k, 'x', 'PX', 60_000); };
  const left = async (): Promise<string[]> => (await redis.client.keys('*')).sort();
  const without = (...gone: string[]): string[] => keys.filter((k) => !gone.includes(k)).sort();
  await fill();
  assert.equal(await tier.flush({ name: 'WWW.test.', type: 'A' }), 1);
  assert.deepEqual(await left(), without(keyOf('www.test')));
  assert.equal(await tier.flush({ name: 'www.test' }), 1, 'the AAAA left');
  assert.deepEqual(await left(), without(keyOf('www.test'), keyOf('www.test', 'AAAA')));
  await fill();
  assert.equal(await tier.flush({ name: 'www.test', subtree: true }), 3, 'www.test A, AAAA and a.www.test; not wwwx.test');
  assert.deepEqual(await left(), without(keyOf('www.test'), keyOf('www.test', 'AAAA'), keyOf('a.www.test')));
  await fill();
  assert.equal(await tier.flush({ name: '*.test' }), 1, 'the name *.test only, not every name under test');
  assert.deepEqual(await left(), without(keyOf('*.test')));
  assert.equal(await tier.flush({ all: true }), keys.length - 2, "every entry under the prefix, and nobody else's");
  assert.deepEqual(await left(), ['someone-else:www.test|A|IN']);
});

test('no Redis at the address: every query is answered, errors and a breaker opening are counted', async (t) => {
  const port = await freePort('127.0.0.1');
  const a = await machine(t, `redis://127.0.0.1:${port}`);
  for (const name of ['www.test', 'old.test', 'junk.test', 'short.test', 'www.test']) {
    assert.equal((await a.ask(name)).rcode, RCODE.NOERROR, name);
  }
  const s = a.tier.stats();
  assert.ok(s.errors >= 3, JSON.stringify(s));
  assert.ok(s.breaker_opens >= 1, JSON.stringify(s));
  assert.ok(s.skipped >= 1, 'calls left out while the breaker is open');
});

test('a stopped Redis (SIGSTOP) delays nothing past the timeout and counts timeouts; continued (SIGCONT), it serves again', async (t) => {
  await redis.client.flushall();
  const writer = await machine(t, redis.url);
  const b = await machine(t, redis.url, { timeout_ms: 20 });
  await writer.ask('www.test');
  assert.ok(await until(() => writer.tier.stats().writes === 1));
  redis.pause();
  t.after(() => redis.resume());
  for (const name of ['old.test', 'junk.test', 'short.test', 'old.test']) {
    assert.equal((await b.ask(name)).rcode, RCODE.NOERROR, name);
  }
  const s = b.tier.stats();
  assert.ok(s.timeouts >= 3, JSON.stringify(s));
  assert.ok(s.breaker_opens >= 1, JSON.stringify(s));
  redis.resume();
  // After the back-off, a probe goes through and the breaker closes: www.test comes from Redis.
  const served = await until(async () => {
    b.resolver.flushAll();
    await b.ask('www.test');
    return b.tier.stats().hits > 0;
  }, 10_000);
  assert.ok(served, JSON.stringify(b.tier.stats()));
});

test('cache.shared is off by default and validated with errors naming the key', () => {
  assert.equal(defaultConfig().cache.shared, null);
  const ok = validateConfig({ cache: { shared: { redis: { url: 'redis://127.0.0.1:6379' } } } }, 'x.yaml');
  assert.deepEqual(ok.cache.shared, { redis: { url: 'redis://127.0.0.1:6379' }, timeout_ms: 5, prefix: 'ward:v1:', breaker: { failures: 5, backoff_ms: 5_000 } });
  assert.throws(() => validateConfig({ cache: { shared: { redis: { url: 'http://x' } } } }, 'x.yaml'), /x\.yaml: cache\.shared\.redis\.url: expected a redis:\/\/ or rediss:\/\/ URL/);
  assert.throws(() => validateConfig({ cache: { shared: { redis: { url: 'redis://h' }, timeout_ms: 0 } } }, 'x.yaml'), /cache\.shared\.timeout_ms: expected an integer 1\.\.10000/);
});
