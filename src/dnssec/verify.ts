/**
 * Signature checks with node:crypto only (RFC 4034 §3.1.8.1 data, RFC 4035 §5.3 checks). Keys are
 * imported as JWK: RSA from the RFC 3110 §2 exponent/modulus encoding, ECDSA P-256/P-384 from x||y
 * (RFC 6605 §4), Ed25519/Ed448 from the raw point (RFC 8080 §3). ECDSA signatures are r||s, checked
 * with dsaEncoding 'ieee-p1363'. Checks run in the libuv thread pool (verifySignature). Node 20's OpenSSL verifies RSA keys down to 512 bits (the size some
 * scenarios use) with crypto.verify, so no hand-made PKCS#1 check is needed.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import type { Record } from '../wire/index.js';
import { algorithmInfo } from './algorithms.js';
import { dataOf, signedData, type DnskeyData, type RrsigData } from './canonical.js';

const b64url = (b: Buffer): string => b.toString('base64url');

/** The JWK of a DNSKEY's public key, or undefined when the key material is malformed. */
function jwkOf(alg: number, key: Buffer): object | undefined {
  const info = algorithmInfo(alg);
  if (!info) return undefined;
  if (info.kind === 'rsa') {
    // RFC 3110 §2: exponent length in 1 octet, or 0 then 2 octets; exponent; modulus.
    if (key.length < 3) return undefined;
    let off = 1;
    let expLen = key[0];
    if (expLen === 0) { expLen = key.readUInt16BE(1); off = 3; }
    const e = key.subarray(off, off + expLen);
    const n = key.subarray(off + expLen);
    if (e.length !== expLen || n.length === 0) return undefined;
    return { kty: 'RSA', e: b64url(e), n: b64url(n) };
  }
  if (key.length !== info.keyLength) return undefined;
  if (info.kind === 'ecdsa') {
    const half = key.length / 2;
    return { kty: 'EC', crv: info.curve, x: b64url(key.subarray(0, half)), y: b64url(key.subarray(half)) };
  }
  return { kty: 'OKP', crv: info.curve, x: b64url(key) };
}

const MAX_KEYS = 1000;
const keyObjects = new Map<string, KeyObject | null>();

/** Per record object: a validated DNSKEY set is kept and checked against many times (no base64 id per check). */
const byRecord = new WeakMap<object, KeyObject | null>();

/** The imported key of a DNSKEY (memoised, bounded), or null when it cannot be imported. */
export function publicKeyOf(dnskey: Record): KeyObject | null {
  let key = byRecord.get(dnskey);
  if (key === undefined) {
    key = importedKey(dnskey);
    byRecord.set(dnskey, key);
  }
  return key;
}

/** The imported key of a DNSKEY by algorithm and key material (bounded). */
function importedKey(dnskey: Record): KeyObject | null {
  const d = dataOf<DnskeyData>(dnskey);
  const id = `${d.algorithm}/${d.key.toString('base64')}`;
  const have = keyObjects.get(id);
  if (have !== undefined) return have;
  let obj: KeyObject | null = null;
  try {
    const jwk = jwkOf(d.algorithm, d.key);
    if (jwk) obj = createPublicKey({ key: jwk as never, format: 'jwk' });
  } catch {
    obj = null; // RFC 4035 §5.3.1: a key that cannot be used authenticates nothing
  }
  if (keyObjects.size >= MAX_KEYS) keyObjects.delete(keyObjects.keys().next().value as string);
  keyObjects.set(id, obj);
  return obj;
}

/**
 * Checks the signature of one RRSIG over `data` with one DNSKEY, off the event loop: node:crypto's
 * verify with a callback runs in the libuv thread pool, so the resolver goes on while OpenSSL works.
 * Never rejects.
 */
export function verifySignature(dnskey: Record, sig: RrsigData, data: Buffer): Promise<boolean> {
  const info = algorithmInfo(sig.algorithm);
  const key = publicKeyOf(dnskey);
  if (!info || !key) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (err: Error | null, ok: boolean): void => resolve(err === null && ok);
    try {
      if (info.kind === 'ecdsa') verify(info.hash, data, { key, dsaEncoding: 'ieee-p1363' }, sig.signature, done);
      else verify(info.hash, data, key, sig.signature, done);
    } catch {
      resolve(false);
    }
  });
}

/** Checks one RRSIG over `rrset` with `dnskey` (cryptography only: times and names are checked by the caller). */
export function verifyRrsig(rrset: Record[], sigRecord: Record, dnskey: Record): Promise<boolean> {
  const data = signedData(sigRecord, rrset);
  return data === undefined ? Promise.resolve(false) : verifySignature(dnskey, dataOf<RrsigData>(sigRecord), data);
}
