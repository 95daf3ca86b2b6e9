/** Zone-file presentation parsing (src/wire/presentation.ts): shapes, directives, errors, real files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import dnsPacket from 'dns-packet';
import fc from 'fast-check';
import {
  formatRecord, parseName, parseQuestion, parseRecord, parseRootHints, parseZone, rdataOf, type Record,
} from '../../src/wire/index.js';
import { WardError } from '../../src/util/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

/** The TTL of a record (every type but OPT has one). */
function ttlOf(rr: Record): number | undefined {
  return (rr as { ttl?: number }).ttl;
}

/** Encodes records in a message and decodes them again with dns-packet. */
function roundTrip(rrs: Record[]): Record[] {
  const bytes = dnsPacket.encode({ type: 'response', id: 1, flags: 0, questions: [], answers: rrs });
  return dnsPacket.decode(bytes).answers as Record[];
}

const SAMPLE = `
$ORIGIN example.com.
$TTL 1h
@   IN SOA ns1 hostmaster.example.com. ( 2024010101 ; serial
        2h 15m 1w 300 )
    IN NS ns1
    NS ns2.example.net.
ns1 300 IN A 192.0.2.1
ns1 IN 300 AAAA 2001:db8::1
www CNAME @
alias DNAME other.example.
mail MX 10 mx.example.com.
_sip._udp SRV 5 10 5060 sip
txt TXT "hello world" unquoted "semi;colon" "esc\\"aped" \\065
host HINFO "PC" "Linux"
ca CAA 128 issue "ca.example.net"
ptr PTR www
ds DS 31589 8 2 ( 3490A6806D47F17A34C29E2CE80E8A99
                  9FFB4BE4 )
key DNSKEY 257 3 RSASHA256 AQAB
sig RRSIG A 8 3 3600 20240101000000 20231201000000 12345 example.com. AAECAw==
nsec NSEC host.example.com. A MX RRSIG NSEC TYPE1234
n3 NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG
n3p NSEC3PARAM 1 0 0 -
gen TYPE65000 \\# 3 abcdef
gena A \\# 4 c0000202
`;

test('parses every supported type into the shape dns-packet decodes', () => {
  const rrs = parseZone(SAMPLE);
  assert.equal(rrs.length, 21);
  const by = (name: string, type?: string): Record => {
    const rr = rrs.find((r) => r.name === name && (type === undefined || r.type === type));
    assert.ok(rr, `${name} ${type ?? ''}`);
    return rr;
  };
  const soa = by('example.com', 'SOA');
  assert.equal(ttlOf(soa), 3600);
  assert.deepEqual(rdataOf(soa), {
    mname: 'ns1.example.com', rname: 'hostmaster.example.com', serial: 2024010101, refresh: 7200, retry: 900, expire: 604800, minimum: 300,
  });
  const ns = rrs.filter((r) => r.type === 'NS').map(rdataOf);
  assert.deepEqual(ns, ['ns1.example.com', 'ns2.example.net']);
  assert.equal(ttlOf(by('ns1.example.com', 'A')), 300);
  assert.equal(rdataOf(by('ns1.example.com', 'AAAA')), '2001:db8::1');
  assert.equal(rdataOf(by('www.example.com')), 'example.com');
  assert.deepEqual(rdataOf(by('mail.example.com')), { preference: 10, exchange: 'mx.example.com' });
  assert.deepEqual(rdataOf(by('_sip._udp.example.com')), { priority: 5, weight: 10, port: 5060, target: 'sip.example.com' });
  assert.deepEqual((rdataOf(by('txt.example.com')) as Buffer[]).map(String), ['hello world', 'unquoted', 'semi;colon', 'esc"aped', 'A']);
  assert.deepEqual(rdataOf(by('host.example.com')), { cpu: 'PC', os: 'Linux' });
  assert.deepEqual(rdataOf(by('ca.example.com')), { flags: 128, tag: 'issue', value: 'ca.example.net', issuerCritical: true });
  const ds = rdataOf(by('ds.example.com')) as { keyTag: number; algorithm: number; digestType: number; digest: Buffer };
  assert.equal(ds.keyTag, 31589);
  assert.equal(ds.digest.toString('hex'), '3490a6806d47f17a34c29e2ce80e8a999ffb4be4');
  assert.deepEqual(rdataOf(by('key.example.com')), { flags: 257, algorithm: 8, key: Buffer.from([1, 0, 1]) });
  const sig = rdataOf(by('sig.example.com')) as { typeCovered: string; expiration: number; inception: number; signersName: string };
  assert.equal(sig.typeCovered, 'A');
  assert.equal(sig.expiration, Date.UTC(2024, 0, 1) / 1000);
  assert.equal(sig.inception, Date.UTC(2023, 11, 1) / 1000);
  assert.equal(sig.signersName, 'example.com');
  assert.deepEqual((rdataOf(by('nsec.example.com')) as { rrtypes: string[] }).rrtypes, ['A', 'MX', 'RRSIG', 'NSEC', 'UNKNOWN_1234']);
  const n3 = rdataOf(by('n3.example.com')) as { iterations: number; salt: Buffer; nextDomain: Buffer; rrtypes: string[] };
  assert.equal(n3.iterations, 12);
  assert.equal(n3.salt.toString('hex'), 'aabbccdd');
  assert.equal(n3.nextDomain.length, 20);
  assert.deepEqual(n3.rrtypes, ['A', 'RRSIG']);
  assert.deepEqual(rdataOf(by('n3p.example.com')), Buffer.from([1, 0, 0, 0, 0]));
  const gen = by('gen.example.com');
  assert.equal(gen.type, 'UNKNOWN_65000');
  assert.deepEqual(rdataOf(gen), Buffer.from('abcdef', 'hex'));
  assert.equal(rdataOf(by('gena.example.com')), '192.0.2.2');
});

