/**
 * The RRset and negative cache. Entries carry an absolute expiry computed from `clock.now()` and
 * their TTLs count down on retrieval; `lru-cache` only bounds memory (maxSize = cache.max_bytes).
 * - RRsets keyed by (lowercased owner, type, class), TTL = the set's minimum (RFC 2181 §5.2),
 *   clamped to [min_ttl, max_ttl]; trust ranks per RFC 2181 §5.4.1 (see rank.ts).
 * - Negative answers (RFC 2308): NXDOMAIN per name, NODATA per name and type, TTL =
 *   min(SOA TTL, SOA minimum) clamped to max_ttl; a validated (secure) NXDOMAIN covers the names
 *   below it (RFC 8020), an unvalidated one its own name only (RFC 8020 §4, Unbound).
 * - Serve-stale (RFC 8767): with serve_stale on, an expired entry may be returned (TTL
 *   stale_reply_ttl) until its maximum stale timer (stale_max_ttl, RFC 8767 §5; a day when 0) runs
 *   out, and is dropped then, unless stale_ttl_reset keeps it for a failed refresh to revive
 *   (Unbound's serve-expired-ttl-reset). A failed refresh is remembered for 30 s, the failure
 *   recheck timer of RFC 8767 §5. A fresh answer with TTL 0 drops the expired entries it supersedes.
 * - serve_original_ttl (Unbound's serve-original-ttl): answers carry the TTL as received, also when
 *   stale, and min_ttl/max_ttl are not applied (as Unbound: the caps would change what is served).
 * Prefetch: a hit in the last 10% of its TTL is flagged.
 */
import { LRUCache } from 'lru-cache';
import type { Record } from '../wire/index.js';
import { isSubdomain, negativeTtl, normalizeName, parentName, rdataOf, ttlOf } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import type { CacheConfig } from '../config/index.js';
import { RANK, type Rank } from './rank.js';
import type { CacheDumpEntry, CacheSecurity, LookupOptions, NegativeHit, NegativeKind, RRsetHit } from './types.js';
import { classOf, ENTRY_BYTES, nodataKey, nxdomainKey, parseKey, recordSize, rrsetKey } from './keys.js';
import { compactRecords } from './compact.js';

/** What the local cache reads of `cache` (the shared tier is shared-tier.ts's). */
type LocalCacheConfig = Omit<CacheConfig, 'shared'>;

/** RFC 8767 §5 suggests keeping expired data 1 to 3 days: the keep time when stale_max_ttl is 0. */
const STALE_KEEP_MS = 86_400_000;
/** RFC 8767 §5 failure recheck timer: after a failed refresh, stale data is answered without a new try. */
const FAILURE_RECHECK_MS = 30_000;
/** Failed refreshes remembered (see refreshFailed); the oldest go first. */
const MAX_FAILED = 4096;
const PREFETCH_FRACTION = 0.1;
/** Parent-side addresses kept (see parentSideAddresses); the oldest go first. */
const MAX_PARENT_SIDE = 4096;

interface Entry {
  kind: 'rrset' | NegativeKind;
  /** Records with their TTL as received (rewritten on retrieval), copied to fit (compact.ts). */
  records: Record[];
  /** RRSIGs covering an RRset (RFC 4034 §3), kept and expired with it. */
  sigs: Record[];
  /** NSEC/NSEC3 proof of a wildcard-expanded RRset (RFC 4035 §3.1.3.3), returned with it to DO clients. */
  proof?: Record[];
  origTtl: number;
  expires: number;
  /** Until when the entry may be answered once expired (serve-stale's maximum stale timer). */
  staleUntil: number;
  rank: Rank;
  size: number;
  /** DNSSEC state once validated (RFC 4035 §4.3); kept so cache hits keep their AD/bogus status. */
  security?: CacheSecurity;
  /** The zone's NS set and addresses that came with the answer (non-minimal responses only). */
  context?: Record[];
}

export class DnsCache {
  private lru: LRUCache<string, Entry>;
  /** Glue a child's authoritative address replaced, with its expiry: the parent side's view. */
  private readonly parentSide = new Map<string, { records: Record[]; expires: number }>();
  /** When a refresh of "name|type" last failed (RFC 8767 §5 failure recheck timer). */
  private readonly failed = new Map<string, number>();
  /** A DNAME was stored since the last clear (it may have gone since): until then no name needs the walk up for one. */
  private storedDname = false;

  constructor(private config: LocalCacheConfig, private readonly clock: Clock) {
    this.lru = DnsCache.lruOf(config.max_bytes);
  }

