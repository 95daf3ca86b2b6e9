/**
 * Answers shared between workers (server.share_cache_between_workers), without the IPC: two
 * resolvers over the signed world of dnssec-world.ts, each with its own PeerAnswers store, whose
 * offers are handed straight to the other's store (what the primary does). What one resolved the
 * other answers without asking test.'s server, with AD, TTLs counted down, and keeps in its own
 * RRset cache (the next question is a plain cache hit and the store lets go of its copy); a CNAME
 * chain and a secure NXDOMAIN are kept as the chain reads them back; bogus, CD and stale answers
 * are never offered; an entry whose TTL ran out is not served; flush drops what it names; a full channel
 * drops the offer and counts it, and the IPC backlog (worker-backlog.ts) bounds what waits to be written.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, PeerAnswers, RANK, type SharedAnswer } from '../../src/cache/index.js';
import { defaultConfig, type Config } from '../../src/config/index.js';
import { keepInCache } from '../../src/resolver/keep-shared.js';
import { IpcBacklog } from '../../src/worker-backlog.js';
import { ManualClock } from '../../src/util/index.js';
import { RCODE, rdataOf, type Message } from '../../src/wire/index.js';
import { NOW, rrs } from './dnssec-fixtures.js';
import { setupSignedWorld, signed, testKey, tierTestData } from './dnssec-world.js';

const data = (): { [nameType: string]: Partial<Message> } => ({
  ...tierTestData(),
  'alias.test|A': { answers: signed('alias.test. 600 IN CNAME www.test.', testKey) },
});

/** Two "workers": resolvers with a store each, every offer handed to the other store while `open()`. */
function pair(open: () => boolean = () => true, tweak?: (c: Config) => void) {
  const clock = new ManualClock(NOW * 1000);
  const peers: PeerAnswers[] = [];
  const store = (other: number): PeerAnswers => new PeerAnswers(1 << 20, clock, (key, value) => {
    if (!open()) return false;
    peers[other].receive(key, value);
    return true;
  });
  peers.push(store(1), store(0));
  const [a, b] = peers.map((p) => {
    const served = data();
    return { ...setupSignedWorld(served, tweak, p), peers: p, served };
  });
  return { a, b, clock };
}

test('an answer one worker resolved is answered by the other without a query, AD kept, then kept in its own cache', async () => {
  const { a, b, clock } = pair();
  const first = await a.ask('www.test');
  assert.equal(first.authenticated, true);
  assert.deepEqual([a.peers.stats().sent, b.peers.stats().received, b.peers.entries], [1, 1, 1]);
  clock.advance(100_000);
  const second = await b.ask('WWW.test');
  assert.equal(b.asked('www.test'), 0, 'no query reached the authority');
  assert.equal(second.source, 'shared');
  assert.equal(second.authenticated, true, 'secure data keeps AD');
  const rr = second.answer.find((r) => r.type === 'A');
  assert.equal(rr?.name, 'WWW.test', 'the client spelling');
  assert.equal((rr as { ttl: number }).ttl, 200, 'resolved 100 s before: TTL counted down');
  assert.equal(b.peers.entries, 0, 'kept in the local cache: the store let go of its copy');
  const third = await b.ask('www.test');
  assert.equal(third.source, 'cache', 'a plain cache hit');
  assert.equal(third.authenticated, true);
  assert.deepEqual(third.answer.map((r) => r.type).sort(), ['A', 'RRSIG']);
  assert.equal(b.peers.stats().hits, 1);
  assert.equal(b.asked('www.test'), 0);
});

test('a CNAME chain is kept link by link: the alias and its target are cache hits afterwards', async () => {
  const { a, b } = pair();
  await a.ask('alias.test');
  const shared = await b.ask('alias.test');
  assert.equal(shared.source, 'shared');
  assert.deepEqual(shared.answer.filter((r) => r.type !== 'RRSIG').map((r) => r.type), ['CNAME', 'A']);
  const again = await b.ask('alias.test');
  assert.equal(again.source, 'cache');
  assert.deepEqual(again.answer.map(rdataOf).sort(), shared.answer.map(rdataOf).sort());
  assert.equal((await b.ask('www.test')).source, 'cache', 'the target RRset was kept too');
  assert.equal(b.asked('alias.test') + b.asked('www.test'), 0);
});

