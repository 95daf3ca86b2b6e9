/**
 * Starts and stops the client-facing server: binds every `server.listen` entry through the net core's
 * Listener (UDP, TCP per RFC 7766, DoT per RFC 7858) with one dispatcher behind them all. Start-up is
 * all or nothing: when one socket cannot be bound, those already bound are closed and the error is
 * thrown. `limits.max_connections` caps the TCP and TLS connections of all listeners together (one
 * ConnectionBudget). `stop()` accepts nothing new, lets queries in flight finish, then closes.
 */
import { ConnectionBudget, listen, sessionLimitsFromConfig, type Listener } from '../net/index.js';
import { systemClock, type Clock } from '../util/index.js';
import type { ListenConfig, ServerConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { TlsMaterial } from '../tls/index.js';
import { AccessControl } from './acl.js';
import { createDispatcher, type ServerStats } from './dispatch.js';
import { MicroCache } from './microcache.js';
import type { QueryHandler } from './types.js';
import type { QueryLogger } from './query-log.js';

export interface StartServerOptions {
  server: ServerConfig;
  handler: QueryHandler;
  log: Logger;
  /** Needed when a listen entry has transport tls. */
  tls?: TlsMaterial;
  clock?: Clock;
  /** The UDP reply microcache (default on). */
  microcache?: boolean;
  /** What observes every answered query (the query log, the status page; composeQueryLoggers), when any is on. */
  queryLog?: QueryLogger;
  /** Microcache partition of a client (its policy group: answers may differ between groups). */
  microcachePartition?: (address: string) => number;
}

export interface BoundSocket { transport: 'udp' | 'tcp' | 'tls'; address: string; port: number }

export interface RunningServer {
  /** The sockets as bound (ports resolved when the config said 0). */
  readonly sockets: BoundSocket[];
  /** Query counters, open stream sessions and open connections (TLS handshakes included) across listeners. */
  stats(): ServerStats & { sessions: number; connections: number };
  /**
   * Reload: swaps the handler and access control, binds listen entries that are new and closes
   * those no longer listed (their queries in flight get the stop deadline); listeners kept keep
   * their connections. Limits and TLS material of kept listeners stay as they were.
   */
  reconfigure(server: ServerConfig, handler: QueryHandler): Promise<{ added: number; removed: number }>;
  /** Drops the UDP reply microcache (after a cache flush). */
  flushMicrocache(): void;
  /** Graceful stop: nothing new is accepted; queries in flight get up to `deadlineMs` to finish. */
  stop(deadlineMs?: number): Promise<void>;
}

const listenKey = (l: { transport: string; address: string; port: number }): string => `${l.transport}|${l.address}|${l.port}`;

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
    queryLog: opts.queryLog,
    partition: opts.microcachePartition,
  });
  const l = server.limits;
  const connections = new ConnectionBudget(l.max_connections);
  /** Listeners by their config entry (listenKey). */
  const listeners = new Map<string, Listener>();
  const bind = (entry: ListenConfig): Promise<Listener> => listen({
    transport: entry.transport, address: entry.address, port: entry.port, log, clock,
    tls: entry.transport === 'tls' ? opts.tls : undefined,
    connections,
    udpBufferBytes: l.udp_socket_buffer_bytes,
    tcpFastOpenQueue: server.tcp_fastopen_queue,
    limits: sessionLimitsFromConfig(l),
  }, dispatcher.sink);
  try {
    for (const entry of server.listen) listeners.set(listenKey(entry), await bind(entry));
  } catch (err) {
    await Promise.all([...listeners.values()].map((x) => x.close(0)));
    throw err;
  }
  const sockets: BoundSocket[] = [];
  const refreshSockets = (): void => {
    sockets.splice(0, sockets.length, ...[...listeners.values()].map((x) => ({ transport: x.transport, ...x.address() })));
  };
  refreshSockets();
  log.info({ sockets }, 'serving');
  let stopping: Promise<void> | undefined;
  return {
    sockets,
    stats: () => ({
      ...dispatcher.stats(), sessions: [...listeners.values()].reduce((n, x) => n + x.stats().sessions, 0), connections: connections.open,
    }),
    async reconfigure(next, handler) {
      if (next.listen.some((e) => e.transport === 'tls') && !opts.tls) throw new Error('a tls listener needs the DoT certificate: restart Ward to add the first one');
      dispatcher.update(handler, new AccessControl(next.access_control));
      const wanted = new Map(next.listen.map((e) => [listenKey(e), e]));
      const gone = [...listeners.keys()].filter((k) => !wanted.has(k));
      const fresh = [...wanted.entries()].filter(([k]) => !listeners.has(k));
      for (const [k, entry] of fresh) listeners.set(k, await bind(entry));
      await Promise.all(gone.map((k) => { const x = listeners.get(k)!; listeners.delete(k); return x.close(5_000); }));
      refreshSockets();
      if (fresh.length > 0 || gone.length > 0) log.info({ sockets }, 'serving');
      return { added: fresh.length, removed: gone.length };
    },
    flushMicrocache: () => dispatcher.flushMicrocache(),
    stop(deadlineMs = 5_000) {
      stopping ??= Promise.all([...listeners.values()].map((x) => x.close(deadlineMs))).then(() => { log.info('stopped'); });
      return stopping;
    },
  };
}
