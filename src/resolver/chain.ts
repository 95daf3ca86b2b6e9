/**
 * Answering (name, type): the cache first, then the mesh, following CNAME/DNAME chains across
 * zones by restarting at each target (at most LIMITS.maxCnameChain links, loops → SERVFAIL).
 * A cached DNAME above a name redirects it (RFC 6672 §3.2). Answers are minimal: the chain and
 * the final RRset, or the authority records (SOA...) of a negative answer. Serve-stale
 * (RFC 8767, EDE 3 Stale Answer): an expired entry is answered when resolution fails (§4), when the
 * client response timer runs out first (§5; the resolution goes on and refreshes the cache), at
 * once with the timer at 0 or for a query without RD (refreshed in the background), and at once
 * without a new try while the failure recheck timer of a failed refresh runs (§5). Prefetch: a hit
 * in the last 10% of its TTL starts a refresh in the background.
 */
import type { Record } from '../wire/index.js';
import { RCODE, parentName, rdataOf } from '../wire/index.js';
import type { DnsCache, LookupOptions } from '../cache/index.js';
import { RANK } from '../cache/index.js';
import { untilAborted } from '../util/index.js';
import { LIMITS } from './budget.js';
import type { Ede } from './ede.js';
import { EDE, QUERY_ABORTED, ede } from './ede.js';
import type { ChainResult } from './chain-result.js';
import type { IterOutcome, Provenance, Task } from './iter-types.js';
import type { Distrusted } from './distrust.js';
import type { Mesh } from './mesh.js';
import { ownerOf, targetOf } from './scrub.js';
import { YXDOMAIN, synthesize, synthesizedCname } from './response-class.js';
import type { Security, Verdict } from '../dnssec/index.js';
import type { ResolverStats } from './stats.js';
import { weaker, type StepValidation } from './validation.js';

type Step = Exclude<IterOutcome, { kind: 'fail' }>;

export interface ChainOptions {
  /** Set for a sub-query: it waits as long as its parent task runs. */
  parent?: Task;
  /** A client query without RD: answered from the cache or REFUSED with EDE 20 (RFC 8914 §4.21). */
  cacheOnly?: boolean;
  /** Client queries without CD (RFC 4035 §3.2.2): each step is checked with DNSSEC, bogus → SERVFAIL. */
  validate?: boolean;
  /**
   * A client query: when it aborts (the client went away), its waits on the mesh and on validation
   * end at once with SERVFAIL + QUERY_ABORTED; the mesh task goes on while others wait for it.
   */
  signal?: AbortSignal;
  /**
   * Asked once, when the walk first meets a step the cache does not hold and before any server is
   * asked: an answer to the whole question from elsewhere (the shared tier), or undefined to resolve.
   */
  beforeResolving?: () => Promise<ChainResult | undefined>;
}
/** Serve-stale as the chain applies it (cache.serve_stale, cache.stale_client_timeout_ms). */
export interface StaleAnswers {
  enabled: boolean;
  /** RFC 8767 §5 client response timer in ms; 0: stale data is answered at once. */
  clientTimeoutMs: number;
}

/** Sources remembered for refetching bogus DS/DNSKEY answers (the most recent ones). */
const MAX_SOURCES = 1024;

export class ChainResolver {
  /** Which server gave the last resolved answer for "name|type" (for `distrust`). */
  private readonly sources = new Map<string, Provenance>();

  constructor(
    private readonly cache: DnsCache, private readonly mesh: Mesh, private readonly stale: StaleAnswers,
    private readonly distrusted: Distrusted, private readonly validation?: StepValidation,
    private readonly stats?: ResolverStats,
  ) {}

  /**
   * Validation found (name, type) bogus: the server that gave it is avoided for its zone and the
   * cached data is dropped, so the next resolution asks another server (Unbound's blacklisting).
   */
  distrust(name: string, type: string, from: Provenance | undefined = this.sources.get(`${name}|${type}`)): void {
    if (from?.server && from.zone !== undefined) this.distrusted.add(from.zone, from.server.address);
    this.cache.remove(name, type);
  }

  /** Whether a query for `name` with `validate` set is checked with DNSSEC (a trust anchor covers it, no negative one). */
  validates(name: string): boolean {
    return this.validation?.covers(name) === true;
  }

