/**
 * RFC 4035 §5.3.3 TTL capping: authenticated data is kept and served no longer than the RRset's TTL,
 * the RRSIG's TTL, its Original TTL and the time left until its Signature Expiration. Checked on the
 * helper, on the validator's key cache, and through the resolver (cache and answer TTLs; data whose
 * cap ran out is asked again and validated again, never served from the cache).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/index.js';
import { RCODE, type Message, type Record } from '../../src/wire/index.js';
import { Validator, checkRRset, trustAnchors, validatedTtl, type ChainAnswer } from '../../src/dnssec/index.js';
import { INCEPTION, NOW, makeDs, makeKey, signRRset } from './dnssec-fixtures.js';
import { setupSignedWorld as setup, signed, testKey } from './dnssec-world.js';

const ttl = (rr: Record): number => (rr as { ttl?: number }).ttl ?? -1;

test('validatedTtl is the least of RRset TTL, RRSIG TTL, Original TTL and the time to expiration', async () => {
  const key = makeKey('example.test', 13);
  const [a, sig] = signed('www.example.test. 3600 IN A 192.0.2.1', key, { origTtl: 300, served: 3600 });
  assert.equal(validatedTtl([a], sig, NOW), 300, 'above the Original TTL');
  const [b, soon] = signed('www.example.test. 3600 IN A 192.0.2.1', key, { expiration: NOW + 100 });
  assert.equal(validatedTtl([b], soon, NOW), 100, 'expiration in 100 s');
  assert.equal(validatedTtl([b], { ...soon, ttl: 60 } as Record, NOW), 60, 'the RRSIG TTL');
  assert.equal(validatedTtl([{ ...b, ttl: 30 } as Record], soon, NOW), 30, 'the RRset TTL');
  // RFC 1982 serial arithmetic: an expiration past 2^32 wraps around.
  const wrap = { ...soon, data: { ...(soon as unknown as { data: object }).data, expiration: 40 } } as unknown as Record;
  assert.equal(validatedTtl([b], wrap, 2 ** 32 - 60), 100);
  const v = await checkRRset([b], [soon], [key.dnskey], 'example.test', NOW, { left: 4 });
  assert.deepEqual([v.security, v.ttl], ['secure', 100]);
});

test('validated keys are kept no longer than the DNSKEY signature allows, then fetched and checked again', async () => {
  const root = makeKey('', 13);
  const dnskeySig = signRRset([root.dnskey], root, INCEPTION, NOW + 100);
  const answers = new Map<string, ChainAnswer>([['|DNSKEY', { rcode: 0, answer: [root.dnskey, dnskeySig], authority: [] }]]);
  const fetched: string[] = [];
  const clock = new ManualClock(NOW * 1000);
  const v = new Validator({
    anchors: trustAnchors([makeDs(root)]), clock,
    fetch: async (name, type) => { fetched.push(`${name}|${type}`); return answers.get(`${name}|${type}`) ?? { rcode: 2, answer: [], authority: [] }; },
  });
  const data = (): Record[] => signed('. 86400 IN TXT "x"', root);
  const first = await v.validate({ qname: '', qtype: 'TXT', kind: 'answer', records: data(), authority: [] });
  assert.equal(first.security, 'secure');
  clock.advance(50_000);
  assert.equal((await v.validate({ qname: '', qtype: 'TXT', kind: 'answer', records: data(), authority: [] })).security, 'secure');
  assert.equal(fetched.length, 1, 'within the cap: keys from the key cache');
  clock.advance(51_000);
  const late = await v.validate({ qname: '', qtype: 'TXT', kind: 'answer', records: data(), authority: [] });
  assert.ok(fetched.length >= 2, 'past the DNSKEY signature: keys fetched again, not taken from the key cache');
  assert.deepEqual([late.security, late.ede?.infoCode], ['bogus', 7]);
});

test('an RRset served with a TTL above its RRSIG Original TTL is cached and answered with the Original TTL', async () => {
  const { ask, asked, clock } = setup({ 'www.test|A': { answers: signed('www.test. 3600 IN A 192.0.2.1', testKey, { origTtl: 300, served: 3600 }) } });
  const first = await ask('www.test');
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NOERROR, true]);
  assert.ok(first.answer.every((rr) => ttl(rr) <= 300), `answer TTLs ${first.answer.map(ttl)}`);
  clock.advance(200_000);
  const cached = await ask('www.test');
  assert.equal(asked('www.test'), 1, 'a cache hit');
  assert.ok(cached.answer.every((rr) => ttl(rr) <= 100), `cached TTLs ${cached.answer.map(ttl)}`);
  clock.advance(101_000);
  await ask('www.test');
  assert.equal(asked('www.test'), 2, 'past the Original TTL the data is asked for again');
});

test('a signature expiring in 100 s caps a 3600 s RRset to 100 s; afterwards it is fetched and validated again', async () => {
  const data: { [k: string]: Partial<Message> } = { 'soon.test|A': { answers: signed('soon.test. 3600 IN A 192.0.2.2', testKey, { expiration: NOW + 100 }) } };
  const { ask, asked, clock } = setup(data);
  const first = await ask('soon.test');
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NOERROR, true]);
  assert.ok(first.answer.every((rr) => ttl(rr) <= 100), `answer TTLs ${first.answer.map(ttl)}`);
  clock.advance(60_000);
  const cached = await ask('soon.test');
  assert.equal(asked('soon.test'), 1);
  assert.ok(cached.answer.every((rr) => ttl(rr) <= 40), `cached TTLs ${cached.answer.map(ttl)}`);
  clock.advance(41_000);
  // The server still has the old signature: asked again, and now it is expired (EDE 7), not served from the cache.
  const expired = await ask('soon.test');
  assert.ok(asked('soon.test') >= 2, 'asked again');
  assert.deepEqual([expired.rcode, expired.ede?.[0]?.infoCode], [RCODE.SERVFAIL, 7]);
  // Re-signed: once the bogus copy is gone (60 s, as Unbound's val-bogus-ttl) it validates again, with the new cap.
  data['soon.test|A'] = { answers: signed('soon.test. 3600 IN A 192.0.2.2', testKey, { expiration: NOW + 700 }) };
  clock.advance(61_000);
  const fresh = await ask('soon.test');
  assert.deepEqual([fresh.rcode, fresh.authenticated], [RCODE.NOERROR, true]);
  assert.ok(fresh.answer.every((rr) => ttl(rr) <= 538 && ttl(rr) > 500), `re-signed TTLs ${fresh.answer.map(ttl)}`);
});

test('a negative answer is kept no longer than the signatures of its SOA and NSEC records', async () => {
  const soon = { expiration: NOW + 50 };
  const { ask, asked, clock } = setup({
    'nx.test|A': {
      flags: RCODE.NXDOMAIN,
      authorities: [
        ...signed('test. 3600 IN SOA ns.test. h.test. 1 2 3 4 3600', testKey, soon),
        ...signed('ns.test. 3600 IN NSEC test. A RRSIG NSEC', testKey, soon),
        ...signed('test. 3600 IN NSEC ns.test. SOA NS DNSKEY RRSIG NSEC', testKey, soon),
      ],
    },
  });
  const first = await ask('nx.test');
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NXDOMAIN, true]);
  assert.ok(first.authority.every((rr) => ttl(rr) <= 50), `authority TTLs ${first.authority.map(ttl)}`);
  await ask('nx.test');
  assert.equal(asked('nx.test'), 1, 'from the negative cache');
  clock.advance(51_000);
  const late = await ask('nx.test');
  assert.ok(asked('nx.test') >= 2, 'neither the negative cache nor the NSECs (RFC 8198) answer past the cap');
  assert.deepEqual([late.rcode, late.ede?.[0]?.infoCode], [RCODE.SERVFAIL, 7], 'validated again: the signatures have expired');
});

test('serve-stale never gives AD: data past its cap (its signature may have expired) is no longer proven', async () => {
  const data: { [k: string]: Partial<Message> } = { 'www.test|A': { answers: signed('www.test. 300 IN A 192.0.2.1', testKey, { expiration: NOW + 100 }) } };
  const { ask, clock } = setup(data, (c) => { c.cache.serve_stale = true; });
  const first = await ask('www.test');
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NOERROR, true]);
  clock.advance(150_000); // past the signature's expiration
  delete data['www.test|A']; // the server now refuses: the stale copy is all there is
  const stale = await ask('www.test');
  assert.equal(stale.rcode, RCODE.NOERROR);
  assert.ok(stale.ede?.some((e) => e.infoCode === 3), 'EDE 3 Stale Answer');
  assert.equal(stale.authenticated, false, 'no AD on stale data');
});