  private static lruOf(maxBytes: number): LRUCache<string, Entry> {
    return new LRUCache<string, Entry>({ maxSize: Math.max(1024, maxBytes), sizeCalculation: (e) => e.size });
  }

  /**
   * Applies reloaded cache settings. TTL bounds apply to data stored from now on; a new size moves
   * the entries into a new LRU, least recently used first, so a smaller cache keeps the most used.
   */
  reconfigure(config: LocalCacheConfig): void {
    const resize = config.max_bytes !== this.config.max_bytes;
    this.config = config;
    if (!resize) return;
    const old = this.lru;
    this.lru = DnsCache.lruOf(config.max_bytes);
    for (const [key, e] of old.rentries() as Generator<[string, Entry]>) this.lru.set(key, e);
  }

  /** Number of entries held (RRsets and negative answers). */
  get entries(): number { return this.lru.size; }
  /** Estimated bytes held. */
  get bytes(): number { return this.lru.calculatedSize; }

  /**
   * Stores one RRset (records of one owner, type and class) with the RRSIGs covering it. Returns
   * false when an unexpired entry of higher rank is kept instead, or when the TTL is zero.
   */
  storeRRset(given: Record[], rank: Rank, sigs: Record[] = [], proof?: Record[]): boolean {
    if (given.length === 0) return false;
    const records = distinct(given);
    const first = records[0];
    const key = rrsetKey(first.name, first.type, classOf(first));
    let ttl = Infinity;
    for (const rr of records) ttl = Math.min(ttl, ttlOf(rr));
    ttl = this.clampTtl(ttl);
    if (ttl <= 0) {
      // Served once and not kept (RFC 1035 §3.2.1); an expired copy is superseded, not to be served stale.
      this.dropExpired([key, nodataKey(first.name, first.type), nxdomainKey(first.name)]);
      return false;
    }
    const old = this.lru.peek(key);
    const now = this.clock.now();
    const fresh = old !== undefined && old.expires > now;
    if (fresh && old.rank >= rank && !this.inPrefetchWindow(old, now)) {
      // Same trust and data: the TTL is not extended. Inside the prefetch window data is refreshed
      // (Unbound's prefetch leeway). The RRSIGs count as data: re-signed data replaces the old
      // copy, whose security state was for the old signatures.
      if (old.rank > rank || (sameData(old.records, records) && sameData(old.sigs, sigs))) return false;
    }
    // A delegation lives as long as the NS set that made it: a replacing NS set (the child's apex
    // set, of higher trust, or a changed one) keeps the old expiry, so a child can never keep a
    // delegation its parent removed alive (ghost domains, CVE-2012-1191; Unbound does the same).
    // Only the parent renews it, with a referral inside the prefetch window (NS sets of rank
    // AUTHORITY come from referrals only): the parent is what says the cut still exists.
    // A capped set keeps the delegation's original TTL too, so its prefetch window stays where the
    // parent's TTL put it and the parent's referral can still renew it there.
    let delegationTtl: number | undefined;
    if (fresh && first.type === 'NS' && !(rank === RANK.AUTHORITY && this.inPrefetchWindow(old, now))) {
      ttl = Math.min(ttl, Math.ceil((old.expires - now) / 1000));
      delegationTtl = old.origTtl;
    }
    if (fresh && old.rank === RANK.ADDITIONAL && rank > old.rank && (first.type === 'A' || first.type === 'AAAA')
        && !sameData(old.records, records)) {
      this.parentSide.delete(key);
      this.parentSide.set(key, { records: old.records, expires: old.expires });
      if (this.parentSide.size > MAX_PARENT_SIDE) this.parentSide.delete(this.parentSide.keys().next().value as string);
    }
    this.put(key, 'rrset', records, ttl, rank, sigs);
    if (first.type === 'DNAME') this.storedDname = true;
    const stored = this.lru.peek(key) as Entry;
    if (delegationTtl !== undefined) stored.origTtl = Math.max(delegationTtl, ttl);
    if (proof && proof.length > 0) stored.proof = compactRecords(proof);
    this.lru.delete(nodataKey(first.name, first.type));
    this.lru.delete(nxdomainKey(first.name));
    return true;
  }

