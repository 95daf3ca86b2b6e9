/**
 * Denial of existence on hand-built record sets: NSEC (RFC 4035 §5.4: name error, NODATA, empty
 * non-terminal, wildcard NODATA, DS absence at a delegation) and NSEC3 (RFC 5155: the hash vectors
 * of Appendix A — zone "example", salt aabbccdd, 12 iterations — and the proofs of §8.4-§8.7,
 * opt-out, the RFC 9276 iteration limit, parent-side NSEC3s, and the RFC 8198 synthesis from kept
 * NSEC3s). The proofs here are checked without signatures: the
 * validator authenticates the records first (dnssec-validator.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compareNames, nsec3Hash, nsec3NameError, nsec3NoData, nsec3NoDs, nsec3Synthesis, nsecCovers, nsecNameError, nsecNoData, nsecNoDs,
} from '../../src/dnssec/index.js';
import { rrs } from './dnssec-fixtures.js';

test('canonical name order (RFC 4034 §6.1 example)', () => {
  const ordered = ['example', 'a.example', 'yljkjljk.a.example', 'Z.a.example', 'zABC.a.EXAMPLE', 'z.example', '\\001.z.example', '*.z.example', '\\200.z.example'];
  const plain = ordered.filter((n) => !n.includes('\\'));
  for (let i = 1; i < plain.length; i++) assert.ok(compareNames(plain[i - 1], plain[i]) < 0, `${plain[i - 1]} < ${plain[i]}`);
  assert.equal(compareNames('A.Example', 'a.example'), 0);
});

const zone = rrs(`
example.        3600 IN NSEC a.example. NS SOA RRSIG NSEC DNSKEY
a.example.      3600 IN NSEC b.example. NS DS RRSIG NSEC
b.example.      3600 IN NSEC ns1.example. NS RRSIG NSEC
ns1.example.    3600 IN NSEC x.y.example. A RRSIG NSEC
x.y.example.    3600 IN NSEC *.z.example. MX RRSIG NSEC
*.z.example.    3600 IN NSEC example. TXT RRSIG NSEC
`);
const pick = (...owners: string[]) => zone.filter((rr) => owners.includes(rr.name));

test('NSEC covers names between its owner and next name, wrapping at the apex', () => {
  const [apex, , , ns1, , last] = zone;
  assert.equal(nsecCovers(ns1, 'p.example'), true);
  assert.equal(nsecCovers(ns1, 'ns1.example'), false, 'the owner itself is not covered');
  assert.equal(nsecCovers(last, 'zz.example'), true, 'after the last name, up to the apex');
  assert.equal(nsecCovers(apex, '0.example'), true);
  assert.equal(nsecCovers(pick('b.example')[0], 'www.b.example'), false, 'not below a delegation (RFC 6840 §4.1)');
});

test('NSEC name error needs the name and the wildcard at the closest encloser covered', () => {
  assert.equal(nsecNameError(pick('ns1.example'), 'p.example'), false, '*.example is not covered by the ns1 NSEC');
  assert.equal(nsecNameError(pick('ns1.example', 'example'), 'p.example'), true, '*.example sorts between example and a.example');
  assert.equal(nsecNameError(pick('x.y.example'), 'q.z.example'), false, 'name covered, but *.z.example exists');
});

test('NSEC NODATA: type absent at the name, empty non-terminal, wildcard NODATA', () => {
  assert.equal(nsecNoData(pick('ns1.example'), 'ns1.example', 'AAAA'), true);
  assert.equal(nsecNoData(pick('ns1.example'), 'ns1.example', 'A'), false);
  assert.equal(nsecNoData(pick('ns1.example'), 'y.example', 'A'), true, 'y.example is an empty non-terminal');
  assert.equal(nsecNoData(pick('x.y.example', '*.z.example'), 'host.z.example', 'A'), true, 'wildcard NODATA');
  assert.equal(nsecNoData(pick('x.y.example', '*.z.example'), 'host.z.example', 'TXT'), false);
  assert.equal(nsecNoData(pick('b.example'), 'b.example', 'A'), false, 'a parent-side NSEC only denies DS');
});

test('NSEC and DS: insecure delegation, no zone cut, or nothing proven', () => {
  assert.equal(nsecNoDs(pick('b.example'), 'b.example'), 'delegation');
  assert.equal(nsecNoDs(pick('a.example'), 'a.example'), undefined, 'DS bit set');
  assert.equal(nsecNoDs(pick('ns1.example'), 'ns1.example'), 'no-cut');
  assert.equal(nsecNoDs(pick('example'), 'example'), undefined, 'the child apex NSEC proves nothing about DS');
  assert.equal(nsecNoDs(pick('ns1.example'), 'p.example'), 'no-cut', 'the name does not exist');
});

test('NSEC3 hashes: RFC 5155 Appendix A vectors', () => {
  const salt = Buffer.from('aabbccdd', 'hex');
  const vectors: [string, string][] = [
    ['example', '0p9mhaveqvm6t7vbl5lop2u3t2rp3tom'], ['a.example', '35mthgpgcu1qg68fab165klnsnk3dpvl'],
    ['ai.example', 'gjeqe526plbf1g8mklp59enfd789njgi'], ['ns1.example', '2t7b4g4vsa5smi47k61mv5bv1a22bojr'],
    ['ns2.example', 'q04jkcevqvmu85r014c7dkba38o0ji5r'], ['w.example', 'k8udemvp1j2f7eg6jebps17vp3n8i58h'],
    ['*.w.example', 'r53bq7cc2uvmubfu5ocmm6pers9tk9en'], ['x.w.example', 'b4um86eghhds6nea196smvmlo4ors995'],
    ['y.w.example', 'ji6neoaepv8b5o6k4ev33abha8ht9fgc'], ['x.y.w.example', '2vptu5timamqttgl4luu9kg21e0aor3s'],
    ['xx.example', 't644ebqk9bibcna874givr6joj62mlhv'],
  ];
  for (const [name, hash] of vectors) assert.equal(nsec3Hash(name, salt, 12), hash, name);
});

// The NSEC3 chain of RFC 5155 Appendix A (types trimmed to what the proofs look at), without opt-out.
const optOutChain = rrs(`
0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 1 12 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr MX DNSKEY NS SOA NSEC3PARAM RRSIG
2t7b4g4vsa5smi47k61mv5bv1a22bojr.example. 3600 IN NSEC3 1 1 12 aabbccdd 2vptu5timamqttgl4luu9kg21e0aor3s A RRSIG
2vptu5timamqttgl4luu9kg21e0aor3s.example. 3600 IN NSEC3 1 1 12 aabbccdd 35mthgpgcu1qg68fab165klnsnk3dpvl MX RRSIG
35mthgpgcu1qg68fab165klnsnk3dpvl.example. 3600 IN NSEC3 1 1 12 aabbccdd b4um86eghhds6nea196smvmlo4ors995 NS DS RRSIG
b4um86eghhds6nea196smvmlo4ors995.example. 3600 IN NSEC3 1 1 12 aabbccdd gjeqe526plbf1g8mklp59enfd789njgi MX RRSIG
gjeqe526plbf1g8mklp59enfd789njgi.example. 3600 IN NSEC3 1 1 12 aabbccdd ji6neoaepv8b5o6k4ev33abha8ht9fgc A HINFO AAAA RRSIG
ji6neoaepv8b5o6k4ev33abha8ht9fgc.example. 3600 IN NSEC3 1 1 12 aabbccdd k8udemvp1j2f7eg6jebps17vp3n8i58h
k8udemvp1j2f7eg6jebps17vp3n8i58h.example. 3600 IN NSEC3 1 1 12 aabbccdd kohar7mbb8dc2ce8a9qvl8hon4k53uhi
kohar7mbb8dc2ce8a9qvl8hon4k53uhi.example. 3600 IN NSEC3 1 1 12 aabbccdd q04jkcevqvmu85r014c7dkba38o0ji5r A RRSIG
q04jkcevqvmu85r014c7dkba38o0ji5r.example. 3600 IN NSEC3 1 1 12 aabbccdd r53bq7cc2uvmubfu5ocmm6pers9tk9en A RRSIG
r53bq7cc2uvmubfu5ocmm6pers9tk9en.example. 3600 IN NSEC3 1 1 12 aabbccdd t644ebqk9bibcna874givr6joj62mlhv MX RRSIG
t644ebqk9bibcna874givr6joj62mlhv.example. 3600 IN NSEC3 1 1 12 aabbccdd 0p9mhaveqvm6t7vbl5lop2u3t2rp3tom A HINFO AAAA RRSIG
`);
const chain = optOutChain.map((rr) => ({ ...rr, data: { ...(rr as { data: object }).data, flags: 0 } }) as typeof rr);
const h = (...prefixes: string[]) => chain.filter((rr) => prefixes.some((p) => rr.name.startsWith(p)));

test('NSEC3 name error (RFC 5155 Appendix B.1): a.c.x.w.example', () => {
  // Closest encloser x.w.example (b4um...), next closer c.x.w.example covered by 0p9m..., *.x.w.example by b4um...
  assert.equal(nsec3NameError(h('b4um', '35mt', '0p9m'), 'a.c.x.w.example'), 'secure');
  assert.equal(nsec3NameError(h('b4um', '0p9m'), 'a.c.x.w.example'), undefined, 'wildcard proof missing');
});

test('NSEC3 NODATA (B.2), empty non-terminal (B.2.1), wildcard NODATA (B.7) and DS', () => {
  assert.equal(nsec3NoData(h('2t7b'), 'ns1.example', 'MX'), 'secure');
  assert.equal(nsec3NoData(h('2t7b'), 'ns1.example', 'A'), undefined);
  assert.equal(nsec3NoData(h('ji6n'), 'y.w.example', 'A'), 'secure', 'empty non-terminal');
  assert.equal(nsec3NoData(h('k8ud', 'q04j', 'r53b'), 'a.z.w.example', 'AAAA'), 'secure', 'closest encloser w.example, *.w.example has no AAAA');
  assert.equal(nsec3NoDs(h('35mt'), 'a.example'), undefined, 'DS bit set');
  assert.equal(nsec3NoDs(h('0p9m'), 'example'), undefined, 'the apex NSEC3 (SOA) proves nothing about DS');
  assert.equal(nsec3NoDs(h('2t7b'), 'ns1.example'), 'no-cut');
});

test('NSEC3 opt-out (RFC 5155 §6, §8.6, §9.2): an unsigned delegation may hide in the span, so no AD', () => {
  const optOut = (...prefixes: string[]) => optOutChain.filter((rr) => prefixes.some((p) => rr.name.startsWith(p)));
  // c.example does not exist: closest encloser example, next closer c.example inside an opt-out span.
  assert.equal(nsec3NoDs(optOut('0p9m', '2t7b', '2vpt', '35mt', 'b4um', 'gjeq', 'ji6n', 'k8ud', 'koha', 'q04j', 'r53b', 't644'), 'c.example'), 'delegation');
  assert.equal(nsec3NoDs(h('0p9m', '2t7b', '2vpt', '35mt', 'b4um', 'gjeq', 'ji6n', 'k8ud', 'koha', 'q04j', 'r53b', 't644'), 'c.example'), 'no-cut');
  assert.equal(nsec3NameError(optOut('b4um', '35mt', '0p9m'), 'a.c.x.w.example'), 'insecure');
  assert.equal(nsec3NoData(optOut('0p9m', '2t7b', '2vpt', '35mt', 'b4um', 'gjeq', 'ji6n', 'k8ud', 'koha', 'q04j', 'r53b', 't644'), 'c.example', 'A'), 'insecure');
});

test('NSEC3 above 150 iterations is insecure (RFC 9276 §3.2)', () => {
  const high = rrs('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 0 500 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG');
  assert.equal(nsec3NameError(high, 'nope.example'), 'insecure');
  assert.equal(nsec3NoDs(high, 'nope.example'), 'insecure');
});

test('a parent-side NSEC3 (NS without SOA) proves nothing below the delegation and denies only DS (RFC 5155 §8.3, RFC 6840 §4.1)', () => {
  // a.example (35mt...) is a delegation with DS: names below it belong to the child zone.
  assert.equal(nsec3NameError(chain, 'x.a.example'), undefined, 'no closest encloser proof at a delegation point');
  assert.equal(nsec3NoData(chain, 'x.a.example', 'A'), undefined);
  assert.equal(nsec3NoData(chain, 'a.example', 'A'), undefined, 'the A records are in the child zone');
  assert.equal(nsec3NoData(chain, 'ns1.example', 'MX'), 'secure');
});

test('RFC 8198 with NSEC3: kept records synthesize NXDOMAIN and NODATA only where the proof is secure', () => {
  const owners = (d: ReturnType<typeof nsec3Synthesis>): string[] => (d?.proof ?? []).map((rr) => rr.name.slice(0, 4)).sort();
  const nx = nsec3Synthesis(chain, 'a.c.x.w.example', 'A');
  assert.equal(nx?.kind, 'nxdomain');
  assert.deepEqual(owners(nx), ['0p9m', '35mt', 'b4um'], 'closest encloser x.w.example (b4um), next closer covered (35mt), wildcard covered (0p9m): B.1');
  const nodata = nsec3Synthesis(chain, 'ns1.example', 'MX');
  assert.deepEqual([nodata?.kind, owners(nodata)], ['nodata', ['2t7b']]);
  assert.equal(nsec3Synthesis(chain, 'ns1.example', 'A'), undefined, 'the name has the type');
  const wildcard = nsec3Synthesis(chain, 'a.z.w.example', 'AAAA');
  assert.deepEqual([wildcard?.kind, owners(wildcard)], ['nodata', ['k8ud', 'q04j', 'r53b']], 'wildcard NODATA (B.7)');
  assert.equal(nsec3Synthesis(chain, 'a.z.w.example', 'MX'), undefined, 'the wildcard has MX: an answer, not a denial');
  assert.equal(nsec3Synthesis(h('b4um', '0p9m'), 'a.c.x.w.example', 'A'), undefined, 'wildcard not covered by what is kept');
  assert.equal(nsec3Synthesis(optOutChain, 'a.c.x.w.example', 'A'), undefined, 'opt-out span: never synthesized');
  assert.equal(nsec3Synthesis(optOutChain, 'c.example', 'A'), undefined);
  assert.equal(nsec3Synthesis(chain, 'x.a.example', 'A'), undefined, 'below a delegation');
  const high = rrs('0p9mhaveqvm6t7vbl5lop2u3t2rp3tom.example. 3600 IN NSEC3 1 0 500 aabbccdd 2t7b4g4vsa5smi47k61mv5bv1a22bojr A RRSIG');
  assert.equal(nsec3Synthesis(high, 'nope.example', 'A'), undefined, 'above 150 iterations');
});
