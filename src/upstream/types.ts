/**
 * What the resolver asks of the authority-facing side. The resolver imports only these types; app.ts
 * injects the instance, and scenario replay injects a scripted network behind the same core.
 */
import type { Message } from '../wire/index.js';
import type { Abortable } from '../util/index.js';
import type { Transport } from '../net/index.js';

/** One authoritative server address; `name` is its NS name when known (DoT authentication, SNI). */
export interface ServerAddress { address: string; port: number; name?: string }

/** One question sent to one authoritative server address. */
export interface UpstreamQuery {
  name: string;
  type: string;
  /** The server's address (IPv4 or IPv6) and port (53 unless a test says otherwise). */
  server: ServerAddress;
  /** Set the DO bit (RFC 3225) and ask for DNSSEC records. */
  dnssecOk: boolean;
  cd: boolean;
  /** Set RD (forwarding); iterative queries leave it clear. */
  rd: boolean;
  signal?: Abortable;
  /** The zone the server is asked as a server of (per-zone counters); absent for probes of no zone. */
  zone?: string;
  /**
   * The server stayed silent over UDP for this client query (a failure with `udpSilent`): skip that
   * try and go on down the ladder, without EDNS and then over TCP (RFC 7766 §5).
   */
  afterUdpSilence?: boolean;
  /**
   * DoT only, whatever `upstream.tls` says: never cleartext, a DoT failure is the query's failure
   * (as in RFC 8310 §5's strict profile); the server is authenticated only with `upstream.tls:
   * strict`. Set for the servers of a forward zone with `tls: true`.
   */
  requireTls?: boolean;
}

/** Why an upstream query failed; feeds server selection (cf. Knot kr_selection_error). */
export type UpstreamFailure =
  | 'timeout' | 'tls-failed' | 'connect-failed' | 'malformed' | 'mismatch' | 'formerr' | 'network' | 'aborted';

export type UpstreamResult =
  | { kind: 'reply'; message: Message; rttMs: number; transport: Transport }
  /**
   * `udpSilent`: the server stayed silent over UDP and rungs of the ladder are left untried (without
   * EDNS, TCP); asking again with `afterUdpSilence` tries them.
   */
  | { kind: 'fail'; reason: UpstreamFailure; elapsedMs: number; udpSilent?: boolean; detail?: string };

export interface Upstream {
  /** Sends one query to one server with the fallback ladder (UDP+EDNS, UDP, TCP; TC → TCP; DoT per policy). */
  query(q: UpstreamQuery): Promise<UpstreamResult>;
}

/** What `createUpstream` (upstream/index.ts) takes: the net core's Exchanger plus policy. */
export interface UpstreamOptions {
  exchanger: import('../net/index.js').Exchanger;
  clock: import('../util/index.js').Clock;
  log: import('../log/index.js').Logger;
  config: import('../config/index.js').UpstreamConfig;
  /** Port for DoT to a server (RFC 7858: 853); tests point it at an ephemeral port. */
  dotPort?: number;
  /** Most servers remembered by the infrastructure cache (LRU beyond). Default 10000. */
  infraCacheSize?: number;
  /** Uniform random numbers in [0, 1) for selection tie-breaking; tests fix it. Default Math.random. */
  random?: () => number;
  /** upstream.tls_rules with their CA files read; default none. */
  tlsRules?: TlsRule[];
}

/** What Ward knows of a server's EDNS support (RFC 6891 §7 fallback remembered). */
export type EdnsSupport = 'unknown' | 'yes' | 'no';

/** RFC 9539 §4.2 per-server DoT state; `until` is wall-clock ms (Clock.now()). */
export type DotState =
  | { state: 'unknown' }
  | { state: 'probing' }
  | { state: 'ok'; until: number }
  | { state: 'failed'; until: number };

