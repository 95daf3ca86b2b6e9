/**
 * Serve-stale in the engine (RFC 8767): the client response timer, stale answers at once with a
 * background refresh, the failure recheck timer, the maximum stale timer and its reset. The server
 * of example.test is held (its answer is a promise the test settles), so no step depends on timing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { harness, rr, show, type Harness } from './resolver-fake-net.js';
import { standardServers } from './resolver-zones.js';
import { FLAG, ttlOf, type Message } from '../../src/wire/index.js';
import type { Config } from '../../src/config/index.js';

const EXAMPLE = '10.0.3.1';

/** A harness with www.example.test cached (A 192.0.2.1, TTL 300) and then expired. */
async function expired(tweak: (c: Config) => void): Promise<{ h: Harness; servers: ReturnType<typeof standardServers> }> {
  const servers = standardServers();
  const h = harness(servers, (c) => { c.cache.serve_stale = true; tweak(c); });
  assert.deepEqual(show((await h.ask('www.example.test')).answer), ['www.example.test A 192.0.2.1']);
  h.clock.advance(301_000);
  return { h, servers };
}

/** Makes example.test's server hold its answers (new data, 192.0.2.99) until `release` is called. */
function hold(servers: ReturnType<typeof standardServers>): { release: () => void } {
  let release = (): void => {};
  const answered = new Promise<void>((resolve) => { release = resolve; });
  servers[EXAMPLE].behaviour = async (): Promise<Partial<Message>> => {
    await answered;
    return { flags: FLAG.AA, answers: [rr('www.example.test. 300 A 192.0.2.99')] };
  };
  return { release };
}

/** Lets the background work set off by a release run to its end (cache stores included). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
}

test('client response timer: a slow resolution gets the stale answer, goes on and refreshes the cache (RFC 8767 §5)', async () => {
  const { h, servers } = await expired((c) => { c.cache.stale_client_timeout_ms = 20; });
  const server = hold(servers);
  const stale = await h.ask('www.example.test');
  assert.deepEqual(show(stale.answer), ['www.example.test A 192.0.2.1'], 'the expired data, while the server has not answered');
  assert.deepEqual([ttlOf(stale.answer[0]), stale.ede?.map((e) => e.infoCode)], [30, [3]]);
  server.release();
  await settle();
  const fresh = await h.ask('www.example.test');
  assert.deepEqual(show(fresh.answer), ['www.example.test A 192.0.2.99'], 'the resolution went on after the timer');
  assert.deepEqual([ttlOf(fresh.answer[0]), fresh.ede], [300, undefined]);
  assert.equal(h.net.count('www.example.test', 'A'), 2, 'answered from the refreshed cache');
});

test('client response timer: a resolution that finishes in time answers fresh data, not the stale copy', async () => {
  const { h, servers } = await expired((c) => { c.cache.stale_client_timeout_ms = 60_000; });
  servers[EXAMPLE].behaviour = () => ({ flags: FLAG.AA, answers: [rr('www.example.test. 300 A 192.0.2.99')] });
  const r = await h.ask('www.example.test');
  assert.deepEqual(show(r.answer), ['www.example.test A 192.0.2.99']);
  assert.equal(r.ede, undefined);
});

test('client response timer 0: the stale answer at once, refreshed in the background', async () => {
  const { h, servers } = await expired((c) => { c.cache.stale_client_timeout_ms = 0; });
  const server = hold(servers);
  const stale = await h.ask('www.example.test');
  assert.deepEqual([show(stale.answer), stale.ede?.map((e) => e.infoCode)], [['www.example.test A 192.0.2.1'], [3]]);
  assert.equal(h.net.count('www.example.test', 'A'), 2, 'the refresh was sent');
  server.release();
  await settle();
  assert.deepEqual(show((await h.ask('www.example.test')).answer), ['www.example.test A 192.0.2.99']);
});

test('a query without RD gets the stale answer and starts a refresh', async () => {
  const { h } = await expired(() => {});
  const r = await h.resolver.resolve({ question: { name: 'www.example.test', type: 'A', class: 'IN' }, flags: { rd: false, cd: false, do: false, ad: false } });
  assert.deepEqual([r.rcode, show(r.answer), r.ede?.map((e) => e.infoCode)], [0, ['www.example.test A 192.0.2.1'], [3]]);
  await settle();
  assert.equal(h.net.count('www.example.test', 'A'), 2);
  assert.equal(ttlOf((await h.ask('www.example.test')).answer[0]), 300, 'refreshed');
});

test('failure recheck timer: after a failed refresh stale data is answered without a new try for 30 s (RFC 8767 §5)', async () => {
  const { h, servers } = await expired(() => {});
  servers[EXAMPLE].behaviour = 'dead';
  const failed = await h.ask('www.example.test');
  assert.deepEqual(failed.ede?.map((e) => e.infoCode), [3]);
  const sent = h.net.log.length;
  const again = await h.ask('www.example.test');
  assert.deepEqual([show(again.answer), again.ede?.map((e) => e.infoCode)], [['www.example.test A 192.0.2.1'], [3]]);
  assert.equal(h.net.log.length, sent, 'no query while the recheck timer runs');
  h.clock.advance(30_000);
  servers[EXAMPLE].behaviour = undefined;
  const fresh = await h.ask('www.example.test');
  assert.deepEqual([ttlOf(fresh.answer[0]), fresh.ede], [300, undefined], 'asked again once it ran out');
});

test('maximum stale timer: expired data older than stale_max_ttl is not served (RFC 8767 §5)', async () => {
  const { h, servers } = await expired((c) => { c.cache.stale_max_ttl = 60; });
  servers[EXAMPLE].behaviour = 'dead';
  assert.deepEqual((await h.ask('www.example.test')).ede?.map((e) => e.infoCode), [3], 'within 60 s of expiry');
  h.clock.advance(60_000);
  const late = await h.ask('www.example.test');
  assert.equal(late.rcode, 2, 'SERVFAIL past the maximum stale timer');
  assert.deepEqual(late.answer, []);
});

test('stale_ttl_reset: a failed refresh makes data past the maximum stale timer servable again (Unbound serve-expired-ttl-reset)', async () => {
  const { h, servers } = await expired((c) => { c.cache.stale_max_ttl = 10; c.cache.stale_ttl_reset = true; });
  h.clock.advance(20_000);
  servers[EXAMPLE].behaviour = 'dead';
  const r = await h.ask('www.example.test');
  assert.deepEqual([r.rcode, show(r.answer), r.ede?.map((e) => e.infoCode)], [0, ['www.example.test A 192.0.2.1'], [3]]);
});