test('records survive a dns-packet encode/decode round trip unchanged', () => {
  const rrs = parseZone(SAMPLE);
  assert.deepEqual(roundTrip(rrs), rrs);
});

test('TTL and class come in either order and default to $TTL, then the last TTL, then the option', () => {
  assert.equal(ttlOf(parseRecord('a.example. IN 60 A 192.0.2.1')), 60);
  assert.equal(ttlOf(parseRecord('a.example. 60 IN A 192.0.2.1')), 60);
  assert.equal(ttlOf(parseRecord('a.example. A 192.0.2.1')), 3600);
  assert.equal(ttlOf(parseRecord('a.example. A 192.0.2.1', { defaultTtl: 5 })), 5);
  const rrs = parseZone('a.example. 42 A 192.0.2.1\nb.example. A 192.0.2.2\n');
  assert.deepEqual(rrs.map((r) => ttlOf(r)), [42, 42]);
  assert.equal((parseRecord('a.example. CH TXT "x"') as { class?: string }).class, 'CH');
});

test('names: relative to the origin, @, root as ".", case kept, escapes', () => {
  assert.equal(parseName('www', 'Example.COM.'), 'www.Example.COM');
  assert.equal(parseName('@', 'example.com'), 'example.com');
  assert.equal(parseName('.'), '.');
  assert.equal(parseName('a\\.b.example.'), 'a.b.example'); // dns-packet has no escaped form for a dot in a label
  assert.equal(parseName('\\065bc.example.'), 'Abc.example');
  assert.equal(parseRecord('. 0 IN NS a.root-servers.net.').name, '.');
  const root = parseRecord('@ NS ns.', { origin: '.' });
  assert.equal(root.name, '.');
});

test('questions, RFC 3597 type names', () => {
  assert.deepEqual(parseQuestion('cz. IN TYPE65535'), { name: 'cz', type: 'UNKNOWN_65535', class: 'IN' });
  assert.deepEqual(parseQuestion('. IN NS'), { name: '.', type: 'NS', class: 'IN' });
  assert.deepEqual(parseQuestion('www.example. TYPE1'), { name: 'www.example', type: 'A', class: 'IN' });
});

