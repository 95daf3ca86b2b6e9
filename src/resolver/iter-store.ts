/**
 * Putting a scrubbed reply into the cache: answer records at answer rank, the authority section's
 * NS sets at authority rank and name server addresses as additional data (RFC 2181 §5.4.1 ranks),
 * each grouped into RRsets. CNAMEs synthesized from a DNAME are not cached (RFC 6672 §3.4: they
 * are made again from the DNAME).
 */
import type { Record } from '../wire/index.js';
import { isSubdomain } from '../wire/index.js';
import type { DnsCache, Rank } from '../cache/index.js';
import { RANK, classOf, rankOf } from '../cache/index.js';
import type { Scrubbed } from './scrub.js';
import { ownerOf } from './scrub.js';

/** Stores `records` grouped into RRsets by owner, type and class, each with its RRSIGs. */
export function storeRecords(cache: DnsCache, records: Record[], rank: Rank): void {
  const sets = new Map<string, Record[]>();
  const sigs = new Map<string, Record[]>();
  for (const rr of records) {
    const sig = rr.type === 'RRSIG';
    const key = `${ownerOf(rr)}|${sig ? coveredType(rr) : rr.type}|${classOf(rr)}`;
    const into = sig ? sigs : sets;
    const list = into.get(key);
    if (list) list.push(rr); else into.set(key, [rr]);
  }
  for (const [key, set] of sets) cache.storeRRset(set, rank, sigs.get(key));
}

/** The type an RRSIG covers. */
export function coveredType(rr: Record): string {
  return String((rr as { data?: { typeCovered?: string } }).data?.typeCovered);
}

/** Stores the records an answer was made of, plus the reply's delegation data. */
export function storeAnswer(cache: DnsCache, s: Scrubbed, records: Record[], aa: boolean): void {
  const dnames = records.filter((rr) => rr.type === 'DNAME').map(ownerOf);
  const real = records.filter((rr) => rr.type !== 'CNAME' || !dnames.some((d) => isSubdomain(ownerOf(rr), d)));
  storeRecords(cache, real, rankOf('answer', aa));
  storeDelegationData(cache, s, aa);
}

/** Stores the NS sets of the authority section and the addresses of their servers. */
export function storeDelegationData(cache: DnsCache, s: Scrubbed, aa: boolean): void {
  storeRecords(cache, s.authority.filter((rr) => rr.type === 'NS'), rankOf('authority', aa));
  storeRecords(cache, s.additional, RANK.ADDITIONAL);
}