/** A snapshot of the infrastructure cache's entry for one server. */
export interface ServerInfo {
  /** Smoothed RTT and its variance (RFC 6298 §2), undefined before the first sample. */
  srttMs?: number;
  rttvarMs?: number;
  /** The timeout the next UDP try to this server gets. */
  timeoutMs: number;
  consecutiveTimeouts: number;
  /** Wall-clock ms until which selection ranks the server last (0: not backed off). */
  backoffUntil: number;
  edns: EdnsSupport;
  dot: DotState;
}

/**
 * The full upstream: `query` plus the server selection the resolver may use instead of its own.
 * Every `query` feeds RTT, timeouts, EDNS support and DoT state back automatically.
 */
export interface ManagedUpstream extends Upstream {
  /** Candidates best first: unknown servers (shuffled), then by SRTT (close ones shuffled), penalised last. Drops addresses of a disabled family. */
  orderServers(candidates: readonly ServerAddress[], zone?: string): ServerAddress[];
  /** The first of `orderServers`, or undefined when none is usable. */
  selectServer(candidates: readonly ServerAddress[], zone?: string): ServerAddress | undefined;
  /** Marks `server` lame for `zone` (not authoritative there) for `ttlMs` (default 15 minutes). */
  markLame(server: ServerAddress, zone: string, ttlMs?: number): void;
  serverInfo(server: ServerAddress): ServerInfo;
  /** Resolves when background DoT probes started so far have finished (tests, shutdown). */
  settle(): Promise<void>;
  /** Applies a reloaded upstream config (TLS policy, families, timeouts); server knowledge is kept. */
  reconfigure(config: import('../config/index.js').UpstreamConfig, tlsRules?: TlsRule[]): void;
  /** What was sent, per server and zone, with each server's infra-cache entry (`ward upstream`). */
  report(): UpstreamReport;
  /** The report's totals alone (cheap: no per-server rows). */
  totals(): UpstreamTotals;
  /** Forgets everything known about a server address: RTT, EDNS, DoT state, lameness, counters. */
  forgetServer(address: string): number;
}

/** Tries on the wire per transport; this and the three shapes below are what tracker.ts counts, per server address and per zone. */
export interface TransportCounts { udp: number; tcp: number; tls: number }

export interface ServerCounters {
  address: string;
  port: number;
  /** Zones this address was asked for (the most recent few). */
  zones: string[];
  queries: number;
  queries_tls: number;
  by_transport: TransportCounts;
  timeouts: number;
  /** Stream connections opened (first query on a new session), and TLS handshakes full or resumed. */
  tcp_connections: number;
  tls_connections: number;
  tls_full: number;
  tls_resumed: number;
  /** Queries that went in clear because DoT to a server known to do it failed. */
  fallbacks: number;
  /** Tries that never carried the query: connection refused or timed out, TLS handshake or authentication failed. */
  connect_failures: number;
  last_transport?: Transport;
  /** Why the last query that had to be encrypted (strict) was not sent. */
  last_error?: string;
}

export interface ZoneCounters { zone: string; queries: number; queries_tls: number }

export interface UpstreamTotals {
  queries: number;
  by_transport: TransportCounts;
  timeouts: number;
  fallbacks: number;
  connect_failures: number;
  tls_connections: number;
  tls_full: number;
  tls_resumed: number;
}

/** One server row of `ward upstream`: counters plus what the infrastructure cache knows. */
export interface UpstreamServerReport extends ServerCounters {
  srtt_ms?: number;
  /** The upstream.tls_rules entry that applies, in words. */
  tls_rule?: string;
  dot: DotState;
  encrypted_share: number;
  queries_per_tls_connection: number;
}

export interface UpstreamReport extends UpstreamTotals {
  encrypted_share: number;
  servers: UpstreamServerReport[];
  zones: (ZoneCounters & { encrypted_share: number })[];
}

/** One upstream.tls_rules entry, its CA file read (app.ts). */
export interface TlsRule {
  zone?: string;
  address?: string;
  mode: import('../config/index.js').UpstreamTlsPolicy;
  pins: string[];
  /** PEM certificates to authenticate against instead of the system CAs. */
  ca?: string;
  /** The name the certificate must carry; default the server's NS name. */
  name?: string;
}