  /** An RRset from the cache, TTLs counted down; undefined on a miss. */
  getRRset(name: string, type: string, opts: LookupOptions = {}, cls = 'IN'): RRsetHit | undefined {
    const key = rrsetKey(name, type, cls);
    const e = this.fresh(key, opts);
    if (!e || e.kind !== 'rrset') return undefined;
    if (opts.minRank !== undefined && e.rank < opts.minRank) return undefined;
    const { ttl, stale } = this.remaining(e);
    const now = this.clock.now();
    const prefetch = !stale && this.inPrefetchWindow(e, now);
    const until = this.config.prefetch && !stale && !prefetch ? { untilPrefetchMs: e.expires - now - e.origTtl * 1000 * PREFETCH_FRACTION } : {};
    return {
      records: withTtl(e.records, ttl), sigs: withTtl(e.sigs, ttl), ttl, rank: e.rank, stale, prefetch, security: e.security, ...until,
      ...(e.proof ? { proof: withTtl(e.proof, ttl) } : {}),
      ...(e.context ? { context: withTtl(e.context, ttl) } : {}),
    };
  }

  /**
   * The records of a fresh cached RRset as stored (TTLs as received, not counted down), for callers
   * that read only their data (server names and addresses): getRRset's per-call copies are the
   * cold path's largest allocation. Undefined on a miss. The records are the cache's own: read only.
   */
  rrsetData(name: string, type: string): readonly Record[] | undefined {
    const e = this.fresh(rrsetKey(name, type), {});
    return e && e.kind === 'rrset' ? e.records : undefined;
  }

  /**
   * Keeps `context` (the answering zone's NS set and server addresses) with a cached RRset or
   * negative answer, for non-minimal answers from the cache.
   */
  setContext(kind: Entry['kind'], name: string, type: string, context: Record[]): void {
    const key = kind === 'rrset' ? rrsetKey(name, type) : kind === 'nodata' ? nodataKey(name, type) : nxdomainKey(name);
    const e = this.lru.peek(key);
    if (!e || context.length === 0) return;
    const size = e.size - (e.context ?? []).reduce((n, rr) => n + recordSize(rr), 0) + context.reduce((n, rr) => n + recordSize(rr), 0);
    this.lru.set(key, { ...e, context, size }, { noUpdateTTL: true });
  }

  /**
   * Records the validation result of a cached RRset (no-op when it is gone); `maxTtl` (seconds from
   * now) shortens its life to what its signatures allow (RFC 4035 §5.3.3), below `min_ttl` too.
   * `validated`: the records the result is about; a cached copy with other data (a higher-ranked one
   * the validated copy could not replace) is left as it was, so a result never vouches for data it
   * did not see. Bogus results are given without it: marking any copy bogus is the safe side.
   */
  setRRsetSecurity(name: string, type: string, security: CacheSecurity, maxTtl?: number, validated?: Record[]): void {
    const e = this.lru.peek(rrsetKey(name, type));
    if (e && (validated === undefined || sameData(e.records, validated))) this.settle(e, security, maxTtl);
  }

  /** Records the validation result of the negative answer getNegative(name, type) would return (`maxTtl` and `validated`, its authority records, as above). */
  setNegativeSecurity(name: string, type: string, security: CacheSecurity, maxTtl?: number, validated?: Record[]): void {
    const e = this.lru.peek(nodataKey(name, type)) ?? this.lru.peek(nxdomainKey(name));
    if (e && (validated === undefined || sameData(e.records, validated))) this.settle(e, security, maxTtl);
  }

  /**
   * Stores a negative answer for `name` (and `type` for NODATA) with the authority records that came
   * with it (SOA, NS, NSEC...). Without an SOA nothing is cached (RFC 2308 §5), unless `ttl` is given
   * (the absence of DS proven by a referral's NSEC/NSEC3 records, RFC 4035 §5.2, has no SOA).
   */
  storeNegative(kind: NegativeKind, name: string, type: string, authority: Record[], rank: Rank, ttl?: number): boolean {
    const soa = authority.find((rr) => rr.type === 'SOA');
    if (!soa && ttl === undefined) return false;
    ttl = soa ? negativeTtl(soa) : (ttl as number);
    if (!this.config.serve_original_ttl) ttl = Math.min(ttl, this.config.max_ttl);
    const key = kind === 'nxdomain' ? nxdomainKey(name) : nodataKey(name, type);
    if (ttl <= 0) this.dropExpired([key, rrsetKey(name, type)]);
    if (ttl <= 0 || !this.mayReplace(key, rank)) return false;
    this.put(key, kind, authority, ttl, rank);
    if (kind === 'nodata') this.lru.delete(rrsetKey(name, type));
    return true;
  }

