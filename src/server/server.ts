/**
 * Starts and stops the client-facing server: binds every `server.listen` entry through the net core's
 * Listener (UDP, TCP per RFC 7766, DoT per RFC 7858) with one dispatcher behind them all. Start-up is
 * all or nothing: when one socket cannot be bound, those already bound are closed and the error is
 * thrown. `limits.max_connections` caps the TCP and TLS connections of all listeners together (one
 * ConnectionBudget). `stop()` accepts nothing new, lets queries in flight finish, then closes.
 */
import { ConnectionBudget, listen, type Listener } from '../net/index.js';
import { systemClock, type Clock } from '../util/index.js';
import type { ServerConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { TlsMaterial } from '../tls/index.js';
import { AccessControl } from './acl.js';
import { createDispatcher, type ServerStats } from './dispatch.js';
import { MicroCache } from './microcache.js';
import type { QueryHandler } from './types.js';

export interface StartServerOptions {
  server: ServerConfig;
  handler: QueryHandler;
  log: Logger;
  /** Needed when a listen entry has transport tls. */
  tls?: TlsMaterial;
  clock?: Clock;
  /** The UDP reply microcache (default on). */
  microcache?: boolean;
}

export interface BoundSocket { transport: 'udp' | 'tcp' | 'tls'; address: string; port: number }

export interface RunningServer {
  /** The sockets as bound (ports resolved when the config said 0). */
  readonly sockets: BoundSocket[];
  /** Query counters, open stream sessions and open connections (TLS handshakes included) across listeners. */
  stats(): ServerStats & { sessions: number; connections: number };
  /** Graceful stop: nothing new is accepted; queries in flight get up to `deadlineMs` to finish. */
  stop(deadlineMs?: number): Promise<void>;
}

/** Binds all listeners of `opts.server` and serves queries through `opts.handler`. */
export async function startServer(opts: StartServerOptions): Promise<RunningServer> {
  const { server, log } = opts;
  const clock = opts.clock ?? systemClock;
  const dispatcher = createDispatcher({
    handler: opts.handler,
    acl: new AccessControl(server.access_control),
    limits: server.limits,
    log: log.child({ component: 'server' }),
    clock,
    microcache: opts.microcache === false ? undefined : new MicroCache(),
  });
  const l = server.limits;
  const connections = new ConnectionBudget(l.max_connections);
  const listeners: Listener[] = [];
  try {
    for (const entry of server.listen) {
      listeners.push(await listen({
        transport: entry.transport, address: entry.address, port: entry.port, log, clock,
        tls: entry.transport === 'tls' ? opts.tls : undefined,
        connections,
        udpBufferBytes: l.udp_socket_buffer_bytes,
        tcpFastOpenQueue: server.tcp_fastopen_queue,
        limits: {
          maxFrameBytes: l.max_frame_bytes, idleTimeoutMs: l.tcp_idle_timeout_ms, maxWriteQueueBytes: l.max_write_queue_bytes,
          maxInflight: l.max_inflight_per_connection, tlsHandshakeTimeoutMs: l.tls_handshake_timeout_ms,
        },
      }, dispatcher.sink));
    }
  } catch (err) {
    await Promise.all(listeners.map((x) => x.close(0)));
    throw err;
  }
  const sockets = listeners.map((x) => ({ transport: x.transport, ...x.address() }));
  log.info({ sockets }, 'serving');
  let stopping: Promise<void> | undefined;
  return {
    sockets,
    stats: () => ({
      ...dispatcher.stats(), sessions: listeners.reduce((n, x) => n + x.stats().sessions, 0), connections: connections.open,
    }),
    stop(deadlineMs = 5_000) {
      stopping ??= Promise.all(listeners.map((x) => x.close(deadlineMs))).then(() => { log.info('stopped'); });
      return stopping;
    },
  };
}
