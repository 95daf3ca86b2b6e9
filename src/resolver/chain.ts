/**
 * Answering (name, type): the cache first, then the mesh, following CNAME/DNAME chains across
 * zones by restarting at each target (at most LIMITS.maxCnameChain links, loops → SERVFAIL).
 * A cached DNAME above a name redirects it (RFC 6672 §3.2). Answers are minimal: the chain and
 * the final RRset, or the authority records (SOA...) of a negative answer. Serve-stale
 * (RFC 8767): when resolution fails, expired data is returned with TTL 30 and EDE 3. Prefetch: a
 * hit in the last 10% of its TTL starts a refresh in the background.
 */
import type { Record } from '../wire/index.js';
import { RCODE, parentName } from '../wire/index.js';
import type { DnsCache, LookupOptions } from '../cache/index.js';
import { RANK } from '../cache/index.js';
import { LIMITS } from './budget.js';
import type { Ede } from './ede.js';
import { EDE, ede } from './ede.js';
import type { IterOutcome, Task } from './iter-types.js';
import type { Mesh } from './mesh.js';
import { ownerOf, targetOf } from './scrub.js';
import { YXDOMAIN, synthesize, synthesizedCname } from './response-class.js';

interface ChainResult { rcode: number; answer: Record[]; authority: Record[]; ede?: Ede[] }

export class ChainResolver {
  constructor(private readonly cache: DnsCache, private readonly mesh: Mesh, private readonly serveStale: boolean) {}

  /**
   * Resolves lowercased `name` and `type`; `parent` when this is a sub-query. `cacheOnly` (a client
   * query without RD) answers from the cache or is REFUSED with EDE 20 (RFC 8914 §4.21).
   */
  async resolve(name: string, type: string, parent?: Task, cacheOnly = false): Promise<ChainResult> {
    const answer: Record[] = [];
    const seen = new Set<string>([name]);
    let current = name;
    let stale: Ede | undefined;
    for (let hop = 0; hop <= LIMITS.maxCnameChain; hop++) {
      let step = this.cached(current, type, false);
      if (!step && cacheOnly) return { rcode: RCODE.REFUSED, answer: [], authority: [], ede: [ede(EDE.NOT_AUTHORITATIVE)] };
      if (!step) {
        step = await this.mesh.resolve(current, type, parent);
        if (step.kind === 'fail') {
          const old = this.serveStale ? this.cached(current, type, true) : undefined;
          if (!old) return servfail(step.ede);
          step = old;
          stale = ede(EDE.STALE_ANSWER);
        }
      }
      const edes = stale ? { ede: [stale] } : {};
      switch (step.kind) {
        case 'answer':
          return { rcode: RCODE.NOERROR, answer: [...answer, ...step.records], authority: [], ...edes };
        case 'nxdomain':
        case 'nodata':
          return {
            rcode: step.kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR,
            answer: [...answer, ...step.records], authority: step.authority, ...edes,
          };
        case 'yxdomain':
          appendUnique(answer, step.records);
          return { rcode: YXDOMAIN, answer, authority: [], ...edes };
        case 'cname':
          appendUnique(answer, step.records);
          if (answer.filter((rr) => rr.type === 'CNAME').length > LIMITS.maxCnameChain) {
            return servfail(ede(EDE.OTHER, `CNAME chain longer than ${LIMITS.maxCnameChain}`));
          }
          current = step.target;
          if (seen.has(current)) return { ...servfail(ede(EDE.OTHER, `CNAME loop at ${current}`)), answer };
          seen.add(current);
          break;
        case 'fail':
          return servfail(step.ede);
      }
    }
    return servfail(ede(EDE.OTHER, `CNAME chain longer than ${LIMITS.maxCnameChain}`));
  }

  /** What the cache says about (name, type): data, a CNAME to follow, or a negative answer. */
  private cached(name: string, type: string, allowStale: boolean): IterOutcome | undefined {
    const opts = { minRank: RANK.ANSWER, allowStale };
    const hit = this.cache.getRRset(name, type, opts);
    if (hit) {
      if (hit.prefetch) void this.mesh.resolve(name, type);
      return { kind: 'answer', records: [...hit.records, ...hit.sigs] };
    }
    if (type !== 'CNAME') {
      const cname = this.cache.getRRset(name, 'CNAME', opts);
      if (cname) return { kind: 'cname', records: [...cname.records, ...cname.sigs], target: targetOf(cname.records[0]) };
    }
    const neg = this.cache.getNegative(name, type, opts);
    if (neg) return { kind: neg.kind, records: [], authority: neg.authority };
    return this.cachedDname(name, opts);
  }

  /** RFC 6672 §3.2: a cached DNAME above `name` redirects it without asking. */
  private cachedDname(name: string, opts: LookupOptions): IterOutcome | undefined {
    for (let owner = parentName(name); owner !== undefined; owner = parentName(owner)) {
      const hit = this.cache.getRRset(owner, 'DNAME', opts);
      if (hit) {
        const dname = hit.records[0];
        const target = synthesize(name, owner, targetOf(dname));
        if (target === undefined) return { kind: 'yxdomain', records: [dname] };
        return { kind: 'cname', records: [dname, ...hit.sigs, synthesizedCname(name, dname, target)], target };
      }
      if (owner === '') return undefined;
    }
    return undefined;
  }
}

/** Appends records not already present (a chain may pass the same DNAME twice). */
function appendUnique(to: Record[], records: Record[]): void {
  const key = (rr: Record): string => `${ownerOf(rr)}|${rr.type}|${JSON.stringify((rr as { data?: unknown }).data)}`;
  const have = new Set(to.map(key));
  for (const rr of records) if (!have.has(key(rr))) { to.push(rr); have.add(key(rr)); }
}

function servfail(reason: Ede): ChainResult {
  return { rcode: RCODE.SERVFAIL, answer: [], authority: [], ede: [reason] };
}
