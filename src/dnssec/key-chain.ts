/**
 * Finding a zone's validated DNSKEYs (RFC 4035 §5.1-§5.2, the validator's "findKeys" state): start
 * at the closest trust anchor and walk down label by label to the signer, asking for DS at each
 * name through the ChainFetcher: an authenticated DS set leads to the child's DNSKEY set, which must
 * be signed by a key the DS names; authenticated denial of DS at a delegation (NSEC/NSEC3, or an
 * opt-out span) makes everything below insecure; denial at a name that is no zone cut keeps the
 * parent's keys. Results are cached until their TTL runs out (bogus ones for a minute, as Unbound),
 * which for secure data is also capped by the signatures behind it (RFC 4035 §5.3.3).
 */
import type { Record } from '../wire/index.js';
import { declaredTtl, groupRRsets, RCODE, labelCount, lastLabels, normalizeName } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import { dataOf } from './canonical.js';
import { isSupportedAlgorithm } from './algorithms.js';
import { dsMatches, dsUsable } from './ds.js';
import { keyTag } from './key-tag.js';
import { nsecNoDs } from './nsec.js';
import { nsec3NoDs } from './nsec3.js';
import { bogus, checkRRset, sigsFor, type SigBudget } from './rrset-check.js';
import { closestAnchor, underNegativeAnchor } from './trust-anchors.js';
import { DNSSEC_EDE, type ChainAnswer, type ChainFetcher, type Ede, type TrustAnchors, type Verdict } from './types.js';

/** Validated keys of `zone` (the zone in force at the name asked), or why there are none. */
export type KeyResult =
  | { security: 'secure'; zone: string; keys: Record[] }
  | { security: 'insecure' | 'bogus'; ede?: Ede };

const BOGUS_TTL_S = 60;
/** Fresh fetches after a bogus DS or DNSKEY answer (each avoids the servers that gave bogus data). */
const MAX_REFETCH = 2;
const MAX_TTL_S = 86_400;
/** Labels below the anchor one walk may descend (one DS lookup each; ip6.arpa needs 34): a bound on the work. */
const MAX_WALK_DEPTH = 40;
/** Key results kept (oldest dropped first). */
const MAX_CACHED_ZONES = 10_000;

export class KeyChain {
  private readonly cache = new Map<string, { result: KeyResult; expires: number }>();
  private readonly pending = new Map<string, Promise<KeyResult>>();

  constructor(private readonly anchors: TrustAnchors, private readonly fetch: ChainFetcher, private readonly clock: Clock) {}

  private nowSec(): number { return Math.floor(this.clock.now() / 1000); }

  /** Whether names at or below `name` are validated at all (an anchor above, no negative anchor). */
  covers(name: string): boolean {
    return closestAnchor(this.anchors, name) !== undefined && !underNegativeAnchor(this.anchors, name);
  }

  /** The keys in force at `name` (normally a signer name): walks from the anchor down. */
  async keysFor(name: string, budget: SigBudget): Promise<KeyResult> {
    const target = normalizeName(name);
    const anchor = closestAnchor(this.anchors, target);
    if (anchor === undefined || underNegativeAnchor(this.anchors, target)) return { security: 'insecure' };
    const total = labelCount(target);
    const depth = total - labelCount(anchor);
    if (depth > MAX_WALK_DEPTH) return bogus(DNSSEC_EDE.DNSSEC_BOGUS, `${target} is more than ${MAX_WALK_DEPTH} labels below its trust anchor`);
    const known = this.cachedWalk(anchor, target, total, depth);
    if (known) return known;
    let cur = await this.step(anchor, () => this.anchorKeys(anchor, budget));
    for (let i = depth - 1; i >= 0 && cur.security === 'secure'; i--) {
      const parent = cur;
      cur = await this.step(lastLabels(target, total - i), (n) => this.descend(parent, n, budget));
    }
    return cur;
  }

  /**
   * The walk of keysFor when every step of it is cached and fresh (the usual case once a zone is
   * known): the same result, without a promise and a closure per label; undefined when some step is not.
   */
  private cachedWalk(anchor: string, target: string, total: number, depth: number): KeyResult | undefined {
    let cur = this.fresh(anchor);
    for (let i = depth - 1; i >= 0 && cur?.security === 'secure'; i--) cur = this.fresh(lastLabels(target, total - i));
    return cur;
  }

  private fresh(name: string): KeyResult | undefined {
    const hit = this.cache.get(name);
    return hit && hit.expires > this.clock.now() ? hit.result : undefined;
  }

  /** A cached or shared result for `name`, else runs `make`. */
  private async step(name: string, make: (name: string) => Promise<KeyResult>): Promise<KeyResult> {
    const hit = this.fresh(name);
    if (hit) return hit;
    let p = this.pending.get(name);
    if (!p) {
      p = make(name).finally(() => this.pending.delete(name));
      this.pending.set(name, p);
    }
    return p;
  }

