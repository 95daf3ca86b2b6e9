/**
 * The validator end to end on a small signed world made at test time (root ECDSA P-256, example.
 * Ed25519, sub.example. RSA/SHA-256; insecure.example. delegated without DS): the DS walk from a
 * root DS anchor (RFC 4035 §5.2), positive answers (§5.3), NXDOMAIN and NODATA with NSEC (§5.4),
 * insecure delegations, missing or bad signatures (EDE 6/9/10/12), negative trust anchors
 * (RFC 7646) and wildcard answers without proof (§5.3.4). DS/DNSKEY come through a fake ChainFetcher.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/index.js';
import type { Record } from '../../src/wire/index.js';
import { Validator, trustAnchors, type ChainAnswer, type ChainFetcher, type ValidationInput } from '../../src/dnssec/index.js';
import { EXPIRATION, INCEPTION, NOW, makeDs, makeKey, rrs, signRRset, type TestKey } from './dnssec-fixtures.js';

const root = makeKey('', 13);
const example = makeKey('example', 15);
const sub = makeKey('sub.example', 8);
const signed = (text: string, key: TestKey, inception = INCEPTION, expiration = EXPIRATION): Record[] => {
  const set = rrs(text);
  return [...set, signRRset(set, key, inception, expiration)];
};

/** The DS and DNSKEY answers of the world, by "name|type". */
function world(): Map<string, ChainAnswer> {
  const m = new Map<string, ChainAnswer>();
  const pos = (answer: Record[]): ChainAnswer => ({ rcode: 0, answer, authority: [] });
  m.set('|DNSKEY', pos(signed(`. 3600 IN DNSKEY ${dnskeyText(root)}`, root)));
  m.set('example|DS', pos([makeDs(example), signRRset([makeDs(example)], root, INCEPTION, EXPIRATION)]));
  m.set('example|DNSKEY', pos(signed(`example. 3600 IN DNSKEY ${dnskeyText(example)}`, example)));
  m.set('sub.example|DS', pos([makeDs(sub), signRRset([makeDs(sub)], example, INCEPTION, EXPIRATION)]));
  m.set('sub.example|DNSKEY', pos(signed(`sub.example. 3600 IN DNSKEY ${dnskeyText(sub)}`, sub)));
  m.set('insecure.example|DS', {
    rcode: 0, answer: [],
    authority: [...signed('example. 3600 IN SOA ns.example. h.example. 1 2 3 4 300', example),
      ...signed('insecure.example. 300 IN NSEC sub.example. NS RRSIG NSEC', example)],
  });
  return m;
}

function dnskeyText(k: TestKey): string {
  const d = (k.dnskey as unknown as { data: { flags: number; algorithm: number; key: Buffer } }).data;
  return `${d.flags} 3 ${d.algorithm} ${d.key.toString('base64')}`;
}

function validator(opts: { negative?: string[]; fetched?: string[]; answers?: Map<string, ChainAnswer> } = {}): Validator {
  const answers = opts.answers ?? world();
  const fetch: ChainFetcher = async (name, type) => {
    opts.fetched?.push(`${name}|${type}`);
    return answers.get(`${name}|${type}`) ?? { rcode: 2, answer: [], authority: [] };
  };
  return new Validator({ anchors: trustAnchors([makeDs(root)], opts.negative ?? []), fetch, clock: new ManualClock(NOW * 1000) });
}

const answer = (qname: string, qtype: string, records: Record[], extra: Partial<ValidationInput> = {}): ValidationInput =>
  ({ qname, qtype, kind: 'answer', records, authority: [], ...extra });

test('a signed answer two zones below the anchor is secure; the key chain is fetched once', async () => {
  const fetched: string[] = [];
  const v = validator({ fetched });
  const secure = { security: 'secure', ttlCaps: new Map([['www.sub.example|A|IN', 300]]) };
  assert.deepEqual(await v.validate(answer('www.sub.example', 'A', signed('www.sub.example. 300 IN A 192.0.2.1', sub))), secure);
  assert.deepEqual(fetched, ['|DNSKEY', 'example|DS', 'example|DNSKEY', 'sub.example|DS', 'sub.example|DNSKEY']);
  assert.equal((await v.validate(answer('mail.sub.example', 'A', signed('mail.sub.example. 300 IN A 192.0.2.2', sub)))).security, 'secure');
  assert.equal(fetched.length, 5, 'validated keys are cached');
});

test('tampered, unsigned, expired and wrongly signed answers are bogus with their EDE', async () => {
  const v = validator();
  const good = signed('www.example. 300 IN A 192.0.2.1', example);
  const tampered = [rrs('www.example. 300 IN A 192.0.2.66')[0], good[1]];
  assert.deepEqual((await v.validate(answer('www.example', 'A', tampered))).ede?.infoCode, 6);
  assert.deepEqual((await v.validate(answer('www.example', 'A', rrs('www.example. 300 IN A 192.0.2.1'), { zone: 'example' }))).ede?.infoCode, 10);
  const expired = signed('old.example. 300 IN A 192.0.2.1', example, NOW - 1000, NOW - 10);
  assert.deepEqual((await v.validate(answer('old.example', 'A', expired))).ede?.infoCode, 7);
  const bySub = signed('www.example. 300 IN A 192.0.2.1', sub);
  assert.equal((await v.validate(answer('www.example', 'A', bySub))).security, 'bogus', 'a signer below the owner is not accepted');
});

