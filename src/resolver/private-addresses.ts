/**
 * DNS-rebinding protection (Unbound's private-address / private-domain, iterator/iter_priv.c):
 * A and AAAA records whose address lies in a configured private prefix are taken out of answers
 * for names that are not at or below a private domain. Only the offending records go; the rest of
 * an RRset stays. RRSIGs over a set that lost records no longer match it and go too (a client
 * validating itself would find the set bogus). Checked per RRset owner, so along a CNAME chain
 * each name is judged by itself: a public name's CNAME into a private domain keeps the target's
 * private addresses, as in Unbound.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';
import type { Record } from '../wire/index.js';
import { isSubdomain, normalizeName, RCODE, rdataText, rrsetKeyOf } from '../wire/index.js';
import type { ChainResult } from './chain-result.js';
import { EDE, ede, type Ede } from './ede.js';

export interface Filtered {
  /** The records left, in their order. */
  kept: Record[];
  /** The A/AAAA records taken out. */
  removed: Record[];
}

export class PrivateAddresses {
  /**
   * One list per family: node's BlockList matches an IPv4 address against IPv6 rules as its mapped
   * form, so ::ffff:0:0/96 in one list would catch every A record.
   */
  private readonly v4 = new BlockList();
  private readonly v6 = new BlockList();
  private readonly domains: string[];

  constructor(prefixes: string[], domains: string[]) {
    for (const p of prefixes) {
      const [address, length] = p.split('/');
      const family = isIPv4(address) ? 'ipv4' : 'ipv6';
      const list = family === 'ipv4' ? this.v4 : this.v6;
      if (length === undefined) list.addAddress(address, family);
      else list.addSubnet(address, Number(length), family);
    }
    this.domains = domains.map(normalizeName);
  }

  /** The filter for `config`, or undefined when no private prefix is configured (the default). */
  static from(config: { private_addresses: string[]; private_domains: string[] }): PrivateAddresses | undefined {
    return config.private_addresses.length > 0 ? new PrivateAddresses(config.private_addresses, config.private_domains) : undefined;
  }

  /** Whether `rr` is an address record of a public name pointing into a private prefix. */
  private offends(rr: Record): boolean {
    if (rr.type !== 'A' && rr.type !== 'AAAA') return false;
    const address = rdataText(rr);
    // An AAAA record's IPv4-mapped address (::ffff:a.b.c.d) also meets the IPv4 prefixes.
    const blocked = rr.type === 'A'
      ? isIPv4(address) && this.v4.check(address, 'ipv4')
      : isIPv6(address) && (this.v6.check(address, 'ipv6') || this.v4.check(address, 'ipv6'));
    if (!blocked) return false;
    const owner = normalizeName(rr.name);
    return !this.domains.some((d) => isSubdomain(owner, d));
  }

  filter(records: Record[]): Filtered {
    const removed = records.filter((rr) => this.offends(rr));
    if (removed.length === 0) return { kept: records, removed };
    const touched = new Set(removed.map(rrsetKeyOf));
    const kept = records.filter((rr) => !removed.includes(rr) && !(rr.type === 'RRSIG' && touched.has(rrsetKeyOf(rr))));
    return { kept, removed };
  }
}

/**
 * Whether filtering left the question without its data: some `type` records were removed and none
 * of that type remain. Unbound's scrubber leaves such a reply without an answer, which its iterator
 * then takes as a lame server (SERVFAIL); Ward says SERVFAIL directly, with EDE 15 (RFC 8914 §4.16:
 * blocked by the resolver's security policy).
 */
export function emptied(f: Filtered, type: string): boolean {
  return f.removed.some((rr) => rr.type === type) && !f.kept.some((rr) => rr.type === type);
}

export const PRIVATE_ADDRESS_REMOVED: Ede = ede(EDE.BLOCKED, 'private address removed (resolver.private_addresses)');

/**
 * The filter where answers leave the resolver for a client, whatever they came from (the cache,
 * which may hold what name server address lookups or glue brought, or data from before a reload
 * turned the filter on; the shared tier; serve-stale): answer and additional sections. An answer
 * left without the question's type is SERVFAIL; one that lost records is no longer the signed
 * set, so never secure (no AD).
 */
export function servedWithoutPrivateAddresses(r: ChainResult, type: string, filter: PrivateAddresses): ChainResult {
  if (r.rcode !== RCODE.NOERROR && r.rcode !== RCODE.NXDOMAIN) return r;
  const answer = filter.filter(r.answer);
  if (emptied(answer, type)) return { rcode: RCODE.SERVFAIL, answer: [], authority: [], ede: [PRIVATE_ADDRESS_REMOVED], security: 'indeterminate' };
  const additional = filter.filter(r.additional ?? []);
  if (answer.removed.length === 0 && additional.removed.length === 0) return r;
  return { ...r, answer: answer.kept, additional: additional.kept, ...(answer.removed.length > 0 && r.security === 'secure' ? { security: 'insecure' } : {}) };
}
