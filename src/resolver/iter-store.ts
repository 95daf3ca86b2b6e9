/**
 * Putting a scrubbed reply into the cache: answer records at answer rank, the authority section's
 * NS sets at authority rank and name server addresses as additional data (RFC 2181 §5.4.1 ranks),
 * each grouped into RRsets. CNAMEs synthesized from a DNAME are not cached (RFC 6672 §3.4: they
 * are made again from the DNAME).
 */
import type { Record } from '../wire/index.js';
import { groupRRsets, isSubdomain, labelCount, rdataOf, setType, ttlOf } from '../wire/index.js';
import type { DnsCache, Rank } from '../cache/index.js';
import { RANK, rankOf } from '../cache/index.js';
import type { Scrubbed } from './scrub.js';
import { ownerOf, targetOf } from './scrub.js';

/**
 * Stores `records` grouped into RRsets by owner, type and class, each with its RRSIGs; `proof`
 * (NSEC/NSEC3) goes with the sets expanded from a wildcard (RRSIG labels below the owner's, RFC 4035 §5.3.4).
 */
export function storeRecords(cache: DnsCache, records: Record[], rank: Rank, proof: Record[] = []): void {
  for (const { data, sigs } of groupRRsets(records)) {
    if (data.length === 0) continue;
    const expanded = proof.length > 0 && sigs.some((sig) => labelsField(sig) < labelCount(ownerOf(sig)));
    cache.storeRRset(data, rank, sigs, expanded ? proof : undefined);
  }
}

/** The labels field of an RRSIG (RFC 4034 §3.1.3). */
function labelsField(sig: Record): number {
  return Number((rdataOf(sig) as { labels?: number } | undefined)?.labels);
}

/**
 * Stores the records an answer (positive or negative) was made of. Its authority NS set is kept
 * only from a server authoritative for the zone asked, and only for that zone: a non-authoritative
 * or off-zone NS set in an answer would let one reply re-point a delegation (the NS spoof Unbound's
 * scrubber stops). Addresses of those servers, and of an NS answer's, are taken only where nothing
 * is cached yet: an answer's additional section never replaces what the cache holds (RFC 2181 §5.4.1).
 */
export function storeAnswer(cache: DnsCache, s: Scrubbed, records: Record[], aa: boolean, zone: string): void {
  const dnames = records.filter((rr) => rr.type === 'DNAME').map(ownerOf);
  const real = dnames.length === 0 ? records : records.filter((rr) => rr.type !== 'CNAME' || !dnames.some((d) => isSubdomain(ownerOf(rr), d)));
  storeRecords(cache, real, rankOf('answer', aa), denialProof(s.authority));
  if (!aa) return;
  const ns = s.authority.filter((rr) => rr.type === 'NS' && ownerOf(rr) === zone);
  storeRecords(cache, ns, RANK.AUTH_AUTHORITY);
  if (s.additional.length === 0) return;
  // The servers of an NS answer (a priming reply, say) and of the authority NS set kept.
  const servers = new Set([...real, ...ns].filter((rr) => rr.type === 'NS').map(targetOf));
  const extra = s.additional.filter((rr) => servers.has(ownerOf(rr)) && cache.rrsetData(ownerOf(rr), rr.type) === undefined);
  storeRecords(cache, extra, RANK.ADDITIONAL);
}

/**
 * Stores the NS sets of the authority section and the addresses of their servers, and the DS sets
 * (with RRSIGs) of a secure referral, which the validator then finds without asking (RFC 4035 §3.1.4).
 */
export function storeDelegationData(cache: DnsCache, s: Scrubbed, aa: boolean): void {
  const ds = s.authority.filter((rr) => rr.type === 'DS' || (rr.type === 'RRSIG' && setType(rr) === 'DS'));
  storeRecords(cache, [...s.authority.filter((rr) => rr.type === 'NS'), ...ds], rankOf('authority', aa));
  storeRecords(cache, s.additional, RANK.ADDITIONAL);
}

/** The NSEC/NSEC3 records of a section and the RRSIGs over them (denial of existence, RFC 4035 §3.1.3). */
export function denialProof(section: Record[]): Record[] {
  const denial = (t: string): boolean => t === 'NSEC' || t === 'NSEC3';
  return section.filter((rr) => denial(rr.type) || (rr.type === 'RRSIG' && denial(setType(rr))));
}

/**
 * A referral to `zone` without DS but with NSEC/NSEC3 records is an insecure delegation's proof
 * (RFC 4035 §3.1.4.1, RFC 5155 §7.2.7): cached as "no DS at zone" (validated when used), TTL of the proof.
 */
export function storeReferralDenial(cache: DnsCache, s: Scrubbed, zone: string): void {
  if (s.authority.some((rr) => rr.type === 'DS')) return;
  const proof = denialProof(s.authority);
  if (proof.length === 0) return;
  const ttl = Math.min(...proof.map(ttlOf));
  cache.storeNegative('nodata', zone, 'DS', proof, RANK.AUTHORITY, ttl);
}