  /** Resolves lowercased `name` and `type` (see ChainOptions); `resolved` tells whether some step asked a server. */
  async resolve(name: string, type: string, how: ChainOptions = {}): Promise<ChainResult> {
    let resolved = false;
    const r = await this.walk(name, type, how, () => { resolved = true; });
    if (resolved) r.resolved = true; // walk's result is its own object
    return r;
  }

  private async walk(name: string, type: string, how: ChainOptions, asked: () => void): Promise<ChainResult> {
    const { cacheOnly, validate, signal } = how;
    let elsewhere = how.beforeResolving;
    const answer: Record[] = [];
    /** Names the chain has passed (made at the first CNAME). */
    let seen: Set<string> | undefined;
    let current = name;
    let stale: Ede | undefined;
    const validation = validate && this.validation?.covers(name) ? this.validation : undefined;
    let security: Security = validation ? 'secure' : 'insecure';
    /** NSEC/NSEC3 proofs of wildcard answers along the chain (RFC 4035 §3.1.3.3), for DO clients. */
    const proofs: Record[] = [];
    let info: Ede | undefined;
    for (let hop = 0; hop <= LIMITS.maxCnameChain; hop++) {
      let step = this.cached(current, type, false) ?? validation?.synthesize(current, type);
      if (!step && cacheOnly) {
        step = this.staleAtOnce(current, type, how);
        if (!step) return { ...servfail(ede(EDE.NOT_AUTHORITATIVE)), rcode: RCODE.REFUSED };
        stale = ede(EDE.STALE_ANSWER);
      }
      if (!step && elsewhere) {
        const found = await elsewhere();
        if (found) return found;
        elsewhere = undefined;
      }
      if (!step) {
        step = this.staleAtOnce(current, type, how);
        if (step) stale = ede(EDE.STALE_ANSWER);
      }
      if (!step) {
        asked();
        const got = await this.fromServers(current, type, how);
        if (got.step.kind === 'fail') return servfail(got.step.ede);
        step = got.step;
        if (got.stale) stale = ede(EDE.STALE_ANSWER);
      }
      if (validation && step.kind !== 'fail') {
        const known = validation.known(step);
        // The validator's DS/DNSKEY lookups are shared work of their own: an aborted client stops waiting for them.
        const checked = known
          ? { step, verdict: known }
          : await untilAborted(this.validated(current, type, step, validation, how), signal, () => undefined);
        if (!checked) return servfail(QUERY_ABORTED);
        if (checked.verdict.security === 'bogus') return { ...servfail(checked.verdict.ede ?? ede(EDE.DNSSEC_BOGUS)), security: 'bogus' };
        security = weaker(security, checked.verdict.security);
        // RFC 8914 §4.2/§4.3: an answer insecure for want of a supported algorithm or digest says so.
        if (checked.verdict.security === 'insecure' && checked.verdict.ede) info = checked.verdict.ede;
        step = checked.step;
      }
      // RFC 8767 data is past its TTL, which validation capped to its signatures (RFC 4035 §5.3.3):
      // no longer proven, so never answered as secure (no AD).
      if (stale) security = weaker(security, 'insecure');
      const edes: { security: Security; ede?: Ede[] } = { security };
      if (stale || info) edes.ede = stale && info ? [stale, info] : [(stale ?? info) as Ede];
      if ((step.kind === 'answer' || step.kind === 'cname') && step.proof) appendUnique(proofs, step.proof);
      switch (step.kind) {
        case 'answer': {
          const zone = zoneSections(step);
          const r: ChainResult = { rcode: RCODE.NOERROR, answer: [...answer, ...step.records], authority: [...proofs, ...zone.authority], additional: zone.additional, ...edes };
          if (step.reuseForMs !== undefined) r.reuseForMs = step.reuseForMs;
          return r;
        }
        case 'nxdomain':
        case 'nodata': {
          const zone = zoneSections(step);
          return {
            rcode: step.kind === 'nxdomain' ? RCODE.NXDOMAIN : RCODE.NOERROR,
            answer: [...answer, ...step.records], authority: [...step.authority, ...zone.authority], additional: zone.additional, ...edes,
          };
        }
        case 'yxdomain':
          appendUnique(answer, step.records);
          return { rcode: YXDOMAIN, answer, authority: [], ...edes };
        case 'cname':
          appendUnique(answer, step.records);
          if (answer.filter((rr) => rr.type === 'CNAME').length > LIMITS.maxCnameChain) {
            return servfail(ede(EDE.OTHER, `CNAME chain longer than ${LIMITS.maxCnameChain}`));
          }
          seen ??= new Set([name]);
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

  /**
   * Validates one step; fresh data found bogus is asked again of other servers (at most
   * LIMITS.maxBogusRefetch times) before it is given up as bogus (RFC 4035 §5.5; Unbound restarts).
   */
  private async validated(
    name: string, type: string, step: Step, validation: StepValidation, how: ChainOptions,
  ): Promise<{ step: Step; verdict: Verdict }> {
    let checked = await validation.check(name, type, step);
    for (let i = 0; i < LIMITS.maxBogusRefetch && checked.verdict.security === 'bogus' && checked.step.server; i++) {
      this.distrust(name, type, checked.step);
      const again = await this.mesh.resolve(name, type, how.parent, how.signal);
      if (again.kind === 'fail') break;
      checked = await validation.check(name, type, again);
    }
    return checked;
  }

  /**
   * An expired entry to answer without waiting (serve-stale): for a query without RD, with the
   * client response timer at 0, or while the failure recheck timer of a failed refresh runs
   * (RFC 8767 §5; then no new try). Otherwise a refresh starts in the background. Client queries
   * only: a sub-query's parent waits for the resolution (stale data still comes when it fails).
   */
  private staleAtOnce(name: string, type: string, how: ChainOptions): Step | undefined {
    if (!this.stale.enabled || how.parent) return undefined;
    const recheck = this.cache.refreshFailedRecently(name, type);
    if (!how.cacheOnly && !recheck && this.stale.clientTimeoutMs > 0) return undefined;
    const old = this.cached(name, type, true);
    if (old && !recheck) void this.refresh(name, type);
    return old as Step | undefined;
  }

  /**
   * Resolves one step from the servers. With an expired entry at hand the client waits at most the
   * client response timer (RFC 8767 §5) and gets the expired entry then; the resolution is not tied
   * to the client and goes on to refresh the cache. When resolution fails the expired entry is the
   * answer (RFC 8767 §4), if there is one (stale_ttl_reset may have revived it: DnsCache.refreshFailed).
   */
  private async fromServers(name: string, type: string, how: ChainOptions): Promise<{ step: IterOutcome; stale: boolean }> {
    const old = this.stale.enabled && !how.parent ? this.cached(name, type, true) : undefined;
    let step: IterOutcome;
    if (old) {
      const timer = clientTimer(this.stale.clientTimeoutMs);
      const first = await untilAborted(Promise.race([this.refresh(name, type), timer.expired]), how.signal, (): IterOutcome => ({ kind: 'fail', ede: QUERY_ABORTED }));
      timer.cancel();
      if (first === undefined) return { step: old, stale: true };
      step = first;
    } else {
      step = await this.mesh.resolve(name, type, how.parent, how.signal);
      this.noteOutcome(name, type, step);
    }
    if (step.kind !== 'fail' || !this.stale.enabled || how.signal?.aborted) return { step, stale: false };
    const kept = this.cached(name, type, true);
    return kept ? { step: kept, stale: true } : { step, stale: false };
  }

  /**
   * Resolves (name, type) for the cache alone (prefetch, stale refresh): no client or parent waits
   * for it. `prefetch`: the task is a prefetch (a prefetched NS set is asked of the parent, iter-init.ts).
   */
  private refresh(name: string, type: string, prefetch = false): Promise<IterOutcome> {
    return this.mesh.resolve(name, type, undefined, undefined, prefetch).then((step) => {
      this.noteOutcome(name, type, step);
      return step;
    });
  }

  /** Notes who answered (for `distrust`), or that the resolution failed (serve-stale's failure recheck). */
  private noteOutcome(name: string, type: string, step: IterOutcome): void {
    if (step.kind === 'fail') {
      if (this.stale.enabled && step.ede !== QUERY_ABORTED) this.cache.refreshFailed(name, type);
      return;
    }
    this.noteSource(name, type, step);
  }

  private noteSource(name: string, type: string, step: IterOutcome): void {
    if (step.kind === 'fail' || !step.server) return;
    const key = `${name}|${type}`;
    this.sources.delete(key);
    this.sources.set(key, { server: step.server, zone: step.zone });
    if (this.sources.size > MAX_SOURCES) this.sources.delete(this.sources.keys().next().value as string);
  }

  /** What the cache says about (name, type): data, a CNAME to follow, or a negative answer. */
  private cached(name: string, type: string, allowStale: boolean): IterOutcome | undefined {
    const opts = { minRank: RANK.ANSWER, allowStale };
    const hit = this.cache.getRRset(name, type, opts);
    if (hit) {
      if (hit.prefetch) {
        if (this.stats) this.stats.prefetches++;
        void this.refresh(name, type, true);
      }
      return {
        kind: 'answer', records: [...hit.records, ...hit.sigs], security: hit.security,
        ...(hit.proof ? { proof: hit.proof } : {}), ...(hit.context ? { zoneNs: hit.context } : {}),
        ...(hit.untilPrefetchMs !== undefined ? { reuseForMs: hit.untilPrefetchMs } : {}),
      };
    }
    if (type !== 'CNAME') {
      const cname = this.cache.getRRset(name, 'CNAME', opts);
      if (cname) {
        const proof = cname.proof ? { proof: cname.proof } : {};
        return { kind: 'cname', records: [...cname.records, ...cname.sigs], target: targetOf(cname.records[0]), security: cname.security, ...proof };
      }
    }
    const neg = this.cache.getNegative(name, type, opts);
    // Without an SOA it is a referral's proof of no DS (iter-store.ts), kept for the validator only.
    if (neg && neg.authority.some((rr) => rr.type === 'SOA')) {
      return { kind: neg.kind, records: [], authority: neg.authority, security: neg.security, ...(neg.context ? { zoneNs: neg.context } : {}) };
    }
    return this.cachedDname(name, type, opts);
  }

  /** RFC 6672 §3.2: a cached DNAME above `name` redirects it without asking. */
  private cachedDname(name: string, type: string, opts: LookupOptions): IterOutcome | undefined {
    if (!this.cache.mayHoldDname()) return undefined; // most caches never hold one: no lookup per label above the name
    for (let owner = parentName(name); owner !== undefined; owner = parentName(owner)) {
      const hit = this.cache.getRRset(owner, 'DNAME', opts);
      if (hit) {
        const dname = hit.records[0];
        const target = synthesize(name, owner, targetOf(dname));
        if (target === undefined) return { kind: 'yxdomain', records: [dname, ...hit.sigs], security: hit.security };
        const records = [dname, ...hit.sigs, synthesizedCname(name, dname, target)];
        // A CNAME question is answered by the synthesized CNAME itself (RFC 6672 §3.2).
        if (type === 'CNAME') return { kind: 'answer', records, security: hit.security };
        return { kind: 'cname', records, target, security: hit.security };
      }
      if (owner === '') return undefined;
    }
    return undefined;
  }
}

/**
 * A non-minimal answer's extra sections (the step's zoneNs, set only with resolver.minimal_responses
 * off): the NS set and its RRSIGs for the authority section, the server addresses for the additional one.
 */
function zoneSections(step: Step): { authority: Record[]; additional: Record[] } {
  const zone = step.zoneNs;
  if (!zone) return { authority: [], additional: [] };
  const address = (rr: Record): boolean => rr.type === 'A' || rr.type === 'AAAA';
  return { authority: zone.filter((rr) => !address(rr)), additional: zone.filter(address) };
}

/** Appends records not already present (a chain may pass the same DNAME twice). */
function appendUnique(to: Record[], records: Record[]): void {
  const key = (rr: Record): string => `${ownerOf(rr)}|${rr.type}|${JSON.stringify(rdataOf(rr))}`;
  const have = new Set(to.map(key));
  for (const rr of records) if (!have.has(key(rr))) { to.push(rr); have.add(key(rr)); }
}

/** The client response timer (RFC 8767 §5): `expired` settles with undefined after `ms`. */
function clientTimer(ms: number): { expired: Promise<undefined>; cancel: () => void } {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve) => { timer = setTimeout(() => resolve(undefined), ms); });
  return { expired, cancel: () => clearTimeout(timer) };
}

function servfail(reason: Ede): ChainResult {
  return { rcode: RCODE.SERVFAIL, answer: [], authority: [], ede: [reason], security: 'indeterminate' };
}
