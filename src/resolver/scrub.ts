/**
 * Bailiwick scrubbing of an upstream reply before anything is used or cached (RFC 2181 §5.4.1,
 * Unbound iter_scrub.c): a server may only speak for the zone it was asked as (the delegation
 * point). Records outside that zone are dropped; authority NS sets must enclose the query name;
 * additional data is kept only as addresses of the name servers named in the reply, and with
 * harden_glue only when those addresses are inside the zone too.
 *
 * The answer section keeps the question's own name: its RRsets (a CNAME among them) and a DNAME
 * above it. The data of a CNAME's target in the same reply is not what the AA bit speaks for
 * (RFC 1035 §4.1.1: the query name or the first owner), and the target may lie below a zone cut of
 * the answering zone: unless it is signed and DNSSEC will check it (`proven`; the signature, not the
 * server, vouches for it, RFC 4035 §5.3.1), it is dropped and the target asked again from the
 * closest known delegation, as Unbound's scrub_sanitize cuts "remainders of CNAME chains". A
 * forwarder's chain is kept whole: it is a recursive server's resolution, and asking it again for
 * the target gets the same server's word.
 */
import type { Message, Record } from '../wire/index.js';
import { isSubdomain, normalizeName, rdataText, setType } from '../wire/index.js';

export interface Scrubbed {
  answer: Record[];
  authority: Record[];
  additional: Record[];
  /** The authority section named servers for a zone above the one asked (dropped as out of zone). */
  upwardReferral: boolean;
  /** Answer records past the question's name were dropped: the reply's RCODE and SOA speak for a chain end not kept. */
  chainCut: boolean;
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

/** A record at the question's name, or a DNAME (with its RRSIGs) above it (RFC 6672 §2.2). */
function ofQuestion(rr: Record, qname: string): boolean {
  const owner = ownerOf(rr);
  if (owner === qname) return true;
  const dname = rr.type === 'DNAME' || (rr.type === 'RRSIG' && setType(rr) === 'DNAME');
  return dname && isSubdomain(qname, owner);
}

export interface ScrubOptions {
  hardenGlue: boolean;
  /** The servers asked are a forwarder's: the answer section's chain is kept whole. */
  forwarder?: boolean;
  /** Whether DNSSEC validation covers a name: its signed records in the answer section are kept. */
  proven?: (name: string) => boolean;
}

export function scrub(msg: Message, qname: string, zone: string, how: ScrubOptions): Scrubbed {
  const { hardenGlue, forwarder = false, proven } = how;
  const inZone = (rr: Record): boolean => isSubdomain(ownerOf(rr), zone);
  /** Owners of the answer section's RRSIGs: made when a record past the question's name needs it. */
  let signed: Set<string> | undefined;
  const answer: Record[] = [];
  let ours = 0;
  for (const rr of msg.answers) {
    if (rr.type === 'OPT' || !inZone(rr)) continue;
    ours++;
    if (forwarder || ofQuestion(rr, qname)) { answer.push(rr); continue; }
    signed ??= new Set(msg.answers.filter((s) => s.type === 'RRSIG').map(ownerOf));
    if (proven && signed.has(ownerOf(rr)) && proven(ownerOf(rr))) answer.push(rr);
  }
  const authority = msg.authorities.filter((rr) => {
    if (!AUTHORITY_TYPES.has(rr.type) || !inZone(rr)) return false;
    return rr.type !== 'NS' || isSubdomain(qname, ownerOf(rr));
  });
  let nsNames: Set<string> | undefined;
  for (const section of [answer, authority]) {
    for (const rr of section) if (rr.type === 'NS') (nsNames ??= new Set()).add(targetOf(rr));
  }
  const names = nsNames;
  const additional = names === undefined ? [] : msg.additionals.filter((rr) =>
    (rr.type === 'A' || rr.type === 'AAAA') && names.has(ownerOf(rr)) && (!hardenGlue || inZone(rr)));
  const upwardReferral = msg.authorities.some((rr) =>
    rr.type === 'NS' && !inZone(rr) && isSubdomain(zone, ownerOf(rr)));
  return { answer, authority, additional, upwardReferral, chainCut: answer.length < ours };
}
