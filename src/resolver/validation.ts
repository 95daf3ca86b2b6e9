/**
 * The validator's place in the pipeline (ANCHORS.md §4.6: cache lookup → iterator → validator →
 * cache store): each step of a client's resolution that has no stored security state is validated
 * (dnssec/Validator) and the result is stored with the cached data, so later cache hits keep their
 * AD or bogus status without validating again. Also builds the ChainFetcher that routes the
 * validator's DS/DNSKEY lookups back into the resolver (referral DS sets and denials first, RFC 4035
 * §3.1.4), never validating them there (the validator checks them itself).
 */
import { RANK, type DnsCache } from '../cache/index.js';
import type { Logger } from '../log/index.js';
import type { ChainFetcher, Security, TtlCaps, Validator, Verdict } from '../dnssec/index.js';
import { capTtls, lowestCap, rrsets } from '../dnssec/index.js';
import type { Record } from '../wire/index.js';
import { EDE_CODE, RCODE } from '../wire/index.js';
import { errorMessage, type Clock } from '../util/index.js';
import { AggressiveNsec } from './aggressive-nsec.js';
import type { IterOutcome } from './iter-types.js';
import { ownerOf } from './scrub.js';

type Step = Exclude<IterOutcome, { kind: 'fail' }>;

/** RFC 8914 §4.7: DNSSEC Bogus, for bogus data found in the cache (the first reason is not kept). */
const BOGUS_EDE = { infoCode: EDE_CODE.DNSSEC_BOGUS, extraText: 'cached data failed DNSSEC validation' };
/** Seconds bogus data stays in the cache. */
const BOGUS_TTL_S = 60;

export class StepValidation {
  private readonly aggressive: AggressiveNsec;

  constructor(private readonly validator: Validator, private readonly cache: DnsCache, private readonly log: Logger, clock: Clock) {
    this.aggressive = new AggressiveNsec(clock);
  }

  /** RFC 8198: an answer for (name, type) made from NSECs (and wildcards) validated earlier, if they prove one. */
  synthesize(name: string, type: string): IterOutcome | undefined {
    return this.aggressive.lookup(name, type);
  }

  /** Whether names at or below `name` are validated (an anchor above, no negative anchor). */
  covers(name: string): boolean { return this.validator.covers(name); }

  /** Forgets the NSEC/NSEC3 ranges kept for synthesis (a cache flush must not leave denials behind). */
  forget(): void { this.aggressive.clear(); }

  /** The stored security of a step from the cache, without any work (the cache-hit path); undefined if never validated. */
  known(step: Exclude<IterOutcome, { kind: 'fail' }>): Verdict | undefined {
    if (!step.security) return undefined;
    return step.security === 'bogus' ? { security: 'bogus', ede: BOGUS_EDE } : { security: step.security };
  }

