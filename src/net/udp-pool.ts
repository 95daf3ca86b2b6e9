/**
 * Outbound UDP through pools of sockets (RFC 1035 §4.2.1) with the spoofing defences of RFC 5452:
 * every socket is bound to its own kernel-chosen random port (§9.2), carries queries to ONE server
 * address only, and is retired after `queriesPerSocket` queries or when idle. So a server never
 * learns a port used towards another server (a server an attacker runs sees only its own sockets),
 * ports keep changing, and the cost of creating and closing a socket is paid once per several
 * queries instead of once per query. Each query gets a random ID not in use on its socket, and a
 * reply is accepted only from the address and port asked, with that ID and the question asked
 * (§9.1); anything else is counted and ignored. Failures are values.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { setId, type RawQuestion } from '../wire/index.js';
import { randomId, type Abortable, type Clock } from '../util/index.js';
import { isReplyTo } from './match.js';
import type { ExchangeResult, NetErrorCode } from './types.js';

export interface UdpCounters { mismatched: number; socketsOpened: number }

export interface UdpPoolLimits {
  /** Queries one socket carries before it retires (closes once its last answer is in). */
  queriesPerSocket: number;
  /** Sockets open at once towards one server (retiring ones not counted). */
  maxSockets: number;
  /** A socket with nothing in flight for this long is closed. */
  idleMs: number;
}

export const DEFAULT_UDP_POOL: UdpPoolLimits = { queriesPerSocket: 32, maxSockets: 8, idleMs: 1_000 };

export interface UdpQuery {
  host: string;
  port: number;
  /** The query; its ID is overwritten here. */
  query: Buffer;
  question: RawQuestion;
  timeoutMs: number;
  sourceAddress?: string;
  signal?: Abortable;
}

interface Pending { id: number; question: RawQuestion; finish(r: ExchangeResult): void; start: number }

interface Pooled {
  socket: Socket;
  ready: Promise<boolean>;
  /** In-flight queries by "id|address|port" (the address as rinfo gives it). */
  pending: Map<string, Pending>;
  used: number;
  retiring: boolean;
  closed: boolean;
  idleTimer?: ReturnType<Clock['setTimeout']>;
}

/** rinfo.address comes in canonical form (compressed, lower case); keys use the same. */
function canonical(host: string): string {
  return isIPv6(host) ? new URL(`http://[${host}]/`).hostname.slice(1, -1) : host;
}

export class UdpPool {
  private readonly groups = new Map<string, Pooled[]>();
  private closedAll = false;

  constructor(private readonly clock: Clock, readonly counters: UdpCounters, private readonly limits: UdpPoolLimits = DEFAULT_UDP_POOL) {}

  /** Open sockets (retiring ones included). */
  get size(): number {
    let n = 0;
    for (const g of this.groups.values()) n += g.length;
    return n;
  }

