/**
 * A UDP listening socket (RFC 1035 §4.2.1): each datagram is one InboundQuery; `reply` sends the
 * answer back to the datagram's source. The hot path allocates one small object per datagram and
 * shares one AbortSignal (aborted at close) across all queries.
 */
import { setMaxListeners } from 'node:events';
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { errorMessage, systemClock } from '../util/index.js';
import type { Logger } from '../log/index.js';
import { InflightCount } from './inflight-count.js';
import type { InboundQuery, InboundSink, ListenOptions, Listener, ListenerStats, PeerInfo } from './types.js';

class UdpListener implements Listener {
  readonly transport = 'udp' as const;
  readonly fastOpen = 'not-applicable' as const;
  closing = false;
  closed = false;
  readonly abort = new AbortController();

  constructor(readonly socket: Socket, private readonly sink: InboundSink, readonly log: Logger, readonly count: InflightCount) {
    setMaxListeners(0, this.abort.signal); // shared by every query in flight
    socket.on('message', (msg, rinfo) => this.onMessage(msg, rinfo));
    socket.on('error', (err) => log.warn({ err: errorMessage(err) }, 'udp socket error'));
  }

  private onMessage(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.closing) return;
    this.count.begin();
    const q = new UdpQuery(msg, rinfo.address, rinfo.port, this);
    try {
      this.sink(q);
    } catch (err) {
      this.log.error({ err: errorMessage(err) }, 'query sink threw');
      q.reply(undefined);
    }
  }

  address(): { address: string; port: number } {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  stats(): ListenerStats {
    return { sessions: 0, inflight: this.count.inflight, queries: this.count.queries, accepted: 0, refused: 0, tlsErrors: 0 };
  }

  async close(deadlineMs = 2_000): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    await this.count.drained(deadlineMs);
    this.closed = true;
    this.abort.abort();
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}

/** One datagram; it is its own PeerInfo, so a datagram costs one object here, not two. */
class UdpQuery implements InboundQuery, PeerInfo {
  private done = false;
  readonly transport = 'udp' as const;
  constructor(readonly bytes: Buffer, readonly address: string, readonly port: number, private readonly owner: UdpListener) {}

  get peer(): PeerInfo { return this; }

  get signal(): AbortSignal { return this.owner.abort.signal; }

  reply(out: Buffer | undefined): void {
    if (this.done) return;
    this.done = true;
    const o = this.owner;
    o.count.end();
    if (out === undefined || o.closed) return;
    // No callback on the hot path: a send error surfaces as the socket's 'error' event (logged).
    o.socket.send(out, this.port, this.address);
  }
}

export async function listenUdp(opts: ListenOptions, sink: InboundSink): Promise<Listener> {
  const socket = createSocket({
    type: isIPv6(opts.address) ? 'udp6' : 'udp4',
    recvBufferSize: opts.udpBufferBytes,
    sendBufferSize: opts.udpBufferBytes,
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    // Not exclusive: in a cluster worker (server.workers) the primary binds the socket once and every
    // worker reads the same one, so the kernel hands each datagram to one of them; Node 20's dgram has
    // no reusePort. Outside a cluster this is a plain bind.
    socket.bind({ address: opts.address, port: opts.port }, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const log = opts.log.child({ component: 'net', listener: 'udp' });
  const l = new UdpListener(socket, sink, log, new InflightCount(opts.clock ?? systemClock));
  log.debug(l.address(), 'listening');
  return l;
}