test('RDATA dns-packet cannot hold in its typed form stays generic and encodes to the same octets', () => {
  const rr = parseRecord('k.example. DNSKEY 257 0 8 AQAB');
  assert.equal(rr.type, 'UNKNOWN_48');
  assert.deepEqual(rdataOf(rr), Buffer.from('01010008010001', 'hex'));
  const wire = dnsPacket.encode({ type: 'response', id: 1, flags: 0, questions: [], answers: [rr] });
  // owner "k.example." is 11 octets after the 12-octet header; then TYPE.
  assert.equal(wire.readUInt16BE(12 + 11), 48);
  assert.equal(wire.subarray(-9).toString('hex'), '000701010008010001');
});

test('types dns-packet has no name for parse from their mnemonics and stay opaque (RFC 3597)', () => {
  const cases: [string, number, string][] = [
    // RFC 8976 §2.3 ZONEMD: serial, scheme, hash algorithm, digest.
    ['example. 86400 IN ZONEMD 2018031900 1 1 ( FEBE3D4C E2EC2FFA\n 4BA99D46 )', 63, '7848b91c0101febe3d4ce2ec2ffa4ba99d46'],
    ['example. CSYNC 66 3 A NS AAAA', 62, '000000420003000460000008'],
    ['example. OPENPGPKEY AQID', 61, '010203'],
    ['_25._tcp.example. SMIMEA 3 1 1 ABCD', 53, '030101abcd'],
    ['_ftp._tcp.example. URI 10 1 "ftp://ftp1.example.com/public"', 256, '000a0001' + Buffer.from('ftp://ftp1.example.com/public').toString('hex')],
    ['example. HTTPS \\# 3 000100', 65, '000100'],
  ];
  for (const [text, type, hex] of cases) {
    const rr = parseRecord(text);
    assert.equal(rr.type, `UNKNOWN_${type}`, text);
    assert.equal((rdataOf(rr) as Buffer).toString('hex'), hex, text);
    assert.deepEqual(roundTrip([rr]), [rr], text);
    const shown = formatRecord(rr);
    assert.deepEqual(parseRecord(shown), rr, shown);
  }
  assert.equal(formatRecord(parseRecord('example. 60 ZONEMD 1 1 1 AB')), 'example. 60 IN ZONEMD \\# 7 000000010101ab');
  assert.deepEqual(parseQuestion('example. IN ZONEMD'), { name: 'example', type: 'UNKNOWN_63', class: 'IN' });
  assert.throws(() => parseRecord('example. SVCB 1 . alpn=h2'), /SVCB needs the generic/);
});

