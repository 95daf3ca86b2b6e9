/**
 * Test helpers for DNSSEC: real keys made with node:crypto at test time (DSA, RSA/SHA-256, ECDSA
 * P-256, Ed25519), their DNSKEY and DS records, and RRSIGs over RRsets in RFC 4034 canonical form, so the
 * validator is checked against signatures it did not make itself (the signed data comes from
 * src/dnssec signedData, the signature from node:crypto sign).
 */
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { parseRecord, parseZone, type Record } from '../../src/wire/index.js';
import { dnskeyRdata, keyTag, signedData } from '../../src/dnssec/index.js';

export type Alg = 3 | 8 | 13 | 15;

export interface TestKey { zone: string; alg: Alg; dnskey: Record; privateKey: KeyObject; tag: number }

/** A fresh key pair for `zone` as a DNSKEY record (flags 257 for a KSK, 256 for a ZSK; RSA of `rsaBits`). */
export function makeKey(zone: string, alg: Alg, ksk = true, rsaBits = 1024): TestKey {
  let publicKey: KeyObject;
  let privateKey: KeyObject;
  let raw: Buffer;
  if (alg === 3) {
    ({ publicKey, privateKey } = generateKeyPairSync('dsa', { modulusLength: 1024, divisorLength: 160 }));
    raw = dsaDnskeyData(publicKey);
  } else if (alg === 8) {
    ({ publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: rsaBits }));
    const jwk = publicKey.export({ format: 'jwk' });
    const e = Buffer.from(jwk.e as string, 'base64url');
    raw = Buffer.concat([Buffer.from([e.length]), e, Buffer.from(jwk.n as string, 'base64url')]); // RFC 3110 §2
  } else if (alg === 13) {
    ({ publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' }));
    const jwk = publicKey.export({ format: 'jwk' });
    raw = Buffer.concat([Buffer.from(jwk.x as string, 'base64url'), Buffer.from(jwk.y as string, 'base64url')]); // RFC 6605 §4
  } else {
    ({ publicKey, privateKey } = generateKeyPairSync('ed25519'));
    raw = Buffer.from(publicKey.export({ format: 'jwk' }).x as string, 'base64url'); // RFC 8080 §3
  }
  const dnskey = parseRecord(`${zone || '.'} 3600 IN DNSKEY ${ksk ? 257 : 256} 3 ${alg} ${raw.toString('base64')}`);
  return { zone, alg, dnskey, privateKey, tag: keyTag(dnskey) };
}

/** The first INTEGERs of a DER structure, in order, walking into SEQUENCEs and BIT STRINGs. */
export function derIntegers(der: Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let off = 0; off < der.length;) {
    const tag = der[off];
    let len = der[off + 1];
    let head = 2;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let i = 0; i < n; i++) len = len * 256 + der[off + 2 + i];
      head += n;
    }
    const body = der.subarray(off + head, off + head + len);
    if (tag === 0x02) out.push(body);
    else if (tag === 0x30) out.push(...derIntegers(body));
    else if (tag === 0x03) out.push(...derIntegers(body.subarray(1)));
    off += head + len;
  }
  return out;
}

/** Big-endian octets of an unsigned integer, left-padded (or sign octet dropped) to `size`. */
export function fixed(octets: Buffer, size: number): Buffer {
  const v = octets.subarray(Math.max(0, octets.length - size));
  return Buffer.concat([Buffer.alloc(size - v.length), v]);
}

/** RFC 2536 §2 DNSKEY data of a DSA public key: T, Q (20), P, G, Y (64 + T·8 octets each). */
function dsaDnskeyData(publicKey: KeyObject): Buffer {
  const [p, q, g, y] = derIntegers(publicKey.export({ format: 'der', type: 'spki' }));
  const size = fixed(p, 128).length; // 1024 bits: T = 8
  const t = (size - 64) / 8;
  return Buffer.concat([Buffer.from([t]), fixed(q, 20), fixed(p, size), fixed(g, size), fixed(y, size)]);
}

/** A DS record (digest type 2, SHA-256) for `key`, computed independently of src/dnssec/ds.ts. */
export function makeDs(key: TestKey, ttl = 3600): Record {
  const labels = key.zone === '' ? [] : key.zone.split('.');
  const owner = Buffer.concat([...labels.map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])]);
  const digest = createHash('sha256').update(owner).update(dnskeyRdata(key.dnskey)).digest('hex');
  return parseRecord(`${key.zone || '.'} ${ttl} IN DS ${key.tag} ${key.alg} 2 ${digest}`);
}

/** Signs an RRset with `key`, valid from `inception` to `expiration` (seconds); `labels` overrides for wildcards. */
export function signRRset(rrset: Record[], key: TestKey, inception: number, expiration: number, labels?: number): Record {
  return signWith(rrset, key, inception, expiration, (data) => {
    if (key.alg === 3) {
      // RFC 2536 §3: T, then R and S of 20 octets each.
      const t = keyDataOf(key.dnskey)[0];
      return Buffer.concat([Buffer.from([t]), sign('sha1', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })]);
    }
    if (key.alg === 13) return sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
    return sign(key.alg === 8 ? 'sha256' : null, data, key.privateKey);
  }, labels);
}

/** An RRSIG over `rrset` by (zone, alg, tag) whose signature `signer` makes from the RFC 4034 §3.1.8.1 data. */
export function signWith(
  rrset: Record[], key: { zone: string; alg: number; tag: number }, inception: number, expiration: number,
  signer: (data: Buffer) => Buffer, labels?: number,
): Record {
  const owner = rrset[0].name === '.' ? '' : rrset[0].name.toLowerCase();
  const n = labels ?? (owner === '' ? 0 : owner.split('.').filter((l) => l !== '*').length);
  const ttl = (rrset[0] as { ttl?: number }).ttl ?? 3600;
  const fields = `${rrset[0].type} ${key.alg} ${n} ${ttl} ${expiration} ${inception} ${key.tag} ${key.zone || '.'}`;
  const sig = parseRecord(`${rrset[0].name} ${ttl} IN RRSIG ${fields} AAAA`); // placeholder signature, replaced below
  (sig as unknown as { data: { signature: Buffer } }).data.signature = signer(signedData(sig, rrset) as Buffer);
  return sig;
}

/** The public key field of a DNSKEY record. */
export function keyDataOf(dnskey: Record): Buffer {
  return (dnskey as unknown as { data: { key: Buffer } }).data.key;
}

/** Records from zone-file lines (TTL 3600 unless given). */
export function rrs(text: string): Record[] {
  return parseZone(text);
}

/** Now, and a validity window around it, in seconds. */
export const NOW = 1_700_000_000;
export const INCEPTION = NOW - 86_400;
export const EXPIRATION = NOW + 86_400;
