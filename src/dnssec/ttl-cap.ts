/**
 * How long authenticated data may be kept and served (RFC 4035 §5.3.3): no longer than the RRset's
 * TTL, the RRSIG's own TTL, its Original TTL field, and the time left until its Signature
 * Expiration. Data kept past that would still be served as secure after its signature lapsed.
 * `TtlCaps` carries the cap of each RRset a validation authenticated, keyed by `rrsetKeyOf` (wire/rrsets.ts), so the
 * resolver can apply it to the cache and to the answer in one place (`capTtls`).
 */
import { declaredTtl, rrsetKeyOf, type Record } from '../wire/index.js';
import { dataOf, type RrsigData } from './canonical.js';
import type { TtlCaps } from './types.js';

const ttlOf = (rr: Record): number => declaredTtl(rr) ?? Infinity;

/**
 * RFC 4035 §5.3.3: the TTL `rrset` may have once `sigRecord` authenticated it at `nowSec` (the
 * caller has checked the validity period, so the expiration is not behind; 32-bit serial arithmetic).
 */
export function validatedTtl(rrset: Record[], sigRecord: Record, nowSec: number): number {
  const sig = dataOf<RrsigData>(sigRecord);
  const left = (sig.expiration - nowSec) >>> 0;
  let ttl = Math.min(ttlOf(sigRecord), sig.originalTTL, left);
  for (const rr of rrset) ttl = Math.min(ttl, ttlOf(rr));
  return ttl;
}

/** The records with each TTL lowered to its RRset's cap, if it has one (RRSIGs with the set they cover). */
export function capTtls(records: Record[], caps: TtlCaps): Record[] {
  return records.map((rr) => {
    const cap = caps.get(rrsetKeyOf(rr));
    return cap !== undefined && ttlOf(rr) > cap ? ({ ...rr, ttl: cap } as Record) : rr;
  });
}

/** The lowest cap among the RRsets of `records`, or undefined when none has one. */
export function lowestCap(records: Record[], caps: TtlCaps): number | undefined {
  let low: number | undefined;
  for (const rr of records) {
    const cap = caps.get(rrsetKeyOf(rr));
    if (cap !== undefined && (low === undefined || cap < low)) low = cap;
  }
  return low;
}
