/** DS records: the digest of a DNSKEY (RFC 4034 §5.1.4, RFC 4509, RFC 6605 §2) and DS ↔ DNSKEY matching. */
import { createHash } from 'node:crypto';
import type { Record } from '../wire/index.js';
import { digestName, isSupportedAlgorithm } from './algorithms.js';
import { dataOf, dnskeyRdata, nameWire, type DnskeyData, type DsData } from './canonical.js';
import { keyTag } from './key-tag.js';

/** RFC 4034 §5.1.4: digest = hash(owner name in canonical wire form | DNSKEY RDATA); undefined if unsupported. */
export function dsDigest(dnskey: Record, digestType: number): Buffer | undefined {
  const hash = digestName(digestType);
  if (!hash) return undefined;
  return createHash(hash).update(nameWire(dnskey.name)).update(dnskeyRdata(dnskey)).digest();
}

/** Whether a DS can be used at all: supported digest type and DNSKEY algorithm (RFC 4035 §5.2). */
export function dsUsable(ds: Record): boolean {
  const d = dataOf<DsData>(ds);
  return digestName(d.digestType) !== undefined && isSupportedAlgorithm(d.algorithm);
}

/** Whether `ds` points at `dnskey`: same key tag and algorithm, a zone key, and the digest matches. */
export function dsMatches(ds: Record, dnskey: Record): boolean {
  const d = dataOf<DsData>(ds);
  const k = dataOf<DnskeyData>(dnskey);
  if (d.algorithm !== k.algorithm || d.keyTag !== keyTag(dnskey)) return false;
  if ((k.flags & 0x0100) === 0) return false; // RFC 4034 §2.1.1: Zone Key flag must be set
  const digest = dsDigest(dnskey, d.digestType);
  return digest !== undefined && digest.equals(d.digest);
}
