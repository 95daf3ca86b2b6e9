/**
 * Classifies a scrubbed reply to (qname, qtype) asked of the servers of `zone` (cf. Unbound
 * response_type_from_server): an answer (possibly after a CNAME/DNAME chain inside the reply), a
 * chain leaving the reply (restart at its target), NXDOMAIN, NODATA, a referral to a zone below,
 * a lame reply (upward referral, or a recursive server's empty non-authoritative reply), or an
 * error RCODE (SERVFAIL, REFUSED, ... → next server). DNAME per RFC 6672 §2.2 (synthesized CNAME).
 * A negative answer applies to the chain's end only inside the zone asked (RFC 2181 §5.4.1).
 */
import type { Record } from '../wire/index.js';
import { isSubdomain, labelCount, RCODE, setType, ttlOf } from '../wire/index.js';
import { LIMITS } from './budget.js';
import type { Scrubbed } from './scrub.js';
import { ownerOf, targetOf } from './scrub.js';

export type ResponseClass =
  | { kind: 'answer'; records: Record[] }
  | { kind: 'cname'; records: Record[]; target: string }
  | { kind: 'nxdomain'; records: Record[]; name: string }
  /** `selfReferral`: no SOA, only the zone's own NS set (an ENT reply, or lame when not AA). */
  | { kind: 'nodata'; records: Record[]; name: string; selfReferral: boolean }
  | { kind: 'referral'; zone: string; ns: Record[] }
  /** RFC 6672 §2.2: a DNAME substitution would make a name too long. */
  | { kind: 'yxdomain'; records: Record[] }
  | { kind: 'lame' }
  | { kind: 'error'; rcode: number };

interface ReplyFacts { rcode: number; aa: boolean; ra: boolean }

const MAX_NAME_OCTETS = 253;
/** RFC 6672 §2.2 / RFC 2136: YXDOMAIN, a name that would be too long. */
export const YXDOMAIN = 6;

export function classify(s: Scrubbed, facts: ReplyFacts, qname: string, qtype: string, zone: string): ResponseClass {
  const { records, name, final, loop, tooLong } = followChain(s.answer, qname, qtype);
  if (tooLong || (facts.rcode === YXDOMAIN && records.length > 0)) return { kind: 'yxdomain', records };
  if (facts.rcode !== RCODE.NOERROR && facts.rcode !== RCODE.NXDOMAIN) return { kind: 'error', rcode: facts.rcode };
  if (final) return { kind: 'answer', records };
  if (loop) return { kind: 'cname', records, target: name };
  // A chain that leaves the zone: the server cannot deny its end, whatever its RCODE or SOA say
  // (else an NXDOMAIN after a CNAME into another zone would be cached for that zone's name). Nor
  // can a chain cut short by the scrub: the RCODE and SOA are about the end it no longer reaches.
  if (records.length > 0 && (s.chainCut || !isSubdomain(name, zone))) return { kind: 'cname', records, target: name };
  const soa = s.authority.find((rr) => rr.type === 'SOA' && isSubdomain(name, ownerOf(rr)));
  if (facts.rcode === RCODE.NXDOMAIN) return { kind: 'nxdomain', records, name };
  if (records.length > 0 && !soa) return { kind: 'cname', records, target: name };
  if (soa) {
    if (facts.ra && !facts.aa && records.length === 0) return { kind: 'lame' };
    return { kind: 'nodata', records, name, selfReferral: false };
  }
  const ns = s.authority.filter((rr) => rr.type === 'NS');
  if (ns.length > 0) {
    const cut = deepest(ns);
    const below = ns.filter((rr) => ownerOf(rr) === cut);
    if (cut !== zone) return { kind: 'referral', zone: cut, ns: below };
    if (facts.aa) return { kind: 'nodata', records, name, selfReferral: false };
    return { kind: 'nodata', records, name, selfReferral: true };
  }
  if (s.upwardReferral || (facts.ra && !facts.aa)) return { kind: 'lame' };
  return { kind: 'nodata', records, name, selfReferral: false };
}

interface Chain { records: Record[]; name: string; final: boolean; loop: boolean; tooLong?: boolean }

