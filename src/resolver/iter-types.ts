/** Internal types of the iterator: the delegation point, per-query state, outcomes, environment. */
import type { Message, Pref64, Record } from '../wire/index.js';
import type { Abortable } from '../util/index.js';
import type { DnsCache } from '../cache/index.js';
import type { Logger } from '../log/index.js';
import type { ForwardZone, StubZone, ResolverConfig, UpstreamConfig, RootHint } from '../config/index.js';
import type { Budget } from './budget.js';
import type { Ede } from './ede.js';
import type { ResolverUpstream } from './types.js';
import type { ServerAddress } from '../upstream/index.js';
import type { Security } from '../dnssec/index.js';
import type { Distrusted } from './distrust.js';
import type { PrivateAddresses } from './private-addresses.js';

/** One name server of a delegation and the addresses known for it. */
export interface NsTarget { name: string; addrs: string[]; lookedUp: boolean }

/** A delegation point: the zone whose servers are asked, and the state of asking them. */
export interface Delegation {
  zone: string;
  ns: NsTarget[];
  /** Where it came from: root hints, the cache, a referral received now, a forward or stub zone. */
  source: 'hints' | 'cache' | 'referral' | 'forward' | 'stub';
  /** Its servers are asked over DoT only: a forward zone with `tls: true`, and referrals its servers give. */
  requireTls: boolean;
  /** A forward or stub zone with `first`: when its servers all fail, resolve from the root path instead. */
  first: boolean;
  /** Addresses asked the current question. */
  tried: Set<string>;
  /** Servers silent over UDP for the current question, to ask once more down the ladder before giving up. */
  udpSilent: ServerAddress[];
  /** NS names whose addresses were looked up (NXNS cap). */
  targetsStarted: number;
  /** Address lookups running for its servers (made with the first). */
  pending?: Set<Promise<void>>;
}

/** What one iteration for (name, type) ends with. */
export type IterOutcome =
  | ({ kind: 'answer'; records: Record[] } & Provenance)
  | ({ kind: 'cname'; records: Record[]; target: string } & Provenance)
  /** `name`: where the chain in `records` ends, the name that does not exist or has no data. */
  | ({ kind: 'nxdomain' | 'nodata'; records: Record[]; authority: Record[]; name?: string } & Provenance)
  | ({ kind: 'yxdomain'; records: Record[] } & Provenance)
  | { kind: 'fail'; ede: Ede };

/** Where an outcome came from, for DNSSEC validation (dnssec/validator.ts). */
export interface Provenance {
  /** The zone whose servers gave it (unsigned data is judged by that zone's security). */
  zone?: string;
  /** NSEC/NSEC3 records (with RRSIGs) of a positive reply: the proof behind a wildcard answer. */
  proof?: Record[];
  /** Set on cache hits: the validation result stored with the data. */
  security?: Security;
  /** The server whose reply it is (avoided for the zone when validation finds the data bogus). */
  server?: ServerAddress;
  /** Reply CNAMEs contradicting a DNAME's synthesized CNAME: never answered, but validated. */
  conflicts?: Record[];
  /**
   * With resolver.minimal_responses off: the answering zone's NS set (with RRSIGs) and the server
   * addresses its reply carried, after scrubbing: the authority and additional sections of the answer.
   */
  zoneNs?: Record[];
  /** A cache hit with cache.prefetch on: how long a copy of the answer may be reused before the resolver must see the question again. */
  reuseForMs?: number;
}

export type IterState = 'init' | 'queryTargets' | 'response' | 'finished';

/** A running mesh task, for de-duplication and cycle detection. */
export interface Task {
  key: string;
  depth: number;
  budget: Budget;
  /** The tasks it waits on (made with the first). */
  waitingOn?: Set<Task>;
  /** Aborted when nothing waits for the task any more (mesh.ts): its upstream queries and the iterator stop. */
  signal: Abortable;
  /** A refresh started by a cache hit in the prefetch window (cache.prefetch), not by a waiting client. */
  prefetch?: boolean;
}

export interface QueryState {
  id: number;
  /** Lowercased name and type being resolved. */
  name: string;
  type: string;
  task: Task;
  dp?: Delegation;
  /** QNAME minimisation (RFC 9156): still on, and minimised queries sent. */
  minimise: boolean;
  minCount: number;
  /** The question sent and the server it went to. */
  qout: { name: string; type: string; minimised: boolean };
  server?: ServerAddress;
  reply?: Message;
  outcome?: IterOutcome;
  /** Why the last server failed, for the final EDE. */
  lastFailure?: string;
  /** What the upstream said about that failure (e.g. why strict DoT could not be met). */
  lastFailureDetail?: string;
  /** Zones whose parent was asked again after their cached servers all failed (made with the first). */
  refetched?: Set<string>;
  /** The servers of a forward or stub zone with `first` all failed: configured zones are passed over from now on. */
  unconfigured?: boolean;
  /**
   * The last answer from a recursion-lame server (RA without AA) of the zone being asked: passed
   * over while the zone's other servers may answer, used when none does (`accepted` then).
   */
  recursionLame?: { zone: string; server: ServerAddress; reply: Message; accepted: boolean };
}

/** Everything the iterator steps use. */
export interface IterEnv {
  cache: DnsCache;
  upstream: ResolverUpstream;
  log: Logger;
  config: ResolverConfig;
  upstreamConfig: UpstreamConfig;
  rootHints: RootHint[];
  forwardZones: ForwardZone[];
  stubZones: StubZone[];
  /** Root hint, forwarder and stub server addresses: exempt from do_not_query_localhost. */
  exempt: Set<string>;
  /** Servers that recently gave bogus data for a zone: not asked while others remain. */
  distrusted: Distrusted;
  /** Whether DNSSEC validation covers `name` (a trust anchor above it, no negative one). */
  validates(name: string): boolean;
  /** upstream.nat64.prefix when NAT64 is on: IPv4 server addresses are asked at their form under it. */
  nat64?: Pref64;
  /** resolver.private_addresses / private_domains, when any prefix is configured. */
  privateAddresses?: PrivateAddresses;
  /** Resolves (name, type) as a sub-query of `parent`; the records of the final answer, [] on failure. */
  subResolve(name: string, type: string, parent: Task): Promise<Record[]>;
}

/** Records why the last server did not give an answer (the SERVFAIL's EDE text if none does). */
export function noteFailure(q: QueryState, why: string, detail?: string): void {
  q.lastFailure = why;
  q.lastFailureDetail = detail;
}
