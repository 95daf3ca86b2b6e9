/**
 * The contracts of the shared connection core. The same Session, Listener and UdpEndpoint serve
 * clients (role 'inbound') and talk to authoritative servers (role 'outbound'); only the in-flight
 * table (inbound) and the multiplexer (outbound) depend on direction.
 * Network failures are values (ExchangeResult 'fail'), never exceptions.
 */
import type { Logger } from '../log/index.js';
import type { TlsMaterial } from '../tls/index.js';
import type { Abortable, Clock } from '../util/index.js';
import type { ConnectionBudget } from './connection-budget.js';

export type Transport = 'udp' | 'tcp' | 'tls';
export type StreamTransport = 'tcp' | 'tls';
export interface Endpoint { host: string; port: number }

/** Who is on the other end of a query, as the server sees it. */
export interface PeerInfo { address: string; port: number; transport: Transport }

export type CloseReason = 'idle' | 'limit' | 'peer-eof' | 'error' | 'shutdown' | 'malformed';

export type NetErrorCode =
  | 'timeout' | 'connect-refused' | 'connect-timeout' | 'tls-handshake' | 'tls-auth'
  | 'reset' | 'id-exhausted' | 'aborted' | 'oversize' | 'closed' | 'network'
  /** The query bytes carry no question the reply could be matched against. */
  | 'bad-query';

/** Per-stream limits, shared by both roles. */
export interface SessionLimits {
  maxFrameBytes: number;
  /** Idle time with nothing in flight before the session closes itself. */
  idleTimeoutMs: number;
  /** Unwritten octets that may queue before the session stops reading / reports back-pressure. */
  maxWriteQueueBytes: number;
  /** Queries in flight on one session (inbound: reading pauses at the cap; outbound: pool dials another). */
  maxInflight: number;
  tlsHandshakeTimeoutMs: number;
}

/** One query received by a listener over any transport. `reply` may be called once. */
export interface InboundQuery {
  bytes: Buffer;
  peer: PeerInfo;
  /** For stream transports: the session the query came on (keepalive/padding decisions). */
  stream?: StreamInfo;
  /** Sends the response; `undefined` drops the query (no answer, e.g. ACL deny). */
  reply(bytes: Buffer | undefined): void;
  /**
   * Aborted when the query's connection closes (streams) or the listener shuts down (UDP). One signal
   * is shared by all queries of a session / UDP listener (no allocation per query): remove any
   * listener you add once the query is answered.
   */
  signal: AbortSignal;
}
export type InboundSink = (q: InboundQuery) => void;

/** One stream session as its queries see it; one object per session, shared by its queries. */
export interface StreamInfo {
  readonly sessionId: number;
  readonly transport: StreamTransport;
  /** The session's current idle timeout (ms). */
  readonly idleTimeoutMs: number;
  /** Changes the session's idle timeout, e.g. to the keepalive timeout offered to the client (RFC 7828 §3.3.2). */
  setIdleTimeout(ms: number): void;
}

/** How `listen()` binds a listening socket for clients (listener.ts). */
export interface ListenOptions {
  transport: Transport;
  address: string;
  /** 0 picks an ephemeral port (see `Listener.address()`). */
  port: number;
  log: Logger;
  /** Timers: session idle and close grace, the deadline of a graceful `close()`. */
  clock?: Clock;
  /** Stream transports: per-session limits (defaults from limits.ts). */
  limits?: Partial<SessionLimits>;
  /** Stream transports: connections beyond this on this socket are closed as soon as they are accepted. */
  maxConnections?: number;
  /** Stream transports: a cap shared with other listeners (one object for all); replaces `maxConnections`. */
  connections?: ConnectionBudget;
  /** Transport 'tls': the certificate and key (PEM). */
  tls?: TlsMaterial;
  /**
   * Wanted TCP Fast Open queue (RFC 7413). Node cannot set TCP_FASTOPEN on a listening socket; on
   * Linux it works only kernel-wide (sysctl net.ipv4.tcp_fastopen with bits 0x2|0x400). The listener
   * reports what it found in `fastOpen`.
   */
  tcpFastOpenQueue?: number;
  /** UDP: socket receive/send buffer sizes (octets). */
  udpBufferBytes?: number;
}

export interface ListenerStats {
  /** Open stream sessions (always 0 for UDP). */
  sessions: number;
  /** Queries handed to the sink and not answered yet. */
  inflight: number;
  /** Queries received. */
  queries: number;
  /** Connections accepted / refused at the connection cap / failed TLS handshakes. */
  accepted: number;
  refused: number;
  tlsErrors: number;
}

/** What TCP Fast Open looks like on this listener: on for every listener by the kernel, or not available. */
export type FastOpenState = 'kernel-wide' | 'unavailable' | 'not-applicable';

export interface Listener {
  readonly transport: Transport;
  readonly fastOpen: FastOpenState;
  address(): { address: string; port: number };
  stats(): ListenerStats;
  /**
   * Graceful stop: accept nothing new, let queries in flight finish until `deadlineMs`, then close
   * the sessions (their queued answers are flushed) and the socket.
   */
  close(deadlineMs?: number): Promise<void>;
}

/** What the upstream side asks of the core. */
export interface ExchangeRequest {
  to: Endpoint;
  transport: Transport;
  /** The query; its ID is (re)assigned by the core. */
  query: Buffer;
  timeoutMs: number;
  /** For transport 'tls': the name to check the certificate against, and whether a failure is fatal. */
  tls?: { servername?: string; authenticate: boolean; spkiPins?: string[]; ca?: string };
  signal?: Abortable;
  /** Local address to bind outgoing sockets to. */
  sourceAddress?: string;
  /**
   * Called when this exchange opened a new stream session (for per-server connection counts);
   * `resumed`: a TLS session resumed from a ticket (an abbreviated handshake, RFC 8446 §2.2).
   */
  onOpened?: (e: { transport: StreamTransport; resumed: boolean }) => void;
}

export type ExchangeResult =
  | {
    kind: 'reply'; bytes: Buffer; rttMs: number; transport: Transport;
    /** The stream session had carried an earlier query (RFC 7766 §6.2.1 reuse). */
    reused: boolean;
    /** TLS only: the server was authenticated (certificate chain and name, or an SPKI pin). */
    authenticated?: boolean;
    /**
     * Stream transports: the session that carried the exchange. `applyKeepalive` takes the keepalive
     * timeout of the (checked) reply in ms, undefined when it carried no keepalive option (see
     * SessionPool for what RFC 7828 §3.3.2 makes of it).
     */
    session?: { applyKeepalive(timeoutMs: number | undefined): void };
  }
  | { kind: 'fail'; code: NetErrorCode; elapsedMs: number; detail?: string };

/** The upstream-facing API of the core. `exchange` never rejects on network failure. */
export interface Exchanger {
  exchange(req: ExchangeRequest): Promise<ExchangeResult>;
  close(): Promise<void>;
}