test('unsigned data below a proven insecure delegation is insecure; a negative anchor turns validation off', async () => {
  const v = validator();
  const unsigned = rrs('www.insecure.example. 300 IN A 192.0.2.9');
  assert.deepEqual(await v.validate(answer('www.insecure.example', 'A', unsigned, { zone: 'insecure.example' })), { security: 'insecure' });
  const nta = validator({ negative: ['sub.example'] });
  assert.equal((await nta.validate(answer('www.sub.example', 'A', rrs('www.sub.example. 300 IN A 192.0.2.1')))).security, 'insecure');
  assert.equal(nta.covers('www.sub.example'), false);
  assert.equal(nta.covers('www.example'), true);
});

test('NXDOMAIN and NODATA need NSEC proofs (RFC 4035 §5.4)', async () => {
  const v = validator();
  const soa = signed('example. 3600 IN SOA ns.example. h.example. 1 2 3 4 300', example);
  const nx = (authority: Record[]): ValidationInput => ({ qname: 'nope.example', qtype: 'A', kind: 'nxdomain', records: [], authority });
  const cover = signed('mail.example. 300 IN NSEC www.example. A RRSIG NSEC', example);
  const wildcard = signed('example. 300 IN NSEC mail.example. SOA NS DNSKEY RRSIG NSEC', example);
  const proven = await v.validate(nx([...soa, ...cover, ...wildcard]));
  assert.equal(proven.security, 'secure');
  assert.deepEqual(proven.nsecs?.map((rr) => rr.name).sort(), ['example', 'mail.example'], 'the NSECs that proved it, for RFC 8198');
  const missing = await v.validate(nx([...soa, ...cover]));
  assert.deepEqual([missing.security, missing.ede?.infoCode], ['bogus', 12]);
  const nodata = signed('www.example. 300 IN NSEC zz.example. A RRSIG NSEC', example);
  const nd = (qtype: string): ValidationInput => ({ qname: 'www.example', qtype, kind: 'nodata', records: [], authority: [...soa, ...nodata] });
  assert.equal((await v.validate(nd('AAAA'))).security, 'secure');
  assert.equal((await v.validate(nd('A'))).security, 'bogus', 'the NSEC says A exists');
});

test('a wildcard expansion needs proof that the name itself does not exist (RFC 4035 §5.3.4)', async () => {
  const v = validator();
  const set = rrs('*.example. 300 IN TXT "w"');
  const sig = signRRset(set, example, INCEPTION, EXPIRATION);
  const expanded = [{ ...set[0], name: 'a.example' }, { ...sig, name: 'a.example' }] as Record[];
  const noProof = await v.validate(answer('a.example', 'TXT', expanded));
  assert.deepEqual([noProof.security, noProof.ede?.infoCode], ['bogus', 12]);
  const proof = signed('example. 300 IN NSEC b.example. SOA NS DNSKEY RRSIG NSEC', example);
  assert.equal((await v.validate(answer('a.example', 'TXT', expanded, { authority: proof }))).security, 'secure');
});

test('a DS with an unsupported algorithm makes the zone insecure, not bogus (RFC 4035 §5.2, EDE 1)', async () => {
  const answers = world();
  const ds = rrs('private.example. 3600 IN DS 4711 253 2 ' + 'AB'.repeat(32));
  answers.set('private.example|DS', { rcode: 0, answer: [...ds, signRRset(ds, example, INCEPTION, EXPIRATION)], authority: [] });
  const fetched: string[] = [];
  const v = validator({ answers, fetched });
  const r = await v.validate(answer('www.private.example', 'A', rrs('www.private.example. 300 IN A 192.0.2.8'), { zone: 'private.example' }));
  assert.deepEqual([r.security, r.ede?.infoCode], ['insecure', 1]);
  assert.ok(!fetched.includes('private.example|DNSKEY'), 'no DNSKEY lookup for an algorithm that cannot be checked');
});

test('a DS that matches no DNSKEY makes the zone bogus (EDE 9)', async () => {
  const answers = world();
  const other = makeKey('sub.example', 8);
  answers.set('sub.example|DNSKEY', { rcode: 0, answer: signed(`sub.example. 3600 IN DNSKEY ${dnskeyText(other)}`, other), authority: [] });
  const v = validator({ answers });
  const r = await v.validate(answer('www.sub.example', 'A', signed('www.sub.example. 300 IN A 192.0.2.1', other)));
  assert.deepEqual([r.security, r.ede?.infoCode], ['bogus', 9]);
});

test('unsigned data under a trust anchor below the zone that served it is bogus (a forwarder\'s answer for an island of trust)', async () => {
  const answers = world();
  const island = new Validator({
    anchors: trustAnchors([makeDs(sub)]),
    fetch: async (name, type) => answers.get(`${name}|${type}`) ?? { rcode: 2, answer: [], authority: [] },
    clock: new ManualClock(NOW * 1000),
  });
  // Served by the forwarder for '.', which no anchor covers: the anchor at sub.example still rules.
  const r = await island.validate(answer('www.sub.example', 'A', rrs('www.sub.example. 300 IN A 192.0.2.66'), { zone: '' }));
  assert.equal(r.security, 'bogus');
  const signedAnswer = signed('www.sub.example. 300 IN A 192.0.2.1', sub);
  assert.equal((await island.validate(answer('www.sub.example', 'A', signedAnswer, { zone: '' }))).security, 'secure');
  assert.equal((await island.validate(answer('www.example', 'A', rrs('www.example. 300 IN A 192.0.2.2'), { zone: '' }))).security, 'insecure');
});
