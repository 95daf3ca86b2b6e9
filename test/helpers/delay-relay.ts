/**
 * A delaying relay for realistic round-trip times on loopback without netem: listens on an address and
 * port, forwards each UDP datagram (and each TCP byte stream, so TC fallbacks work, RFC 7766) to a target
 * after `delayMs`, and passes replies back after `delayMs` again. One upstream socket per client keeps
 * replies routed; a client's socket is closed once idle for `clientIdleMs` (resolvers use a fresh random
 * port per query, RFC 5452 §9.2). Bounded: at most `maxClients` UDP clients (the least recently used is
 * dropped) and `maxConnections` TCP connections. On a DoT stream it cannot count queries, but it tells
 * full TLS handshakes from resumed ones (tls-hello.ts).
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { FrameDecoder } from '../../src/wire/index.js';
import { watchHandshake, type TlsHandshakeKind } from './tls-hello.js';

export interface Endpoint { address: string; port: number }

export interface DelayRelayOptions {
  listen: Endpoint;
  target: Endpoint;
  /** Delay added in each direction (so the round trip grows by twice this). */
  delayMs: number;
  /** Most UDP clients (distinct source address and port) remembered at once. Default 8192. */
  maxClients?: number;
  /** A UDP client's upstream socket is closed after this long without a query. Default 2000 ms + 4 × delayMs. */
  clientIdleMs?: number;
  /** Most TCP connections relayed at once. Default 256. */
  maxConnections?: number;
  /** The stream carries plain DNS frames (RFC 1035 §4.2.2) to count; false for DoT (encrypted). Default true. */
  countFrames?: boolean;
  /** Called with every query counted (UDP datagram or plain TCP frame) and its source address. */
  onQuery?: (msg: Buffer, from: string) => void;
  /** With countFrames false: called with each TLS handshake relayed, full or resumed, and its source address. */
  onTlsHandshake?: (kind: TlsHandshakeKind, from: string) => void;
}

/** What the relay has seen from its clients: queries it forwarded, connections it relayed. */
export interface RelayStats { udpQueries: number; tcpConnections: number; tcpQueries: number }

export class DelayRelay {
  /** UDP clients, least recently used first, with the time of their last query. */
  private readonly clients = new Map<string, { sock: UdpSocket; last: number }>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly streams = new Set<Socket>();
  private closed = false;
  private readonly counts: RelayStats = { udpQueries: 0, tcpConnections: 0, tcpQueries: 0 };

  private constructor(private readonly udp: UdpSocket, private readonly tcp: Server, private readonly o: DelayRelayOptions) {}

  /** Starts relaying UDP and TCP on `listen` (port 0: an ephemeral port, the same for both). */
  static async start(o: DelayRelayOptions): Promise<DelayRelay> {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind(o.listen.port, o.listen.address, () => { udp.off('error', reject); resolve(); });
    });
    const tcp = createServer();
    tcp.maxConnections = o.maxConnections ?? 256;
    try {
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen(udp.address().port, o.listen.address, () => { tcp.off('error', reject); resolve(); });
      });
    } catch (err) {
      udp.close();
      throw err;
    }
    const relay = new DelayRelay(udp, tcp, o);
    udp.on('message', (msg, rinfo) => relay.fromClient(msg, rinfo.address, rinfo.port));
    udp.on('error', () => undefined);
    tcp.on('connection', (sock) => relay.relayStream(sock));
    return relay;
  }

  /** Counts so far (a copy). */
  stats(): RelayStats {
    return { ...this.counts };
  }

  /** Where the relay listens (UDP and TCP). */
  address(): Endpoint {
    const a = this.udp.address();
    return { address: a.address, port: a.port };
  }

  private later(fn: () => void): void {
    if (this.closed) return;
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn(); }, this.o.delayMs);
    this.timers.add(t);
  }

  private upstreamFor(address: string, port: number): UdpSocket {
    const key = `${address}|${port}`;
    const now = Date.now();
    const known = this.clients.get(key);
    if (known) {
      // Move to the end: the map stays in least-recently-used order.
      this.clients.delete(key);
      known.last = now;
      this.clients.set(key, known);
      return known.sock;
    }
    if (this.clients.size >= (this.o.maxClients ?? 8192)) {
      const [oldKey, old] = this.clients.entries().next().value as [string, { sock: UdpSocket }];
      this.clients.delete(oldKey);
      old.sock.close();
    }
    this.sweeper ??= setInterval(() => this.sweep(), 1000);
    const s = createSocket('udp4');
    s.on('message', (reply) => this.later(() => this.udp.send(reply, port, address)));
    s.on('error', () => undefined);
    s.bind(0, this.o.listen.address);
    this.clients.set(key, { sock: s, last: now });
    return s;
  }

  /** Closes the upstream sockets of clients idle for longer than clientIdleMs. */
  private sweep(): void {
    const cutoff = Date.now() - (this.o.clientIdleMs ?? 2000 + 4 * this.o.delayMs);
    for (const [key, c] of this.clients) {
      if (c.last > cutoff) break;
      this.clients.delete(key);
      c.sock.close();
    }
    if (this.clients.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  private fromClient(msg: Buffer, address: string, port: number): void {
    this.counts.udpQueries++;
    this.o.onQuery?.(msg, address);
    const up = this.upstreamFor(address, port);
    this.later(() => {
      try {
        up.send(msg, this.o.target.port, this.o.target.address);
      } catch { /* the client was dropped (maxClients) before its query left: lost, as on a real path */ }
    });
  }

  private relayStream(client: Socket): void {
    if (this.closed) { client.destroy(); return; }
    // Nagle off on both legs: the relay must not hold small segments back (waiting for a delayed ACK,
    // 40 ms on Linux) where the endpoints would not; each endpoint still decides for its own socket.
    client.setNoDelay(true);
    const server = connect({ host: this.o.target.address, port: this.o.target.port, noDelay: true });
    this.streams.add(client).add(server);
    this.counts.tcpConnections++;
    if (this.o.countFrames !== false) {
      const frames = new FrameDecoder();
      client.on('data', (chunk) => {
        for (const f of frames.push(chunk).frames) {
          this.counts.tcpQueries++;
          this.o.onQuery?.(f, client.remoteAddress ?? '');
        }
      });
    } else if (this.o.onTlsHandshake) {
      const report = this.o.onTlsHandshake;
      watchHandshake(client, server, (kind) => report(kind, client.remoteAddress ?? ''));
    }
    const pipe = (from: Socket, to: Socket): void => {
      from.on('data', (chunk) => this.later(() => to.write(chunk)));
      from.on('end', () => this.later(() => to.end()));
      from.on('error', () => to.destroy());
      from.on('close', (hadError) => { this.streams.delete(from); if (hadError) to.destroy(); });
    };
    pipe(client, server);
    pipe(server, client);
  }

  /** Stops relaying: pending deliveries are dropped, every socket closed. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    for (const c of this.clients.values()) c.sock.close();
    this.clients.clear();
    for (const s of this.streams) s.destroy();
    this.streams.clear();
    await Promise.all([
      new Promise<void>((r) => this.udp.close(() => r())),
      new Promise<void>((r) => this.tcp.close(() => r())),
    ]);
  }
}