  /** A negative answer covering (name, type): NODATA for the pair, or NXDOMAIN at name or above. */
  getNegative(name: string, type: string, opts: LookupOptions = {}): NegativeHit | undefined {
    const nodata = this.fresh(nodataKey(name, type), opts);
    if (nodata) return this.negativeHit(nodata);
    const own = normalizeName(name);
    for (let n: string | undefined = own; n !== undefined; n = parentName(n)) {
      const nx = this.fresh(nxdomainKey(n), opts);
      // RFC 8020 (names below an NXDOMAIN do not exist) only for a validated NXDOMAIN, as Unbound's
      // harden-below-nxdomain: broken servers send NXDOMAIN for empty non-terminals (RFC 8020 §4).
      if (nx && (n === own || nx.security === 'secure')) return this.negativeHit(nx);
      if (n === '') break;
    }
    return undefined;
  }

  /**
   * The glue addresses of `name` that the child zone's own (higher-ranked, different) addresses
   * replaced while fresh: when the child's addresses fail, the parent's may still work (a parent
   * and child that disagree; Unbound's parent-side fallback). Empty when there are none.
   */
  parentSideAddresses(name: string): string[] {
    const out: string[] = [];
    const now = this.clock.now();
    for (const type of ['A', 'AAAA']) {
      const e = this.parentSide.get(rrsetKey(name, type));
      if (e && e.expires > now) for (const rr of e.records) out.push(String(rdataOf(rr)));
    }
    return out;
  }

  /**
   * A refresh of (name, type) failed: for FAILURE_RECHECK_MS its stale data is answered without a
   * new try (RFC 8767 §5), and with stale_ttl_reset its expired entries may be served for another
   * maximum stale timer from now (Unbound's serve-expired-ttl-reset).
   */
  refreshFailed(name: string, type: string): void {
    const now = this.clock.now();
    const mark = `${normalizeName(name)}|${type}`;
    this.failed.delete(mark);
    this.failed.set(mark, now);
    if (this.failed.size > MAX_FAILED) this.failed.delete(this.failed.keys().next().value as string);
    if (!this.config.stale_ttl_reset) return;
    for (const key of [rrsetKey(name, type), rrsetKey(name, 'CNAME'), nodataKey(name, type), nxdomainKey(name)]) {
      const e = this.lru.peek(key);
      if (e && e.expires <= now) e.staleUntil = now + this.staleKeepMs();
    }
  }

  /** Whether a refresh of (name, type) failed less than FAILURE_RECHECK_MS ago (see refreshFailed). */
  refreshFailedRecently(name: string, type: string): boolean {
    const at = this.failed.get(`${normalizeName(name)}|${type}`);
    return at !== undefined && this.clock.now() - at < FAILURE_RECHECK_MS;
  }

  /** Drops the RRset and any negative answer for (name, type) (validation found them bogus). */
  remove(name: string, type: string): void {
    this.lru.delete(rrsetKey(name, type));
    this.lru.delete(nodataKey(name, type));
    this.lru.delete(nxdomainKey(name));
  }

  /**
   * Drops what is held for `name` (`ward flush`): its RRsets (only `type` when given), negative
   * answers and parent-side glue; with `subtree`, every name at or below it too. Returns the count.
   */
  flush(name: string, opts: { type?: string; subtree?: boolean } = {}): number {
    const target = normalizeName(name);
    const under = (owner: string): boolean => (opts.subtree === true ? isSubdomain(owner, target) : owner === target);
    let n = 0;
    for (const key of [...this.lru.keys()]) {
      const { owner, type } = parseKey(key);
      if (!under(owner)) continue;
      // A type flush drops that RRset and its NODATA; the name's NXDOMAIN denies every type.
      if (opts.type !== undefined && type !== undefined && type !== opts.type) continue;
      if (this.lru.delete(key)) n++;
    }
    for (const key of [...this.parentSide.keys()]) if (under(parseKey(key).owner)) this.parentSide.delete(key);
    return n;
  }

  /** The entries at or below `name` (all without it), with remaining TTL, rank and DNSSEC state (`ward cache dump`). */
  dump(name?: string): CacheDumpEntry[] {
    const target = name === undefined ? undefined : normalizeName(name);
    const out: CacheDumpEntry[] = [];
    const now = this.clock.now();
    for (const [key, e] of this.lru.entries()) {
      const { owner } = parseKey(key);
      if (target !== undefined && !isSubdomain(owner, target)) continue;
      const left = Math.ceil((e.expires - now) / 1000);
      out.push({
        kind: e.kind, ttl: Math.max(0, left), stale: left <= 0, rank: e.rank, security: e.security ?? 'unchecked',
        records: withTtl([...e.records, ...e.sigs], Math.max(0, left)),
      });
    }
    return out;
  }

  /** False when no DNAME can be held: none was stored since the cache was cleared (a cheap test before looking one up above a name). */
  mayHoldDname(): boolean { return this.storedDname; }

