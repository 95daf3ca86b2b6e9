/**
 * What the resolver asks of the authority-facing side. The resolver imports only these types; app.ts
 * injects the instance, and scenario replay injects a scripted network behind the same core.
 */
import type { Message } from '../wire/index.js';
import type { Transport } from '../net/index.js';

/** One question sent to one authoritative server address. */
export interface UpstreamQuery {
  name: string;
  type: string;
  /** The server's address (IPv4 or IPv6) and port (53 unless a test says otherwise). */
  server: { address: string; port: number; name?: string };
  /** Set the DO bit (RFC 3225) and ask for DNSSEC records. */
  dnssecOk: boolean;
  cd: boolean;
  /** Set RD (forwarding); iterative queries leave it clear. */
  rd: boolean;
  signal?: AbortSignal;
}

/** Why an upstream query failed; feeds server selection (cf. Knot kr_selection_error). */
export type UpstreamFailure =
  | 'timeout' | 'tls-failed' | 'connect-failed' | 'malformed' | 'mismatch' | 'formerr' | 'network' | 'aborted';

export type UpstreamResult =
  | { kind: 'reply'; message: Message; rttMs: number; transport: Transport }
  | { kind: 'fail'; reason: UpstreamFailure; elapsedMs: number };

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
}
