/** The cache's public types: what a lookup returns and how it may be asked. */
import type { Record } from '../wire/index.js';
import type { Rank } from './rank.js';

/** DNSSEC state of cached data (dnssec/types.ts Security; RFC 4035 §4.3), undefined until validated. */
export type CacheSecurity = 'secure' | 'insecure' | 'bogus' | 'indeterminate';

export interface LookupOptions {
  /** Only data of at least this rank (answers to clients need answer-section data, not glue). */
  minRank?: Rank;
  /** Return expired data too (serve-stale, RFC 8767), with `stale` set and TTL cache.stale_reply_ttl. */
  allowStale?: boolean;
}

/** A cached RRset with TTLs counted down to what remains. */
export interface RRsetHit {
  records: Record[];
  /** The RRSIGs covering the set, TTLs counted down like it. */
  sigs: Record[];
  /** Seconds left (cache.stale_reply_ttl for stale data; the TTL as received with cache.serve_original_ttl). */
  ttl: number;
  rank: Rank;
  stale: boolean;
  /** True when prefetch is on and the hit falls in the last 10% of the original TTL. */
  prefetch: boolean;
  /** With prefetch on, outside the window: milliseconds until a hit would fall in it. */
  untilPrefetchMs?: number;
  /** Validation result stored with the set; undefined when never validated. */
  security?: CacheSecurity;
  /** The NSEC/NSEC3 proof stored with a wildcard-expanded set. */
  proof?: Record[];
  /** The answering zone's NS set and addresses (DnsCache.setContext). */
  context?: Record[];
}

export type NegativeKind = 'nxdomain' | 'nodata';

/** A cached negative answer (RFC 2308) with its authority records, TTL counted down. */
export interface NegativeHit {
  kind: NegativeKind;
  /** The SOA and the other authority records that came with it, TTL counted down. */
  authority: Record[];
  ttl: number;
  stale: boolean;
  /** Validation result stored with the answer; undefined when never validated. */
  security?: CacheSecurity;
  /** The answering zone's server addresses (DnsCache.setContext). */
  context?: Record[];
}

/** One cache entry as `ward cache dump` shows it. */
export interface CacheDumpEntry {
  kind: 'rrset' | NegativeKind;
  /** Seconds left (0 once expired and kept only for serve-stale). */
  ttl: number;
  stale: boolean;
  rank: Rank;
  security: CacheSecurity | 'unchecked';
  /** The RRset with its RRSIGs, or the negative answer's authority records, TTLs counted down. */
  records: Record[];
}