  /** Drops everything. */
  clear(): void {
    this.lru.clear();
    this.storedDname = false;
    this.parentSide.clear();
    this.failed.clear();
  }

  private settle(e: Entry, security: CacheSecurity, maxTtl: number | undefined): void {
    e.security = security;
    if (maxTtl === undefined) return;
    e.expires = Math.min(e.expires, this.clock.now() + Math.max(0, maxTtl) * 1000);
    e.origTtl = Math.min(e.origTtl, maxTtl);
  }

  private negativeHit(e: Entry): NegativeHit {
    const { ttl, stale } = this.remaining(e);
    return {
      kind: e.kind as NegativeKind, authority: withTtl(e.records, ttl), ttl, stale, security: e.security,
      ...(e.context ? { context: withTtl(e.context, ttl) } : {}),
    };
  }

  /** The last 10% of the original TTL, its start included (Unbound prefetches from 90% of the TTL on). */
  private inPrefetchWindow(e: Entry, now: number): boolean {
    return this.config.prefetch && e.expires - now <= e.origTtl * 1000 * PREFETCH_FRACTION;
  }

  private clampTtl(ttl: number): number {
    if (this.config.serve_original_ttl) return ttl;
    return Math.min(Math.max(ttl, this.config.min_ttl), this.config.max_ttl);
  }

  /** How long an expired entry may be served: the maximum stale timer (RFC 8767 §5). */
  private staleKeepMs(): number {
    return this.config.stale_max_ttl > 0 ? this.config.stale_max_ttl * 1000 : STALE_KEEP_MS;
  }

  /** Drops the entries at `keys` that have expired. */
  private dropExpired(keys: string[]): void {
    const now = this.clock.now();
    for (const key of keys) {
      const e = this.lru.peek(key);
      if (e && e.expires <= now) this.lru.delete(key);
    }
  }

  /** RFC 2181 §5.4.1: lower-ranked data does not replace higher-ranked data that is still fresh. */
  private mayReplace(key: string, rank: Rank): boolean {
    const old = this.lru.peek(key);
    return !old || old.rank <= rank || old.expires <= this.clock.now();
  }

  private put(key: string, kind: Entry['kind'], given: Record[], ttl: number, rank: Rank, givenSigs: Record[] = []): void {
    const records = compactRecords(given);
    const sigs = compactRecords(givenSigs);
    const size = [...records, ...sigs].reduce((n, rr) => n + recordSize(rr), ENTRY_BYTES + key.length);
    const expires = this.clock.now() + ttl * 1000;
    this.lru.set(key, { kind, records, sigs, origTtl: ttl, expires, staleUntil: expires + this.staleKeepMs(), rank, size });
  }

  /** The entry if it is fresh (or stale and allowed); expired entries past any use are dropped. */
  private fresh(key: string, opts: LookupOptions): Entry | undefined {
    const e = this.lru.get(key);
    if (!e) return undefined;
    const now = this.clock.now();
    if (e.expires > now) return e;
    const servable = this.config.serve_stale && now < e.staleUntil;
    // With stale_ttl_reset an entry too old to serve stays until the LRU drops it: a failed refresh revives it.
    if (!servable && !(this.config.serve_stale && this.config.stale_ttl_reset)) this.lru.delete(key);
    return servable && opts.allowStale ? e : undefined;
  }

  private remaining(e: Entry): { ttl: number; stale: boolean } {
    const left = e.expires - this.clock.now();
    const stale = left <= 0;
    if (this.config.serve_original_ttl) return { ttl: e.origTtl, stale };
    return stale ? { ttl: this.config.stale_reply_ttl, stale } : { ttl: Math.ceil(left / 1000), stale };
  }
}

/** A record's data as text, to compare records: an RRset is a set, duplicates are one record (RFC 2181 §5). */
const dataText = (rr: Record): string => JSON.stringify(rdataOf(rr));

/** Whether two RRsets hold the same data, as sets. */
function sameData(a: Record[], b: Record[]): boolean {
  const text = (rs: Record[]): string => [...new Set(rs.map(dataText))].sort().join('|');
  return text(a) === text(b);
}

/** The records without repeats of the same data (RFC 2181 §5: duplicate records are suppressed). */
function distinct(records: Record[]): Record[] {
  if (records.length < 2) return records;
  const seen = new Set<string>();
  return records.filter((rr) => {
    const t = dataText(rr);
    if (seen.has(t)) return false;
    seen.add(t);
    return true;
  });
}

function withTtl(records: Record[], ttl: number): Record[] {
  return records.map((rr) => ({ ...rr, ttl }) as Record);
}
