/**
 * A whole answer from an answer tier (another worker's, cache.shared's) kept in the RRset cache the
 * way the chain reads it back, so the next question for the name is a plain cache hit: the CNAME
 * links and the final RRset with their RRSIGs, or the denial (RFC 2308: SOA and NSEC/NSEC3 proof) at
 * the end of the chain. RRsets are ranked ANSWER (second-hand data, as a non-authoritative reply's
 * answer section: any authoritative answer replaces it, RFC 2181 §5.4.1), the denial AUTHORITY;
 * each gets the tier's DNSSEC state for the whole answer (a link that was secure in an insecure
 * answer is kept insecure: the safe side) and lives no longer than its TTLs, which carry the
 * writer's signature cap (RFC 4035 §5.3.3) even below cache.min_ttl. An answer the cache could not
 * give back as it came (a DNAME, additional data, authority records beside data that are not a
 * wildcard proof, a proof beside a CNAME chain) is not kept: the tier goes on answering it.
 */
import type { Record } from '../wire/index.js';
import { groupRRsets, RCODE, rrsetKeyFor, ttlOf, type RRsetGroup } from '../wire/index.js';
import { RANK, type DnsCache, type SharedAnswer } from '../cache/index.js';
import { targetOf } from './scrub.js';

const PROOF_TYPES = new Set(['NSEC', 'NSEC3', 'RRSIG']);

/** Keeps `a`, the answer to (lowercased `name`, `type`), in `cache`; false when it is not kept. */
export function keepInCache(cache: DnsCache, name: string, type: string, a: SharedAnswer): boolean {
  if (a.additional.length > 0) return false;
  const sets = new Map(groupRRsets(a.answer).map((g) => [g.key, g]));
  const links: RRsetGroup[] = [];
  let current = name;
  // The CNAME links from the question, as the chain followed them (each taken once: no loop).
  for (let link = type === 'CNAME' ? undefined : take(sets, current, 'CNAME'); link; link = take(sets, current, 'CNAME')) {
    links.push(link);
    current = targetOf(link.data[0]);
  }
  const final = take(sets, current, type);
  if (sets.size > 0 || [...links, ...(final ? [final] : [])].some((g) => g.data.length === 0)) return false;
  if (final) {
    if (a.rcode !== RCODE.NOERROR || !a.authority.every((rr) => PROOF_TYPES.has(rr.type))) return false;
    if (a.authority.length > 0 && links.length > 0) return false; // which link a wildcard proof is for is not known
  } else if (!a.authority.some((rr) => rr.type === 'SOA')) {
    return false;
  }
  for (const link of links) keepSet(cache, link, a.security);
  if (final) {
    keepSet(cache, final, a.security, a.authority);
  } else {
    const kind = a.rcode === RCODE.NXDOMAIN ? 'nxdomain' : 'nodata';
    if (cache.storeNegative(kind, current, type, a.authority, RANK.AUTHORITY)) {
      cache.setNegativeSecurity(current, type, a.security, smallest(a.authority), a.authority);
    }
  }
  return true;
}

/** The group of (owner, type) in `sets`, removed from it. */
function take(sets: Map<string, RRsetGroup>, owner: string, type: string): RRsetGroup | undefined {
  const key = rrsetKeyFor(owner, type);
  const g = sets.get(key);
  sets.delete(key);
  return g;
}

function keepSet(cache: DnsCache, g: RRsetGroup, security: SharedAnswer['security'], proof: Record[] = []): void {
  const first = g.data[0];
  if (cache.storeRRset(g.data, RANK.ANSWER, g.sigs, proof)) {
    cache.setRRsetSecurity(first.name, first.type, security, smallest([...g.data, ...g.sigs, ...proof]), g.data);
  }
}

const smallest = (records: Record[]): number => Math.min(...records.map(ttlOf));
