/**
 * The validator (Unbound validator.c, reduced to its states: findKeys → validate → finished): given
 * one resolution step (the answer records of a reply, CNAME/DNAME chain included, or a negative
 * answer with its authority section), decide secure / insecure / bogus (RFC 4035 §5). Each RRset is
 * checked with the keys of its signer (key-chain.ts, reached through the ChainFetcher); an unsigned
 * RRset is insecure only where the zone is provably insecure, else bogus (RFC 4035 §5.5). Wildcard
 * answers need proof that the name itself does not exist (RFC 4035 §5.3.4, RFC 5155 §8.8); negative
 * answers need NSEC (RFC 4035 §5.4) or NSEC3 (RFC 5155 §8.4-§8.7) proofs. A signature budget per
 * step bounds the work (KeyTrap). Never imports the resolver.
 */
import type { Record } from '../wire/index.js';
import { isSubdomain, labelCount, lastLabels, rrsetKeyOf, normalizeName } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import { dataOf, type RrsigData } from './canonical.js';
import { KeyChain, rrsets } from './key-chain.js';
import { nsecNameError, nsecNoCloserMatch, nsecNoData, nsecShowsName } from './nsec.js';
import { nsec3NameError, nsec3NoCloserMatch, nsec3NoData, nsec3ShowsName, type Nsec3Proof } from './nsec3.js';
import { MAX_SIG_CHECKS, bogus, checkRRset, sigsFor, type SigBudget } from './rrset-check.js';
import { DNSSEC_EDE, type ChainFetcher, type TrustAnchors, type TtlCaps, type Verdict } from './types.js';
import { closestAnchor } from './trust-anchors.js';

/** One resolution step to validate. */
export interface ValidationInput {
  /** Lowercased name and type asked. */
  qname: string;
  qtype: string;
  kind: 'answer' | 'cname' | 'nxdomain' | 'nodata' | 'yxdomain';
  /** Answer records (RRSIGs included); for negative kinds, the chain before the denial. */
  records: Record[];
  /** Authority records: SOA, NSEC, NSEC3 and their RRSIGs. */
  authority: Record[];
  /** The zone whose servers answered, when known (for unsigned data). */
  zone?: string;
}

export interface ValidatorOptions { anchors: TrustAnchors; fetch: ChainFetcher; clock: Clock }

/** The authority RRsets a step's verdict rests on. */
const DENIAL_TYPES: ReadonlySet<string> = new Set(['SOA', 'NSEC', 'NSEC3']);

const worst = (a: Verdict, b: Verdict): Verdict => {
  const order = { secure: 0, indeterminate: 1, insecure: 2, bogus: 3 } as const;
  return order[b.security] > order[a.security] ? b : a;
};

export class Validator {
  private readonly chain: KeyChain;

  constructor(private readonly opts: ValidatorOptions) {
    this.chain = new KeyChain(opts.anchors, opts.fetch, opts.clock);
  }

  /** Whether data at `name` is subject to validation (a trust anchor above, no negative anchor). */
  covers(name: string): boolean { return this.chain.covers(name); }

  private nowSec(): number { return Math.floor(this.opts.clock.now() / 1000); }

  async validate(input: ValidationInput): Promise<Verdict> {
    // RRSIG sets are not signed themselves (RFC 4035 §2.2): an RRSIG query is never authenticated.
    if (input.qtype === 'RRSIG' || !this.covers(input.qname)) return { security: 'insecure' };
    const budget: SigBudget = { left: MAX_SIG_CHECKS };
    let verdict: Verdict = { security: 'secure' };
    const denial: Record[] = [];
    const caps: TtlCaps = new Map();
    const checked = async (set: Record[], from: Record[]): Promise<Verdict> => {
      const v = await this.rrset(set, from, input.zone, budget);
      if (v.security === 'secure' && v.ttl !== undefined) caps.set(rrsetKeyOf(set[0]), v.ttl);
      return v;
    };
    for (const set of rrsets(input.authority)) {
      if (!DENIAL_TYPES.has(set[0].type)) continue;
      const v = await checked(set, input.authority);
      if (v.security === 'secure' && set[0].type !== 'SOA') denial.push(...set);
      // Unprovable NSEC records in a positive answer are extra data, not a reason for bogus.
      if (set[0].type === 'SOA' || input.kind === 'nxdomain' || input.kind === 'nodata') verdict = worst(verdict, v);
    }
    for (const set of rrsets(input.records)) {
      if (synthesizedFromDname(set, input.records)) continue; // RFC 6672 §5.3.3: checked via its DNAME
      const v = await checked(set, input.records);
      if (v.security === 'bogus') return { ...v, bogusRRset: rrsetKeyOf(set[0]) };
      verdict = worst(verdict, v);
      if (verdict.security === 'secure') verdict = worst(verdict, this.wildcard(set, input.records, denial));
    }
    if (verdict.security !== 'secure') return verdict;
    const result = input.kind === 'nxdomain' || input.kind === 'nodata' ? this.denial(input, denial) : verdict;
    if (result.security !== 'secure') return result;
    // RFC 4035 §5.3.3: secure data is kept no longer than its signatures allow; the authenticated
    // NSEC/NSEC3 records go along for aggressive use (RFC 8198).
    return {
      security: 'secure', ...(denial.length > 0 ? { nsecs: denial } : {}), ttlCaps: caps,
      ...(result.provesNoData ? { provesNoData: true } : {}),
    };
  }

