/**
 * The resolver's public contract. `Resolution` fits server/types.ts `Answer` structurally, and
 * `ResolveRequest` is a structural subset of the server's `ClientQuery`: the two never import each other.
 */
import type { Pref64, Record } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import type { Logger } from '../log/index.js';
import type { CacheConfig, ForwardZone, StubZone, ResolverConfig, RootHint, UpstreamConfig } from '../config/index.js';
import type { ManagedUpstream, Upstream } from '../upstream/index.js';
import type { Security, TrustAnchors } from '../dnssec/index.js';
import type { AnswerTier, CacheDumpEntry, DnsCache } from '../cache/index.js';
import type { ResolverStats } from './stats.js';

export interface ResolveRequest {
  /** Name as the client sent it (case kept, no trailing dot), dns-packet type name, class 'IN'. */
  question: { name: string; type: string; class: string };
  flags: { rd: boolean; cd: boolean; do: boolean; ad: boolean };
}

export interface Resolution {
  rcode: number;
  answer: Record[];
  authority: Record[];
  additional: Record[];
  /** AD: validated secure, and the client set DO or AD (RFC 6840 §5.8). */
  authenticated: boolean;
  /** RFC 8914 Extended DNS Errors; every SERVFAIL the resolver makes carries one. */
  ede?: { infoCode: number; extraText?: string }[];
  /** From the RRset cache, an answer tier (another worker's, cache.shared), or resolved (some step asked a server); for the query log. */
  source?: 'cache' | 'shared' | 'resolved';
  /** The DNSSEC state when the answer was validated (not with CD, nor without trust anchors). */
  security?: Security;
  /**
   * With cache.prefetch: how long the encoded reply may be reused (the server's microcache) before
   * the question must reach the cache again, so that a hit in the last 10% of the TTL starts a refresh.
   */
  reuseForMs?: number;
}

/** What the resolver needs of the upstream: queries, plus its server selection and lameness memory. */
export type ResolverUpstream = Upstream & Pick<ManagedUpstream, 'orderServers' | 'markLame'>;

export interface ResolverOptions {
  upstream: ResolverUpstream;
  clock: Clock;
  log: Logger;
  resolver: ResolverConfig;
  cache: CacheConfig;
  upstreamConfig: UpstreamConfig;
  /** Parsed root hints (from resolver.root_hints: a file parsed by the caller, or inline). */
  rootHints: RootHint[];
  /** Zones resolved by asking these recursive servers (RD set) instead of iterating; default none. */
  forwardZones?: ForwardZone[];
  /** Zones whose authoritative servers are configured: asked without RD, referrals followed; default none. */
  stubZones?: StubZone[];
  /** DNSSEC trust anchors (dnssec.trust_anchors, parsed); absent or empty: no validation. */
  trustAnchors?: TrustAnchors;
  /** upstream.nat64.prefix, parsed, when upstream.nat64.enabled: IPv4 servers are asked at addresses under it. */
  nat64?: Pref64;
  /** A cache that outlives the resolver (the composition root keeps it across reloads); default: its own. */
  store?: DnsCache;
  /** Counters that outlive the resolver likewise. */
  stats?: ResolverStats;
  /**
   * The answer tiers, asked in this order after the local cache (the other workers' answers, then
   * cache.shared) and each offered what is resolved; a hit is kept in the local cache.
   */
  shared?: AnswerTier[];
}

/** The resolver's counters and cache size (`ward stats`). */
export interface ResolverStatsSnapshot {
  cache_hits: number;
  cache_misses: number;
  stale_served: number;
  prefetches: number;
  validation: { secure: number; insecure: number; bogus: number; indeterminate: number };
  cache_entries: number;
  cache_bytes: number;
}

export interface Resolver {
  resolve(q: ResolveRequest, signal?: AbortSignal): Promise<Resolution>;
  stats(): ResolverStatsSnapshot;
  /** `ward flush`: drops `name` (one `type`, or its subtree) from every cache; returns the entries dropped. */
  flush(name: string, opts?: { type?: string; subtree?: boolean }): number;
  /** `ward flush --all`. */
  flushAll(): void;
  /** `ward cache dump [NAME]`. */
  dump(name?: string): CacheDumpEntry[];
  /** Stops timers (prefetch, cache sweeps). */
  close(): void;
}