test('errors name the line', () => {
  const cases: [string, RegExp][] = [
    ['a.example. A 192.0.2.1\nb.example. A 300.1.1.1\n', /^line 2: bad IPv4 address/],
    ['a.example. AAAA 192.0.2.1', /^line 1: bad IPv6 address/],
    ['\n\na.example. NS ( x.example.\n', /^line 4: unbalanced \( opened on line 3/],
    ['a.example. TXT "open', /unterminated quoted string/],
    ['a.example. BOGUS 1', /^line 1: unknown type BOGUS/],
    ['a.example. MX 10', /^line 1: missing exchange/],
    ['a.example. A 192.0.2.1 extra', /^line 1: trailing data "extra"/],
    ['a.example. TYPE9 \\# 3 abcd', /^line 1: generic rdata length 3 does not match 2 octets/],
    ['a.example. SSHFP 1 1 zz', /^line 1: bad hex/],
    ['$INCLUDE other.zone', /^line 1: directive \$INCLUDE is not supported/],
    ['  A 192.0.2.1', /^line 1: no owner name/],
    ['a.example. NAPTR 1 1 "" "" "" .', /needs the generic/],
  ];
  for (const [text, re] of cases) {
    assert.throws(() => parseZone(text), (err: unknown) => {
      assert.ok(err instanceof WardError, text);
      const e = err;
      assert.equal(e.code, 'ERR_PRESENTATION', text);
      assert.match(e.message, re, text);
      return true;
    });
  }
  assert.throws(() => parseRecord('a.example. A 192.0.2.1\nb.example. A 192.0.2.2'), /expected one record, found 2/);
});

test('root-hints/named.root: 13 root servers, each with an IPv4 and an IPv6 address', () => {
  const hints = parseRootHints(readFileSync(join(REPO_ROOT, 'root-hints', 'named.root'), 'utf8'));
  assert.equal(hints.length, 13);
  assert.deepEqual(hints[0], { name: 'A.ROOT-SERVERS.NET', addresses: ['198.41.0.4', '2001:503:ba3e::2:30'] });
  for (const h of hints) assert.equal(h.addresses.length, 2, h.name);
  assert.deepEqual(hints.map((h) => h.name[0]).join(''), 'ABCDEFGHIJKLM');
});

test('root-hints/root.key: the root KSKs 20326 and 38696', () => {
  const keys = parseZone(readFileSync(join(REPO_ROOT, 'root-hints', 'root.key'), 'utf8'));
  assert.equal(keys.length, 2);
  for (const k of keys) {
    assert.equal(k.name, '.');
    assert.equal(k.type, 'DNSKEY');
    const d = rdataOf(k) as { flags: number; algorithm: number; key: Buffer };
    assert.equal(d.flags, 257);
    assert.equal(d.algorithm, 8);
    assert.equal(d.key.length, 260);
  }
  assert.deepEqual(roundTrip(keys), keys);
});

test('formatRecord writes text that parses back to the same record', () => {
  const rrs = [...parseZone(SAMPLE), parseRecord('k.example. DNSKEY 257 0 8 AQAB'), parseRecord('. 0 IN NS a.root-servers.net.'),
    parseRecord('w\\032x.example. TXT "tab\\009quote\\"back\\\\slash"')];
  for (const rr of rrs) {
    const text = formatRecord(rr);
    assert.deepEqual(parseRecord(text), rr, text);
  }
  assert.equal(formatRecord(parseRecord('a.example. 60 IN MX 10 mx.example.')), 'a.example. 60 IN MX 10 mx.example.');
  assert.equal(formatRecord(parseRecord('x. TYPE65000 \\# 2 abcd')), 'x. 3600 IN TYPE65000 \\# 2 abcd');
});

test('property: any A, AAAA, MX, TXT, DS or NSEC3 record survives text and wire round trips', () => {
  const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,12}$/);
  const name = fc.array(label, { minLength: 0, maxLength: 4 }).map((ls) => (ls.length === 0 ? '.' : ls.join('.')));
  const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max }).map((u) => Buffer.from(u));
  const data = fc.oneof(
    fc.ipV4().map((d) => ({ type: 'A', data: d })),
    fc.ipV6().map((d) => ({ type: 'AAAA', data: d })),
    fc.record({ preference: fc.nat(65535), exchange: name }).map((d) => ({ type: 'MX', data: d })),
    fc.array(bytes(0, 40), { minLength: 1, maxLength: 3 }).map((d) => ({ type: 'TXT', data: d })),
    fc.record({ keyTag: fc.nat(65535), algorithm: fc.nat(255), digestType: fc.nat(255), digest: bytes(1, 48) })
      .map((d) => ({ type: 'DS', data: d })),
    fc.record({ algorithm: fc.constant(1), flags: fc.nat(1), iterations: fc.nat(200), salt: bytes(0, 8), nextDomain: bytes(20, 20),
      rrtypes: fc.uniqueArray(fc.constantFrom('A', 'NS', 'SOA', 'MX', 'TXT', 'AAAA', 'RRSIG', 'DNSKEY'), { minLength: 1 }) })
      .map((d) => ({ type: 'NSEC3', data: d })),
  );
  fc.assert(fc.property(name, fc.nat(0x7fffffff), data, (owner, ttl, d) => {
    const [rr] = roundTrip([{ name: owner, ttl, class: 'IN', ...d } as unknown as Record]);
    assert.deepEqual(parseRecord(formatRecord(rr)), rr);
  }), { numRuns: 300 });
});
