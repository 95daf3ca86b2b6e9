/**
 * The DNSSEC layer's public types: the security state of data (RFC 4033 §5, RFC 4035 §4.3), the
 * Extended DNS Error a bogus result carries (RFC 8914 §4), and the `ChainFetcher` port through which
 * the validator asks for DS and DNSKEY RRsets. The validator never imports the resolver: the
 * composition (resolver/app) passes a fetcher that routes these lookups back into its own mesh.
 */
import { EDE_CODE, type ExtendedError, type Record } from '../wire/index.js';

/** RFC 4035 §4.3: secure, insecure, bogus, indeterminate. */
export type Security = 'secure' | 'insecure' | 'bogus' | 'indeterminate';

/** An RFC 8914 Extended DNS Error. */
export type Ede = ExtendedError;

/** RFC 8914 §4 codes (the registry in wire/ serves the validator too). */
export const DNSSEC_EDE = EDE_CODE;

/** RFC 4035 §5.3.3: the most seconds each authenticated RRset may be kept, by `rrsetKeyOf` ("owner|type|class", wire/rrsets.ts). */
export type TtlCaps = Map<string, number>;

/**
 * The outcome of validating something: its state, for bogus data why, and for secure data the
 * authenticated NSEC and NSEC3 records that came with it (usable for aggressive caching, RFC 8198)
 * and how long the authenticated RRsets may be kept.
 */
export interface Verdict {
  security: Security;
  ede?: Ede;
  nsecs?: Record[];
  /** One RRset found secure: its TTL cap (RFC 4035 §5.3.3). */
  ttl?: number;
  /** A whole step: the TTL cap of every RRset found secure. */
  ttlCaps?: TtlCaps;
  /** `rrsetKeyOf` ("owner|type|class") of the answer RRset whose own signatures failed, when that made the data bogus. */
  bogusRRset?: string;
  /** An NXDOMAIN whose proof shows NODATA instead (an empty non-terminal): it is answered as NODATA. */
  provesNoData?: boolean;
}

/** What a ChainFetcher returns: the reply to a DS or DNSKEY question, unvalidated. */
export interface ChainAnswer {
  rcode: number;
  /** Answer records, RRSIGs included. */
  answer: Record[];
  /** Authority records (SOA, NSEC, NSEC3 and their RRSIGs) of a negative answer. */
  authority: Record[];
}

/**
 * Looks up (lowercased name, 'DS' | 'DNSKEY') through the resolver, without validating. `refetch`:
 * the last answer was bogus: drop it and ask again, avoiding the server that gave it.
 */
export type ChainFetcher = (name: string, type: 'DS' | 'DNSKEY', refetch?: boolean) => Promise<ChainAnswer>;

/** A parsed set of trust anchors (RFC 4033 §2, RFC 7958 for the root's). */
export interface TrustAnchors {
  /** Anchors by lowercased zone name ('' for the root): DS and/or DNSKEY records. */
  zones: Map<string, Record[]>;
  /** Negative trust anchors (RFC 7646): lowercased names under which nothing is validated. */
  negative: string[];
}
