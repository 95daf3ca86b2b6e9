/**
 * DSA in DNSSEC (algorithms 3 and 6): RFC 8624 §3.1 says validators MUST NOT validate it, so a zone
 * whose DS records name only DSA is treated as signed with an unsupported algorithm: insecure
 * (RFC 4035 §5.2), never secure, and never bogus, whatever its signatures (../shared/scenarios
 * README: "unsupported DNSSEC algorithms (3, 253, 255 appear) make a zone insecure"). The DSA key
 * and signatures are real ones made with node:crypto at test time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { Record } from '../../src/wire/index.js';
import { ManualClock } from '../../src/util/index.js';
import { Validator, trustAnchors, verifyRrsig, type ChainAnswer } from '../../src/dnssec/index.js';
import { EXPIRATION, INCEPTION, NOW, makeDs, makeKey, rrs, signRRset, type TestKey } from './dnssec-fixtures.js';

const SET = rrs('www.example.test. 300 IN A 192.0.2.1\nwww.example.test. 300 IN A 192.0.2.2');

/** The signature field of an RRSIG, and a copy of the RRSIG with another signature. */
const sigOf = (sig: Record): Buffer => (sig as unknown as { data: { signature: Buffer } }).data.signature;
const withSig = (sig: Record, signature: Buffer): Record =>
  ({ ...sig, data: { ...(sig as unknown as { data: object }).data, signature } }) as unknown as Record;

test('a DSA-signed zone below a secure parent is insecure: a good signature does not make it secure, a forged one does not make it bogus', async () => {
  const root = makeKey('', 13);
  const zone: TestKey = makeKey('example.test', 3, true);
  const ds = makeDs(zone);
  // The root signs example.test's DS directly: its NSEC proves "test" is no zone cut in this world.
  const nsec = rrs('test. 300 IN NSEC example.test. NSEC RRSIG');
  const answers = new Map<string, ChainAnswer>([
    ['|DNSKEY', { rcode: 0, answer: [root.dnskey, signRRset([root.dnskey], root, INCEPTION, EXPIRATION)], authority: [] }],
    ['test|DS', { rcode: 0, answer: [], authority: [...nsec, signRRset(nsec, root, INCEPTION, EXPIRATION)] }],
    ['example.test|DS', { rcode: 0, answer: [ds, signRRset([ds], root, INCEPTION, EXPIRATION)], authority: [] }],
    ['example.test|DNSKEY', { rcode: 0, answer: [zone.dnskey, signRRset([zone.dnskey], zone, INCEPTION, EXPIRATION)], authority: [] }],
  ]);
  const v = new Validator({
    anchors: trustAnchors([makeDs(root)]), clock: new ManualClock(NOW * 1000),
    fetch: async (name, type) => answers.get(`${name}|${type}`) ?? { rcode: 2, answer: [], authority: [] },
  });
  const good = await v.validate({ qname: 'www.example.test', qtype: 'A', kind: 'answer', records: [...SET, signRRset(SET, zone, INCEPTION, EXPIRATION)], authority: [] });
  assert.equal(good.security, 'insecure');
  assert.equal(await verifyRrsig(SET, signRRset(SET, zone, INCEPTION, EXPIRATION), zone.dnskey), false, 'no DSA verification at all');
  const sig = signRRset(SET, zone, INCEPTION, EXPIRATION);
  const forged = withSig(sig, Buffer.concat([sigOf(sig).subarray(0, 1), randomBytes(40)]));
  const bad = await v.validate({ qname: 'www.example.test', qtype: 'A', kind: 'answer', records: [...SET, forged], authority: [] });
  assert.equal(bad.security, 'insecure');
});