  /** One RRset: secure with its signer's keys, insecure in an insecure zone, else bogus. */
  private async rrset(set: Record[], from: Record[], zone: string | undefined, budget: SigBudget): Promise<Verdict> {
    const owner = normalizeName(set[0].name);
    const sigs = sigsFor(from, owner, set[0].type);
    const signerOf = (s: Record): string => normalizeName(dataOf<RrsigData>(s).signersName);
    let signer: string | undefined;
    for (const s of sigs) {
      const n = signerOf(s);
      if (isSubdomain(owner, n)) { signer = n; break; }
    }
    if (signer === undefined) {
      // RFC 4035 §5.5: unsigned data is acceptable only below a provably insecure cut. It is judged
      // at the zone that served it, unless a trust anchor lies below that zone (a forwarder's or a
      // parent's answer for an anchored child): then the anchor rules.
      const anchor = closestAnchor(this.opts.anchors, owner);
      const anchoredBelow = anchor !== undefined && zone !== undefined && anchor !== zone && isSubdomain(anchor, zone);
      const keys = await this.chain.keysFor(zone !== undefined && isSubdomain(owner, zone) && !anchoredBelow ? zone : owner, budget);
      if (keys.security === 'secure') return bogus(DNSSEC_EDE.RRSIGS_MISSING, `no RRSIG for ${owner} ${set[0].type}`);
      return keys;
    }
    const keys = await this.chain.keysFor(signer, budget);
    if (keys.security !== 'secure') return keys;
    if (keys.zone !== signer) return bogus(DNSSEC_EDE.DNSSEC_BOGUS, `signer ${signer} is not a zone apex`);
    // Usually every RRSIG is the signer's: then the list as it is.
    const own = sigs.every((s) => signerOf(s) === signer) ? sigs : sigs.filter((s) => signerOf(s) === signer);
    return checkRRset(set, own, keys.keys, signer, this.nowSec(), budget);
  }

  /** RFC 4035 §5.3.4: an RRset expanded from a wildcard needs proof the owner itself does not exist. */
  private wildcard(set: Record[], from: Record[], denial: Record[]): Verdict {
    const owner = normalizeName(set[0].name);
    const n = labelCount(owner);
    const sig = sigsFor(from, owner, set[0].type).find((s) => dataOf<RrsigData>(s).labels < n);
    if (!sig || owner === '*' || owner.startsWith('*.')) return { security: 'secure' };
    const ce = lastLabels(owner, dataOf<RrsigData>(sig).labels);
    if (nsecNoCloserMatch(denial, owner)) return { security: 'secure' };
    const p = nsec3NoCloserMatch(denial, owner, ce);
    return proofVerdict(p, `no proof that ${owner} is not itself in the zone`);
  }

  /** RFC 4035 §5.4 / RFC 5155 §8: the denial proves the negative answer for the chain's last name. */
  private denial(input: ValidationInput, denial: Record[]): Verdict {
    const name = lastName(input.qname, input.records);
    if (input.kind === 'nxdomain') {
      if (nsecNameError(denial, name)) return { security: 'secure' };
      // A NODATA sent with rcode NXDOMAIN for an empty non-terminal: the records prove the name
      // exists without the type, so that is the answer (as Unbound corrects the rcode).
      if (nsecShowsName(denial, name) || nsec3ShowsName(denial, name)) {
        const nodata = this.noData(denial, name, input.qtype);
        return nodata.security === 'secure' ? { ...nodata, provesNoData: true } : bogus(DNSSEC_EDE.NSEC_MISSING, `${name} exists`);
      }
      return proofVerdict(nsec3NameError(denial, name), `no proof that ${name} does not exist`);
    }
    return this.noData(denial, name, input.qtype);
  }

  /** RFC 4035 §5.4 / RFC 5155 §8.5-§8.7: the denial proves `name` has no `qtype`. */
  private noData(denial: Record[], name: string, qtype: string): Verdict {
    if (nsecNoData(denial, name, qtype)) return { security: 'secure' };
    return proofVerdict(nsec3NoData(denial, name, qtype), `no proof that ${name} has no ${qtype}`);
  }
}

function proofVerdict(p: Nsec3Proof, text: string): Verdict {
  if (p === 'secure') return { security: 'secure' };
  if (p === 'insecure') return { security: 'insecure' };
  return bogus(DNSSEC_EDE.NSEC_MISSING, text);
}

/**
 * A CNAME made from a DNAME in the same records: no RRSIG of its own, and its target is exactly the
 * DNAME substitution (RFC 6672 §5.3.3); anything else is checked like any unsigned RRset.
 */
function synthesizedFromDname(set: Record[], records: Record[]): boolean {
  if (set[0].type !== 'CNAME') return false;
  const owner = normalizeName(set[0].name);
  if (sigsFor(records, owner, 'CNAME').length > 0) return false;
  const dname = records.find((rr) => rr.type === 'DNAME' && owner !== normalizeName(rr.name) && isSubdomain(owner, normalizeName(rr.name)));
  if (!dname) return false;
  const from = normalizeName(dname.name);
  const to = normalizeName(String(dataOf<string>(dname)));
  const prefix = from === '' ? owner : owner.slice(0, owner.length - from.length - 1);
  const expected = to === '' ? prefix : `${prefix}.${to}`;
  return set.every((rr) => normalizeName(String(dataOf<string>(rr))) === expected);
}

/** The name a CNAME/DNAME chain in `records` ends at, starting from `qname`. */
function lastName(qname: string, records: Record[]): string {
  let name = qname;
  for (let hop = 0; hop < 16; hop++) {
    const c = records.find((rr) => rr.type === 'CNAME' && normalizeName(rr.name) === name);
    if (!c) break;
    name = normalizeName(String(dataOf<string>(c)));
  }
  return name;
}