/**
 * Follows qname through the answer section: DNAMEs first (their synthesized CNAME replaces any
 * the server sent), then CNAMEs, until an RRset of qtype is found or the chain leaves the reply.
 */
function followChain(answer: Record[], qname: string, qtype: string): Chain {
  const records: Record[] = [];
  let name = qname;
  /** Names passed (made at the first hop). */
  let seen: Set<string> | undefined;
  for (let hop = 0; hop <= LIMITS.maxCnameChain; hop++) {
    const found = records.length;
    for (const rr of answer) if (ownerOf(rr) === name && (rr.type === qtype || qtype === 'ANY')) records.push(rr);
    if (records.length > found) {
      records.push(...sigsFor(answer, name, qtype));
      return { records, name, final: true, loop: false };
    }
    const dname = answer.find((rr) => rr.type === 'DNAME' && name !== ownerOf(rr) && isSubdomain(name, ownerOf(rr)));
    let next: string | undefined;
    if (dname) {
      next = synthesize(name, ownerOf(dname), targetOf(dname));
      if (next === undefined) return { records: [...records, dname], name, final: false, loop: false, tooLong: true };
      records.push(dname, ...sigsFor(answer, ownerOf(dname), 'DNAME'), synthesizedCname(name, dname, next));
      // A CNAME question is answered by the synthesized CNAME itself (RFC 6672 §3.2).
      if (qtype === 'CNAME') return { records, name, final: true, loop: false };
    } else {
      const cnames = answer.filter((rr) => ownerOf(rr) === name && rr.type === 'CNAME');
      if (cnames.length === 0 || qtype === 'CNAME') break;
      next = targetOf(cnames[0]);
      records.push(cnames[0], ...sigsFor(answer, name, 'CNAME'));
    }
    seen ??= new Set([qname]);
    name = next;
    if (seen.has(name)) return { records, name, final: false, loop: true };
    seen.add(name);
  }
  return { records, name, final: false, loop: false };
}

/** RFC 6672 §2.2: replaces the DNAME owner suffix of `name` with its target; undefined if too long. */
export function synthesize(name: string, owner: string, target: string): string | undefined {
  const prefix = owner === '' ? name : name.slice(0, name.length - owner.length - 1);
  const out = target === '' ? prefix : `${prefix}.${target}`;
  return out.length > MAX_NAME_OCTETS ? undefined : out;
}

/** The RRSIGs in `answer` covering (owner, type); none for ANY (they are part of the data). */
function sigsFor(answer: Record[], owner: string, type: string): Record[] {
  if (type === 'ANY' || type === 'RRSIG') return [];
  return answer.filter((rr) => rr.type === 'RRSIG' && ownerOf(rr) === owner && setType(rr) === type);
}

/** The CNAME a DNAME implies for `name` (RFC 6672 §3.1: TTL of the DNAME). */
export function synthesizedCname(name: string, dname: Record, target: string): Record {
  return { name, type: 'CNAME', class: 'IN', ttl: ttlOf(dname), data: target } as Record;
}

/**
 * CNAMEs of the reply that contradict the CNAME synthesized from a DNAME in `records` (RFC 6672
 * §3.2: the synthesized one is used; the validator must still see the mismatch, RFC 6672 §5.3.3).
 */
export function dnameConflicts(answer: Record[], records: Record[]): Record[] {
  if (!records.some(isDname)) return [];
  const synthesized = records.filter((rr) => rr.type === 'CNAME'
    && records.some((d) => d.type === 'DNAME' && ownerOf(rr) !== ownerOf(d) && isSubdomain(ownerOf(rr), ownerOf(d))));
  return answer.filter((rr) => rr.type === 'CNAME'
    && synthesized.some((c) => ownerOf(c) === ownerOf(rr) && targetOf(c) !== targetOf(rr)));
}

const isDname = (rr: Record): boolean => rr.type === 'DNAME';

/** The owner with the most labels among NS records (the closest cut to the query name). */
function deepest(ns: Record[]): string {
  let best = ownerOf(ns[0]);
  for (const rr of ns) if (labelCount(ownerOf(rr)) > labelCount(best)) best = ownerOf(rr);
  return best;
}