  private remember(name: string, a: Attempt): KeyResult {
    const secs = a.result.security === 'bogus' ? BOGUS_TTL_S : Math.min(Math.max(a.ttl, 1), MAX_TTL_S);
    this.cache.delete(name);
    this.cache.set(name, { result: a.result, expires: this.clock.now() + secs * 1000 });
    if (this.cache.size > MAX_CACHED_ZONES) this.cache.delete(this.cache.keys().next().value as string);
    return a.result;
  }

  /**
   * Runs `attempt` again while it ends bogus, asking the fetcher to fetch afresh (it then avoids the
   * server that gave the bogus data: Unbound's blacklisting, RFC 4035 §5.5 on trying other servers).
   */
  private async retrying<T extends Attempt | { ds: Record[]; ttl: number }>(attempt: (refetch: boolean) => Promise<T>): Promise<T> {
    let r = await attempt(false);
    for (let i = 0; i < MAX_REFETCH && 'result' in r && r.result.security === 'bogus'; i++) r = await attempt(true);
    return r;
  }

  /** The anchored zone's keys: DS anchors lead to its DNSKEYs; DNSKEY anchors must sign the fetched set. */
  private async anchorKeys(zone: string, budget: SigBudget): Promise<KeyResult> {
    const anchored = this.anchors.zones.get(zone) ?? [];
    const ds = anchored.filter((rr) => rr.type === 'DS');
    if (ds.length > 0) return this.keysFromDs(zone, ds, budget, true);
    return this.remember(zone, await this.retrying(async (refetch): Promise<Attempt> => {
      const ans = await this.fetch(zone, 'DNSKEY', refetch);
      const keys = ownedBy(ans.answer, zone, 'DNSKEY');
      const trusted = keys.filter((k) => anchored.some((a) => a.type === 'DNSKEY' && sameKey(a, k)));
      if (trusted.length === 0) return failed(DNSSEC_EDE.DNSKEY_MISSING, `no anchored DNSKEY for ${zone || '.'}`);
      const v = await checkRRset(keys, sigsFor(ans.answer, zone, 'DNSKEY'), trusted, zone, this.nowSec(), budget);
      return v.security === 'secure' ? { result: { security: 'secure', zone, keys }, ttl: v.ttl ?? minTtl(keys) } : { result: asKeyFailure(v), ttl: 0 };
    }));
  }

  /** RFC 4035 §5.2: from an authenticated DS set (kept at most `dsTtl` seconds) to the child's DNSKEY set. */
  private async keysFromDs(zone: string, dsSet: Record[], budget: SigBudget, anchored = false, dsTtl = Infinity): Promise<KeyResult> {
    const supported = dsSet.filter(dsUsable);
    // RFC 4509 §3: with a SHA-256 (or stronger) DS present, SHA-1 DS records are ignored (no downgrade).
    const strong = supported.filter((ds) => dataOf<{ digestType: number }>(ds).digestType !== 1);
    const usable = strong.length > 0 ? strong : supported;
    // RFC 4035 §5.2: no supported algorithm or digest: insecure (RFC 6840 §5.2). An anchored zone is
    // primed first: no DNSKEY set at all is a failure even for unknown algorithms (as Unbound).
    const unsupported: Attempt = { result: { security: 'insecure', ede: unsupportedEde(dsSet) }, ttl: Math.min(minTtl(dsSet), dsTtl) };
    if (usable.length === 0 && !anchored) return this.remember(zone, unsupported);
    return this.remember(zone, await this.retrying(async (refetch): Promise<Attempt> => {
      const ans = await this.fetch(zone, 'DNSKEY', refetch);
      const keys = ownedBy(ans.answer, zone, 'DNSKEY');
      if (keys.length === 0) return failed(DNSSEC_EDE.DNSKEY_MISSING, `no DNSKEY for ${zone || '.'}`);
      if (usable.length === 0) return unsupported;
      const sigs = sigsFor(ans.answer, zone, 'DNSKEY');
      let failure: Attempt = failed(DNSSEC_EDE.DNSKEY_MISSING, `no DNSKEY of ${zone || '.'} matches its DS`);
      for (const ds of usable) {
        for (const key of keys.filter((k) => dsMatches(ds, k))) {
          const tag = keyTag(key);
          const own = sigs.filter((sig) => dataOf<{ keyTag: number }>(sig).keyTag === tag);
          const v = await checkRRset(keys, own, [key], zone, this.nowSec(), budget);
          if (v.security === 'secure') return { result: { security: 'secure', zone, keys }, ttl: Math.min(v.ttl ?? minTtl(keys), dsTtl) };
          failure = { result: asKeyFailure(v), ttl: 0 };
        }
      }
      return failure;
    }));
  }

  /** One label down from `parent`'s zone: is `name` a secure cut, an insecure one, or no cut? */
  private async descend(parent: SecureKeys, name: string, budget: SigBudget): Promise<KeyResult> {
    const r = await this.retrying((refetch) => this.dsAttempt(parent, name, budget, refetch));
    return 'ds' in r ? this.keysFromDs(name, r.ds, budget, false, r.ttl) : this.remember(name, r);
  }