test('bogus and unvalidated (CD) answers are never offered; a secure one is', async () => {
  const { a, b } = pair();
  assert.equal((await a.ask('bad.test')).rcode, RCODE.SERVFAIL);
  const cd = await a.resolver.resolve({ question: { name: 'junk.test', type: 'A', class: 'IN' }, flags: { rd: true, cd: true, do: true, ad: false } });
  assert.equal(cd.rcode, RCODE.NOERROR);
  assert.equal(a.peers.stats().sent, 0);
  await a.ask('www.test');
  assert.equal(a.peers.stats().sent, 1);
  assert.equal((await b.ask('bad.test')).rcode, RCODE.SERVFAIL);
  assert.equal(b.asked('bad.test') > 0, true, 'the bogus name was resolved (and judged) by the second too');
});

test('an entry whose TTL ran out is not served, and flush drops what it names', async () => {
  const { a, b, clock } = pair();
  await a.ask('short.test');
  await a.ask('www.test');
  clock.advance(2_000);
  assert.equal((await b.ask('short.test')).rcode, RCODE.NOERROR);
  assert.equal(b.asked('short.test'), 1, 'resolved again');
  assert.equal(b.peers.stats().expired, 1);
  assert.equal(b.peers.flush({ name: 'www.test', type: 'AAAA' }), 0);
  assert.equal(b.peers.flush({ name: 'test', subtree: true }), 1);
  await b.ask('www.test');
  assert.equal(b.asked('www.test'), 1, 'flushed: resolved here');
});

test('a stale answer (serve_stale, RFC 8767: EDE 3) is never offered', async () => {
  const { a } = pair(() => true, (c) => { c.cache.serve_stale = true; });
  await a.ask('short.test');
  assert.equal(a.peers.stats().sent, 1, 'the fresh answer was offered');
  a.served['short.test|A'] = { flags: RCODE.SERVFAIL };
  a.clock.advance(5_000);
  const stale = await a.ask('short.test');
  assert.equal(stale.rcode, RCODE.NOERROR);
  assert.deepEqual(stale.ede?.map((e) => e.infoCode), [3], 'served stale');
  assert.equal(a.peers.stats().sent, 1, 'the stale one was not');
});

test('an offer the channel cannot take is dropped and counted', async () => {
  const { a, b } = pair(() => false);
  await a.ask('www.test');
  assert.deepEqual([a.peers.stats().sent, a.peers.stats().dropped, b.peers.entries], [0, 1, 0]);
});

test('a secure NXDOMAIN from a tier is kept as the denial, with its state, no longer than its TTLs', () => {
  const clock = new ManualClock(NOW * 1000);
  const cache = new DnsCache({ ...defaultConfig().cache, min_ttl: 3600 }, clock);
  const authority = rrs('test. 120 IN SOA ns.test. host.test. 1 3600 600 86400 300\ntest. 120 IN NSEC www.test. A NS SOA RRSIG NSEC DNSKEY');
  const a: SharedAnswer = { rcode: RCODE.NXDOMAIN, answer: [], authority, additional: [], security: 'secure' };
  assert.equal(keepInCache(cache, 'nx.test', 'A', a), true);
  const hit = cache.getNegative('below.nx.test', 'AAAA');
  assert.equal(hit?.kind, 'nxdomain', 'a secure NXDOMAIN covers the names below it (RFC 8020)');
  assert.equal(hit?.security, 'secure');
  assert.equal(hit?.ttl, 120);
  // Data the cache could not give back as it came stays with the tier.
  const dname: SharedAnswer = { rcode: RCODE.NOERROR, answer: rrs('test. 300 IN DNAME example.'), authority: [], additional: [], security: 'secure' };
  assert.equal(keepInCache(cache, 'x.test', 'A', dname), false);
  // A kept RRset is second-hand (rank ANSWER) and ends with its TTL, not raised to min_ttl.
  const www: SharedAnswer = { rcode: RCODE.NOERROR, answer: signed('www.test. 60 IN A 192.0.2.1', testKey), authority: [], additional: [], security: 'secure' };
  assert.equal(keepInCache(cache, 'www.test', 'A', www), true);
  const set = cache.getRRset('www.test', 'A');
  assert.deepEqual([set?.rank, set?.ttl, set?.security], [RANK.ANSWER, 60, 'secure']);
});

test('the IPC backlog refuses more than its bound of unwritten messages, and frees a slot per message written', () => {
  const backlog = new IpcBacklog(2);
  const written: (() => void)[] = [];
  backlog.send((done) => written.push(done));
  assert.equal(backlog.full, false);
  backlog.send((done) => written.push(done));
  assert.equal(backlog.full, true, 'two unwritten: the caller drops');
  written[0]();
  assert.equal(backlog.full, false, 'one written: room again');
});
