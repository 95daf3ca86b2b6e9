/**
 * DNSSEC signature checks with real keys (RSA/SHA-256, ECDSA P-256, Ed25519 made at test time):
 * canonical form and ordering (RFC 4034 §6), validity times (RFC 4035 §5.3.1), DS digests
 * (RFC 4034 §5.1.4), key tags (RFC 4034 Appendix B, checked on the real root KSK 20326), wildcard
 * owners (RFC 4035 §5.3.2) and trust anchor parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';
import { parseRecord } from '../../src/wire/index.js';
import dnsPacket from 'dns-packet';
import {
  checkRRset, dsDigest, dsMatches, isInlineAnchor, keyTag, nameWire, parseAnchorText, verifyRrsig,
} from '../../src/dnssec/index.js';
import { EXPIRATION, INCEPTION, NOW, makeDs, makeKey, rrs, signRRset, type Alg } from './dnssec-fixtures.js';

const ALGS: [Alg, string][] = [[8, 'RSASHA256'], [13, 'ECDSAP256SHA256'], [15, 'ED25519']];

for (const [alg, name] of ALGS) {
  test(`${name}: a good signature verifies, altered data and other keys do not`, async () => {
    const key = makeKey('example.test', alg);
    const set = rrs('www.example.test. 300 IN A 192.0.2.1\nwww.example.test. 300 IN A 192.0.2.2');
    const sig = signRRset(set, key, INCEPTION, EXPIRATION);
    assert.equal(await verifyRrsig(set, sig, key.dnskey), true);
    // Canonical form: order, owner case and duplicates do not matter (RFC 4034 §6.2, §6.3).
    const shuffled = rrs('WWW.Example.TEST. 300 IN A 192.0.2.2\nwww.example.test. 300 IN A 192.0.2.1\nwww.example.test. 300 IN A 192.0.2.1');
    assert.equal(await verifyRrsig(shuffled, sig, key.dnskey), true);
    assert.equal(await verifyRrsig(rrs('www.example.test. 300 IN A 192.0.2.3\nwww.example.test. 300 IN A 192.0.2.2'), sig, key.dnskey), false);
    assert.equal(await verifyRrsig(set, sig, makeKey('example.test', alg).dnskey), false);
  });
}

test('512-bit RSA keys (as old zones and the scenarios use) verify with node:crypto', async () => {
  const key = makeKey('small.test', 8, false, 512);
  const set = rrs('small.test. 300 IN A 192.0.2.4');
  assert.equal(await verifyRrsig(set, signRRset(set, key, INCEPTION, EXPIRATION), key.dnskey), true);
  assert.equal(await verifyRrsig(rrs('small.test. 300 IN A 192.0.2.5'), signRRset(set, key, INCEPTION, EXPIRATION), key.dnskey), false);
});

test('embedded names are compared lower-cased (RFC 4034 §6.2), so their case does not break a signature', async () => {
  const key = makeKey('example.test', 13);
  const sig = signRRset(rrs('example.test. 300 IN MX 10 Mail.Example.Test.'), key, INCEPTION, EXPIRATION);
  assert.equal(await verifyRrsig(rrs('example.test. 300 IN MX 10 mail.example.test.'), sig, key.dnskey), true);
  assert.equal(await verifyRrsig(rrs('example.test. 300 IN MX 20 mail.example.test.'), sig, key.dnskey), false);
});

test('names in signed data are the lower-cased octets dns-packet would encode, written without splitting them', () => {
  const encode = (dnsPacket as unknown as { name: { encode(n: string): Buffer } }).name.encode;
  for (const name of ['', '.', 'a', 'Www.Example.TEST.', 'x.' + 'b'.repeat(63) + '.test', 'caf\u00e9.test', '*.w.example', '.lead.test', 'a..b']) {
    const lower = name.toLowerCase().replace(/\.$/, '');
    assert.deepEqual(nameWire(name), encode(lower === '' ? '.' : lower), JSON.stringify(name));
  }
});

test('the root signs with owner and signer as the empty name', async () => {
  const key = makeKey('', 8);
  const set = rrs('. 518400 IN NS a.root-servers.net.');
  assert.equal(await verifyRrsig(set, signRRset(set, key, INCEPTION, EXPIRATION), key.dnskey), true);
});

test('validity period: expired and not-yet-valid signatures are bogus with EDE 7 and 8', async () => {
  const key = makeKey('example.test', 15);
  const set = rrs('a.example.test. 300 IN TXT "x"');
  const budget = { left: 10 };
  const ok = await checkRRset(set, [signRRset(set, key, INCEPTION, EXPIRATION)], [key.dnskey], 'example.test', NOW, budget);
  assert.equal(ok.security, 'secure');
  const old = await checkRRset(set, [signRRset(set, key, NOW - 100, NOW - 10)], [key.dnskey], 'example.test', NOW, budget);
  assert.deepEqual([old.security, old.ede?.infoCode], ['bogus', 7]);
  const early = await checkRRset(set, [signRRset(set, key, NOW + 10, NOW + 100)], [key.dnskey], 'example.test', NOW, budget);
  assert.deepEqual([early.security, early.ede?.infoCode], ['bogus', 8]);
  const none = await checkRRset(set, [], [key.dnskey], 'example.test', NOW, budget);
  assert.deepEqual([none.security, none.ede?.infoCode], ['bogus', 10]);
  const otherKey = await checkRRset(set, [signRRset(set, makeKey('example.test', 15), INCEPTION, EXPIRATION)], [key.dnskey], 'example.test', NOW, budget);
  assert.deepEqual([otherKey.security, otherKey.ede?.infoCode], ['bogus', 9]);
});

test('the signature budget stops a flood of signatures (KeyTrap)', async () => {
  const key = makeKey('example.test', 13);
  const set = rrs('a.example.test. 300 IN A 192.0.2.1');
  const bad = signRRset(rrs('a.example.test. 300 IN A 192.0.2.9'), key, INCEPTION, EXPIRATION);
  const budget = { left: 3 };
  const v = await checkRRset(set, Array.from({ length: 10 }, () => bad), [key.dnskey], 'example.test', NOW, budget);
  assert.equal(v.security, 'bogus');
  assert.ok(budget.left < 0, 'stopped when the budget ran out');
});

test('a wildcard expansion verifies against the wildcard owner rebuilt from the labels field', async () => {
  const key = makeKey('example.test', 8);
  const sig = signRRset(rrs('*.example.test. 300 IN A 192.0.2.7'), key, INCEPTION, EXPIRATION);
  const expanded = rrs('host.example.test. 300 IN A 192.0.2.7');
  assert.equal(await verifyRrsig(expanded, { ...sig, name: 'host.example.test' } as typeof sig, key.dnskey), true);
});

test('DS digests match their DNSKEY; key tags follow RFC 4034 Appendix B', () => {
  const key = makeKey('example.test', 13);
  const ds = makeDs(key);
  assert.equal(dsMatches(ds, key.dnskey), true);
  assert.equal(dsMatches(ds, makeKey('example.test', 13).dnskey), false);
  assert.equal(dsDigest(key.dnskey, 3), undefined, 'GOST digests are not supported (RFC 8624 §3.3)');
  const lines = readFileSync(join(REPO_ROOT, 'root-hints/root.key'), 'utf8').split('\n').filter((l) => l.includes('DNSKEY'));
  const tags = lines.map((l) => keyTag(parseRecord(l.replace(/;.*$/, ''))));
  assert.deepEqual(tags, [20326, 38696]);
  // The root KSK-2017's published DS (IANA root-anchors.xml).
  const rootDs = parseRecord('. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D');
  assert.equal(dsMatches(rootDs, parseRecord(lines[0].replace(/;.*$/, ''))), true);
});

test('trust anchors: inline records or files, only DS and DNSKEY', () => {
  assert.equal(isInlineAnchor('. IN DS 20326 8 2 E06D44B80B8F1D39A95C0B0D7C65D08458E880409BBC683457104237C7F8EC8D'), true);
  assert.equal(isInlineAnchor('root-hints/root.key'), false);
  assert.equal(parseAnchorText(readFileSync(join(REPO_ROOT, 'root-hints/root.key'), 'utf8')).length, 2);
  assert.throws(() => parseAnchorText('example. IN A 192.0.2.1'), /not a DS or DNSKEY/);
  assert.throws(() => parseAnchorText('; nothing here\n'), /no DS or DNSKEY/);
});