  /**
   * The security of one step for (lowercased name, type); validates and stores it unless known. A
   * step found secure comes back with its TTLs capped as its signatures allow, and the cache keeps
   * it no longer (RFC 4035 §5.3.3).
   */
  async check(name: string, type: string, step: Step): Promise<{ step: Step; verdict: Verdict }> {
    const known = this.known(step);
    if (known) return { step, verdict: known };
    const negative = step.kind === 'nxdomain' || step.kind === 'nodata';
    let verdict: Verdict;
    try {
      verdict = await this.validator.validate({
        qname: name, qtype: type, kind: step.kind,
        records: step.conflicts && step.conflicts.length > 0 ? [...step.records, ...step.conflicts] : step.records,
        authority: negative ? step.authority : step.proof ?? [], ...(step.zone !== undefined ? { zone: step.zone } : {}),
      });
    } catch (err) {
      // Malformed records the crypto or encoders refuse: never served as secure (RFC 4035 §5.5).
      this.log.warn({ qname: name, qtype: type, err: errorMessage(err) }, 'validation failed');
      verdict = { security: 'bogus', ede: { infoCode: EDE_CODE.DNSSEC_BOGUS, extraText: 'validation error' } };
    }
    if (this.log.isLevelEnabled('debug')) this.log.debug({ qname: name, qtype: type, kind: step.kind, security: verdict.security, ede: verdict.ede }, 'validated');
    let served = step;
    if (verdict.provesNoData && served.kind === 'nxdomain') served = this.asNoData(served, served.name ?? name, type);
    if (verdict.security === 'bogus') {
      // Only the RRset that failed is stored as bogus, for at most a minute (RFC 4035 §4.7's BAD
      // cache; Unbound's val-bogus-ttl); the rest is validated again when used.
      const [owner, rrtype] = verdict.bogusRRset?.split('|') ?? [];
      if (owner !== undefined) this.cache.setRRsetSecurity(owner, rrtype, 'bogus', BOGUS_TTL_S);
      if (negative && owner === undefined) this.cache.setNegativeSecurity(step.name ?? name, type, 'bogus', BOGUS_TTL_S);
    } else {
      const caps = verdict.ttlCaps ?? new Map<string, number>();
      for (const set of rrsets(step.records)) {
        this.cache.setRRsetSecurity(ownerOf(set[0]), set[0].type, verdict.security, lowestCap(set, caps), set);
      }
      if (negative) this.cache.setNegativeSecurity(step.name ?? name, type, verdict.security, lowestCap(step.authority, caps), step.authority);
      served = capped(served, caps);
    }
    if (verdict.security === 'secure' && verdict.nsecs) {
      const nsecs = capTtls(verdict.nsecs, verdict.ttlCaps ?? new Map());
      if (served.kind === 'nxdomain' || served.kind === 'nodata') this.aggressive.store(nsecs, served.authority);
      else this.aggressive.storeWildcards(served.records, nsecs, served.proof ?? []);
    }
    return { step: served, verdict };
  }

  /**
   * An NXDOMAIN whose proof shows the name exists (an empty non-terminal) is a NODATA with the wrong
   * rcode: answered and cached as NODATA, so names below it are not denied (RFC 8020 does not apply).
   */
  private asNoData(step: Extract<Step, { kind: 'nxdomain' | 'nodata' }>, name: string, type: string): Step {
    this.cache.remove(name, type);
    this.cache.storeNegative('nodata', name, type, step.authority, RANK.AUTH_AUTHORITY);
    return { ...step, kind: 'nodata' };
  }
}

/** The step with the TTLs of its authenticated RRsets lowered to their caps (RFC 4035 §5.3.3). */
function capped(step: Step, caps: TtlCaps): Step {
  if (caps.size === 0) return step;
  const out = { ...step, records: capTtls(step.records, caps) };
  if ('authority' in out) out.authority = capTtls(out.authority, caps);
  if (out.proof) out.proof = capTtls(out.proof, caps);
  return out;
}

/** RFC 4035 §5: the security of a whole answer is its weakest step's. */
export function weaker(a: Security, b: Security): Security {
  const order: Security[] = ['secure', 'indeterminate', 'insecure', 'bogus'];
  return order.indexOf(b) > order.indexOf(a) ? b : a;
}

/** The resolver as the fetcher needs it: resolve without validation, and distrust a bogus answer. */
export interface FetchVia {
  resolve(name: string, type: string): Promise<{ rcode: number; answer: Record[]; authority: Record[] }>;
  distrust(name: string, type: string): void;
}

/**
 * DS and DNSKEY lookups for the validator: a DS set or a DS denial cached from a referral answers
 * at once (any rank); anything else is resolved (cache, then mesh) without validation. A refetch
 * first distrusts the previous answer (its server goes last, the cached copy is dropped).
 */
export function chainFetcher(cache: DnsCache, via: FetchVia): ChainFetcher {
  return async (name, type, refetch = false) => {
    if (refetch) via.distrust(name, type);
    if (type === 'DS') {
      const hit = cache.getRRset(name, 'DS');
      if (hit) return { rcode: RCODE.NOERROR, answer: [...hit.records, ...hit.sigs], authority: [] };
      const neg = cache.getNegative(name, 'DS');
      if (neg) {
        return { rcode: neg.kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR, answer: [], authority: neg.authority };
      }
    }
    const r = await via.resolve(name, type);
    return { rcode: r.rcode, answer: r.answer, authority: r.authority };
  };
}
