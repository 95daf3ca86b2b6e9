/**
 * TCP and TLS listening sockets (RFC 7766, RFC 7858): each accepted connection becomes an inbound
 * Session with an InflightTable in front of the sink. Half-open connections are allowed (the
 * peer may end its side after sending: it still gets its answers). Connections over the cap
 * (`connections`, shared with the server's other stream listeners, or this socket's own
 * `maxConnections`) are closed at accept; TLS clients that fail or stall the handshake are dropped
 * by the TLS server (handshakeTimeout).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { serverTlsOptions } from '../tls/index.js';
import { errorMessage, systemClock } from '../util/index.js';
import { ConnectionBudget } from './connection-budget.js';
import { InflightTable } from './inflight.js';
import { InflightCount } from './inflight-count.js';
import { sessionLimits } from './limits.js';
import { Session } from './session.js';
import type { FastOpenState, InboundSink, ListenOptions, Listener, ListenerStats, StreamTransport } from './types.js';

/** Linux: TCP Fast Open for listeners that did not ask by setsockopt needs sysctl bits 0x2 and 0x400. */
function kernelFastOpen(): FastOpenState {
  try {
    const v = Number(readFileSync('/proc/sys/net/ipv4/tcp_fastopen', 'utf8').trim());
    return (v & 0x2) !== 0 && (v & 0x400) !== 0 ? 'kernel-wide' : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

export async function listenStream(opts: ListenOptions, transport: StreamTransport, sink: InboundSink): Promise<Listener> {
  const log = opts.log.child({ component: 'net', listener: transport });
  const limits = sessionLimits(opts.limits);
  const clock = opts.clock ?? systemClock;
  const sessions = new Set<Session>();
  const count = new InflightCount(clock);
  const tally = { accepted: 0, refused: 0, tlsErrors: 0 };

  const accept = (socket: Socket): void => {
    tally.accepted++;
    const session = new Session({ role: 'inbound', transport, socket, limits, log, clock });
    sessions.add(session);
    session.on('close', () => sessions.delete(session));
    new InflightTable(session, sink, limits.maxInflight, count, session.log);
  };

  let server: Server;
  if (transport === 'tls') {
    if (!opts.tls) throw new Error('listen: transport tls needs tls material');
    const tlsServer = createTlsServer({
      ...serverTlsOptions(opts.tls, limits.tlsHandshakeTimeoutMs),
      allowHalfOpen: true,
      noDelay: true,
    });
    tlsServer.on('secureConnection', accept);
    tlsServer.on('tlsClientError', (err, tlsSocket) => {
      tally.tlsErrors++;
      log.debug({ err: errorMessage(err) }, 'tls handshake failed');
      tlsSocket.destroy(); // Node leaves a timed-out handshake's socket open
    });
    server = tlsServer;
  } else {
    server = createServer({ allowHalfOpen: true, noDelay: true }, accept);
  }
  const budget = opts.connections ?? (opts.maxConnections !== undefined ? new ConnectionBudget(opts.maxConnections) : undefined);
  const leaveBudget = budget?.govern(server);
  server.on('drop', () => { tally.refused++; });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Not exclusive: in a cluster worker with SCHED_NONE the primary creates the listening socket once
    // and every worker accepts on it (the kernel spreads connections); outside a cluster a plain listen.
    server.listen({ host: opts.address, port: opts.port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => log.warn({ err: errorMessage(err) }, 'listener error'));

  const fastOpen = (opts.tcpFastOpenQueue ?? 0) > 0 ? kernelFastOpen() : 'unavailable';
  if ((opts.tcpFastOpenQueue ?? 0) > 0 && fastOpen !== 'kernel-wide') {
    log.info('TCP fast open not enabled: Node cannot set TCP_FASTOPEN per socket; set sysctl net.ipv4.tcp_fastopen=0x403 to enable it for all listeners');
  }
  let closing: Promise<void> | undefined;

  const listener: Listener = {
    transport,
    fastOpen,
    address() {
      const a = server.address();
      return typeof a === 'object' && a !== null ? { address: a.address, port: a.port } : { address: opts.address, port: opts.port };
    },
    stats(): ListenerStats {
      return { sessions: sessions.size, inflight: count.inflight, queries: count.queries, ...tally };
    },
    close(deadlineMs = 2_000): Promise<void> {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        leaveBudget?.();
        await count.drained(deadlineMs);
        for (const s of [...sessions]) s.close('shutdown');
        await closed;
      })();
      return closing;
    },
  };
  log.debug(listener.address(), 'listening');
  return listener;
}
