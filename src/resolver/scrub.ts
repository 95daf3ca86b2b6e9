/**
 * Bailiwick scrubbing of an upstream reply before anything is used or cached (RFC 2181 §5.4.1,
 * Unbound iter_scrub.c): a server may only speak for the zone it was asked as (the delegation
 * point). Records outside that zone are dropped; authority NS sets must enclose the query name;
 * additional data is kept only as addresses of the name servers named in the reply, and with
 * harden_glue only when those addresses are inside the zone too.
 */
import type { Message, Record } from '../wire/index.js';
import { isSubdomain, normalizeName, rdataText } from '../wire/index.js';

export interface Scrubbed {
  answer: Record[];
  authority: Record[];
  additional: Record[];
  /** The authority section named servers for a zone above the one asked (dropped as out of zone). */
  upwardReferral: boolean;
}

const AUTHORITY_TYPES = new Set(['SOA', 'NS', 'DS', 'NSEC', 'NSEC3', 'RRSIG']);

/** The lowercased owner name of a record. */
export function ownerOf(rr: Record): string {
  return normalizeName(rr.name);
}

/** The lowercased target name of an NS, CNAME or DNAME record. */
export function targetOf(rr: Record): string {
  return normalizeName(rdataText(rr));
}

export function scrub(msg: Message, qname: string, zone: string, hardenGlue: boolean): Scrubbed {
  const inZone = (rr: Record): boolean => isSubdomain(ownerOf(rr), zone);
  const answer = msg.answers.filter((rr) => rr.type !== 'OPT' && inZone(rr));
  const authority = msg.authorities.filter((rr) => {
    if (!AUTHORITY_TYPES.has(rr.type) || !inZone(rr)) return false;
    return rr.type !== 'NS' || isSubdomain(qname, ownerOf(rr));
  });
  const nsNames = new Set<string>();
  for (const rr of [...answer, ...authority]) if (rr.type === 'NS') nsNames.add(targetOf(rr));
  const additional = msg.additionals.filter((rr) =>
    (rr.type === 'A' || rr.type === 'AAAA') && nsNames.has(ownerOf(rr)) && (!hardenGlue || inZone(rr)));
  const upwardReferral = msg.authorities.some((rr) =>
    rr.type === 'NS' && !inZone(rr) && isSubdomain(zone, ownerOf(rr)));
  return { answer, authority, additional, upwardReferral };
}
