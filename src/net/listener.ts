/**
 * Listening sockets for clients: UDP (one datagram, one query) and TCP/TLS streams (sessions with
 * pipelining, RFC 7766 §6.2.1.1; DoT per RFC 7858). The same Listener also serves as the fake
 * authoritative server in tests. `listen()` picks the implementation by transport.
 */
import type { Logger } from '../log/index.js';
import type { TlsMaterial } from '../tls/index.js';
import type { Clock } from '../util/index.js';
import type { ConnectionBudget } from './connection-budget.js';
import { listenStream } from './stream-listener.js';
import { listenUdp } from './udp-listener.js';
import type { InboundSink, SessionLimits, Transport } from './types.js';

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

/** Binds a listener; rejects when the address cannot be bound. */
export function listen(opts: ListenOptions, sink: InboundSink): Promise<Listener> {
  return opts.transport === 'udp' ? listenUdp(opts, sink) : listenStream(opts, opts.transport, sink);
}