  /** Not async (its promise is the one the reply settles); call it from code that turns a throw into a rejection. */
  exchange(q: UdpQuery): Promise<ExchangeResult> {
    const start = this.clock.monotonic();
    if (this.closedAll) return Promise.resolve({ kind: 'fail', code: 'closed', elapsedMs: 0 });
    if (q.signal?.aborted) return Promise.resolve({ kind: 'fail', code: 'aborted', elapsedMs: 0 });
    const v6 = isIPv6(q.host);
    const host = canonical(q.host);
    const s = this.pick(v6, q.sourceAddress, host, q.port);
    if (s.idleTimer) { this.clock.clearTimeout(s.idleTimer); s.idleTimer = undefined; }
    s.used++;
    if (s.used >= this.limits.queriesPerSocket) s.retiring = true;
    let id = randomId();
    for (let i = 0; i < 8 && s.pending.has(`${id}|${host}|${q.port}`); i++) id = randomId();
    const key = `${id}|${host}|${q.port}`;
    if (s.pending.has(key)) { this.release(s); return Promise.resolve({ kind: 'fail', code: 'id-exhausted', elapsedMs: 0 }); }
    setId(q.query, id);
    return new Promise<ExchangeResult>((resolve) => {
      let done = false;
      const finish = (r: ExchangeResult): void => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        q.signal?.removeEventListener('abort', onAbort);
        s.pending.delete(key);
        this.release(s);
        resolve(r);
      };
      const fail = (code: NetErrorCode, detail?: string): void => finish({ kind: 'fail', code, elapsedMs: this.clock.monotonic() - start, detail });
      const onAbort = (): void => fail('aborted');
      const timer = this.clock.setTimeout(() => fail('timeout'), q.timeoutMs);
      q.signal?.addEventListener('abort', onAbort);
      s.pending.set(key, { id, question: q.question, finish, start });
      void s.ready.then((ok) => {
        if (done) return;
        if (!ok) { fail('network', 'UDP socket could not be bound'); return; }
        s.socket.send(q.query, q.port, q.host, (err) => { if (err) fail('network', err.message); });
      });
    });
  }

  /** Fails every pending query with 'closed' and closes every socket. */
  close(): void {
    this.closedAll = true;
    for (const g of this.groups.values()) {
      for (const s of [...g]) {
        for (const p of [...s.pending.values()]) p.finish({ kind: 'fail', code: 'closed', elapsedMs: 0 });
        this.drop(s);
      }
    }
  }

  /** A socket towards this server with room, the least loaded; a new one while the group has room. */
  private pick(v6: boolean, source: string | undefined, host: string, port: number): Pooled {
    const gk = `${v6 ? 6 : 4}|${source ?? ''}|${host}|${port}`;
    let g = this.groups.get(gk);
    if (!g) this.groups.set(gk, g = []);
    let best: Pooled | undefined;
    let live = 0;
    for (const s of g) {
      if (s.retiring || s.closed) continue;
      live++;
      if (!best || s.pending.size < best.pending.size) best = s;
    }
    // A fresh socket (a fresh random port) whenever the group has room and the best one is busy.
    if (best && (best.pending.size === 0 || live >= this.limits.maxSockets)) return best;
    const fresh = this.open(v6, source, g);
    return fresh;
  }

  private open(v6: boolean, source: string | undefined, group: Pooled[]): Pooled {
    // Port 0: Linux picks a random free port in ip_local_port_range for each socket.
    const socket = createSocket(v6 ? 'udp6' : 'udp4');
    const s: Pooled = { socket, ready: Promise.resolve(false), pending: new Map(), used: 0, retiring: false, closed: false };
    s.ready = new Promise<boolean>((resolve) => {
      // A socket error (bind failed, or later) fails its queries; the socket is not used again.
      socket.on('error', (err) => {
        s.retiring = true;
        for (const p of [...s.pending.values()]) p.finish({ kind: 'fail', code: 'network', elapsedMs: 0, detail: err.message });
        this.drop(s);
        resolve(false);
      });
      socket.bind({ port: 0, address: source, exclusive: true }, () => resolve(true));
    });
    socket.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.onMessage(s, msg, rinfo));
    this.counters.socketsOpened++;
    group.push(s);
    return s;
  }

  private onMessage(s: Pooled, msg: Buffer, rinfo: RemoteInfo): void {
    const id = msg.length >= 2 ? msg.readUInt16BE(0) : -1;
    // A reply to an IPv4-mapped address (::ffff:7f35:1, as NAT64 with ::ffff:0:0/96 sends) comes from its dotted form.
    const from = rinfo.family === 'IPv6' && rinfo.address.includes('.') ? canonical(rinfo.address) : rinfo.address;
    const p = s.pending.get(`${id}|${from}|${rinfo.port}`);
    if (!p || !isReplyTo(msg, p.id, p.question)) {
      this.counters.mismatched++;
      return;
    }
    p.finish({ kind: 'reply', bytes: msg, rttMs: this.clock.monotonic() - p.start, transport: 'udp', reused: false });
  }

  /** A retiring socket closes once its last query is done; an idle one after idleMs. */
  private release(s: Pooled): void {
    if (s.pending.size > 0 || s.closed) return;
    if (s.retiring) { this.drop(s); return; }
    s.idleTimer = this.clock.setTimeout(() => { s.idleTimer = undefined; if (s.pending.size === 0) this.drop(s); }, this.limits.idleMs);
    (s.idleTimer as { unref?: () => void }).unref?.();
  }

  private drop(s: Pooled): void {
    if (s.closed) return;
    s.closed = true;
    if (s.idleTimer) this.clock.clearTimeout(s.idleTimer);
    try { s.socket.close(); } catch { /* already closed */ }
    for (const [k, g] of this.groups) {
      const i = g.indexOf(s);
      if (i >= 0) { g.splice(i, 1); if (g.length === 0) this.groups.delete(k); }
    }
  }
}