  /** The DS set at `name` authenticated with the parent's keys, or what its absence means. */
  private async dsAttempt(parent: SecureKeys, name: string, budget: SigBudget, refetch: boolean): Promise<{ ds: Record[]; ttl: number } | Attempt> {
    const ans: ChainAnswer = await this.fetch(name, 'DS', refetch);
    const ds = ownedBy(ans.answer, name, 'DS');
    if (ds.length > 0) {
      const v = await checkRRset(ds, sigsFor(ans.answer, name, 'DS'), parent.keys, parent.zone, this.nowSec(), budget);
      return v.security === 'secure' ? { ds, ttl: v.ttl ?? minTtl(ds) } : { result: asKeyFailure(v), ttl: 0 };
    }
    if (ans.rcode !== RCODE.NOERROR && ans.rcode !== RCODE.NXDOMAIN) return failed(DNSSEC_EDE.DNSSEC_BOGUS, `DS lookup for ${name} failed`);
    // A CNAME at the name: no zone cut there (RFC 2181 §10.1), the parent's keys stay in force.
    if (ans.answer.some((rr) => rr.type === 'CNAME' && normalizeName(rr.name) === name)) return { result: parent, ttl: minTtl(ans.answer) };
    const denial = await authenticatedDenial(ans.authority, parent, this.nowSec(), budget);
    const says = nsecNoDs(denial.records, name) ?? nsec3NoDs(denial.records, name);
    const ttl = Math.min(minTtl(ans.authority), denial.ttl);
    if (says === 'delegation' || says === 'insecure') return { result: { security: 'insecure' }, ttl };
    if (says === 'no-cut') return { result: parent, ttl };
    return failed(DNSSEC_EDE.NSEC_MISSING, `no proof of absent DS at ${name}`);
  }
}

type SecureKeys = KeyResult & { security: 'secure' };
/** One try at a key result, with how long it may be cached. */
interface Attempt { result: KeyResult; ttl: number }

/** RFC 8914 §4.2/§4.3: why no DS could be used: no supported digest type (2), else no supported algorithm (1). */
function unsupportedEde(dsSet: Record[]): Ede {
  const knownAlgorithm = dsSet.some((ds) => isSupportedAlgorithm(dataOf<{ algorithm: number }>(ds).algorithm));
  return knownAlgorithm
    ? { infoCode: DNSSEC_EDE.UNSUPPORTED_DS_DIGEST, extraText: 'no DS with a supported digest type' }
    : { infoCode: DNSSEC_EDE.UNSUPPORTED_DNSKEY_ALGORITHM, extraText: 'no DS with a supported algorithm' };
}

function failed(infoCode: number, text: string): Attempt {
  return { result: bogus(infoCode, text), ttl: 0 };
}

/**
 * The NSEC/NSEC3 records of `authority` whose RRsets authenticate with the zone's keys, and the
 * lowest TTL cap among them (RFC 4035 §5.3.3; Infinity when there are none).
 */
export async function authenticatedDenial(authority: Record[], keys: SecureKeys, nowSec: number, budget: SigBudget): Promise<{ records: Record[]; ttl: number }> {
  const records: Record[] = [];
  let ttl = Infinity;
  for (const set of rrsets(authority.filter((rr) => rr.type === 'NSEC' || rr.type === 'NSEC3'))) {
    const v = await checkRRset(set, sigsFor(authority, set[0].name, set[0].type), keys.keys, keys.zone, nowSec, budget);
    if (v.security === 'secure') {
      records.push(...set);
      ttl = Math.min(ttl, v.ttl ?? Infinity);
    }
  }
  return { records, ttl };
}

/** The RRsets of `records` (their RRSIGs left out), in order of appearance. */
export function rrsets(records: Record[]): Record[][] {
  const out: Record[][] = [];
  for (const g of groupRRsets(records)) if (g.data.length > 0) out.push(g.data);
  return out;
}

/** A failed RRset check as a key result (checkRRset only fails as bogus). */
function asKeyFailure(v: Verdict): KeyResult {
  return { security: 'bogus', ...(v.ede ? { ede: v.ede } : {}) };
}

function ownedBy(records: Record[], name: string, type: string): Record[] {
  return records.filter((rr) => rr.type === type && normalizeName(rr.name) === name);
}

function sameKey(a: Record, b: Record): boolean {
  const x = dataOf<{ flags: number; algorithm: number; key: Buffer }>(a);
  const y = dataOf<{ flags: number; algorithm: number; key: Buffer }>(b);
  return x.flags === y.flags && x.algorithm === y.algorithm && x.key.equals(y.key);
}

function minTtl(records: Record[]): number {
  let ttl = MAX_TTL_S;
  for (const rr of records) ttl = Math.min(ttl, declaredTtl(rr) ?? MAX_TTL_S);
  return ttl;
}
