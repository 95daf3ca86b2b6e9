/**
 * Outbound stream sessions by (transport, address, port, server name) (RFC 7766 §6.2.1: reuse and
 * pipeline). A query goes to an open session with room (below maxInflight, not retiring), else waits
 * for a session being dialed for the same key, else dials. A session retires after
 * `maxQueriesPerSession` queries, after a query on it timed out (it may be stuck mid-frame), or when
 * the server's keepalive timeout is 0, and closes once its last answer is in; it closes itself when
 * idle, after our idle timeout or the server's keepalive timeout if shorter (Unbound
 * max-reuse-tcp-queries / tcp-reuse-timeout; RFC 7828 §3.3.2).
 */
import type { Logger } from '../log/index.js';
import { untilAborted, type Clock } from '../util/index.js';
import type { RawQuestion } from '../wire/index.js';
import { dial, TicketCache, type DialOptions, type DialResult } from './dialer.js';
import type { OutboundLimits } from './limits.js';
import { Multiplexer } from './multiplexer.js';
import { streamObserver } from './observe.js';
import type { Session } from './session.js';
import type { ExchangeRequest, ExchangeResult, NetErrorCode, StreamTransport } from './types.js';
import type { ConnectionOptions } from 'node:tls';
import { createHash } from 'node:crypto';

interface Conn {
  session: Session;
  mux: Multiplexer;
  /** Queries this session has carried. */
  used: number;
  authenticated: boolean;
  retiring: boolean;
}

interface Entry {
  conns: Conn[];
  connecting: Promise<DialResult> | null;
}

export interface PoolCounters {
  dials: number;
  tlsHandshakes: number;
  tlsResumed: number;
  mismatched: number;
}

export interface PoolOptions {
  limits: OutboundLimits;
  log: Logger;
  clock: Clock;
  counters: PoolCounters;
  tlsContextFor?: (to: { host: string; port: number }, servername?: string) => ConnectionOptions | undefined;
}

/**
 * Rounds of "pick, else wait for or start a dial" before a query gives up on finding room. Each round
 * adds at most one session per key, so a burst of N queries needs about N / maxInflight rounds.
 */
const ACQUIRE_ROUNDS = 8;

export class SessionPool {
  private readonly entries = new Map<string, Entry>();
  private readonly tickets = new TicketCache();
  private closed = false;

  constructor(private readonly o: PoolOptions) {}

  /** Open sessions in the pool. */
  get size(): number {
    let n = 0;
    for (const e of this.entries.values()) n += e.conns.length;
    return n;
  }

  /** One exchange over a pooled session; `query` is owned (its ID is overwritten). */
  async exchange(req: ExchangeRequest, transport: StreamTransport, query: Buffer, question: RawQuestion, start: number): Promise<ExchangeResult> {
    const { clock } = this.o;
    const servername = req.tls?.servername;
    // Sessions are shared only between queries that authenticate the same way (pins, CA).
    const key = `${transport}|${req.to.host}|${req.to.port}|${servername ?? ''}|${req.tls?.spkiPins?.join(',') ?? ''}|${req.tls?.ca ? caId(req.tls.ca) : ''}`;
    const fail = (code: NetErrorCode, detail?: string): ExchangeResult =>
      ({ kind: 'fail', code, elapsedMs: clock.monotonic() - start, detail });
    for (let round = 0; ; round++) {
      if (this.closed) return fail('closed');
      if (req.signal?.aborted) return fail('aborted');
      const entry = this.entry(key);
      const conn = this.pick(entry, req);
      if (conn) {
        const reused = conn.used > 0;
        conn.used++;
        if (conn.used >= this.o.limits.maxQueriesPerSession) conn.retiring = true;
        const left = Math.max(1, req.timeoutMs - (clock.monotonic() - start));
        const out = await conn.mux.send(query, question, left, req.signal);
        // After a timeout the stream may be stuck mid-frame or the server wedged: nothing new goes on it.
        if (out.kind === 'fail' && out.code === 'timeout') conn.retiring = true;
        this.closeIfRetired(conn);
        if (out.kind === 'fail') return fail(out.code, out.detail);
        return {
          kind: 'reply', bytes: out.bytes, rttMs: clock.monotonic() - start, transport, reused,
          authenticated: transport === 'tls' ? conn.authenticated : undefined,
          session: { applyKeepalive: (timeoutMs) => this.applyKeepalive(conn, timeoutMs) },
        };
      }
      if (round === ACQUIRE_ROUNDS) return fail('id-exhausted', 'no session with room');
      entry.connecting ??= this.dial(key, entry, req, transport, start);
      // An aborted query stops waiting; the dial itself goes on for other waiters.
      const r = await untilAborted(entry.connecting, req.signal, () => 'aborted' as const);
      if (r === 'aborted') return fail('aborted');
      if (r.kind === 'fail') return fail(r.code, r.detail);
    }
  }

  /** Closes every session (pending queries fail with 'closed'). */
  close(): void {
    this.closed = true;
    for (const e of this.entries.values()) for (const c of [...e.conns]) c.session.close('shutdown');
  }

  /**
   * RFC 7828 §3.3.2: the keepalive timeout in a server's reply replaces the one before, and the
   * session stays idle no longer than the server asked (nor longer than our own idle timeout); a
   * reply without the option means the server does not do keepalive (RFC 7766: our idle timeout);
   * a timeout of 0 means no more queries on the session: it closes once its outstanding answers are in.
   */
  private applyKeepalive(conn: Conn, timeoutMs: number | undefined): void {
    if (timeoutMs === 0) {
      conn.retiring = true;
      this.closeIfRetired(conn);
      return;
    }
    conn.session.setIdleTimeout(Math.min(timeoutMs ?? Infinity, this.o.limits.idleTimeoutMs));
  }

  /** A retiring session closes once its last answer is in. */
  private closeIfRetired(conn: Conn): void {
    if (conn.retiring && conn.mux.size === 0) conn.session.close('limit');
  }

  private entry(key: string): Entry {
    let e = this.entries.get(key);
    if (!e) {
      e = { conns: [], connecting: null };
      this.entries.set(key, e);
    }
    return e;
  }

  private pick(e: Entry, req: ExchangeRequest): Conn | undefined {
    for (const c of e.conns) {
      if (c.retiring || !c.session.isOpen || c.mux.size >= this.o.limits.maxInflight) continue;
      // A session that failed authentication must not carry a query that requires it.
      if (req.tls?.authenticate && !c.authenticated) continue;
      return c;
    }
    return undefined;
  }

  private async dial(key: string, entry: Entry, req: ExchangeRequest, transport: StreamTransport, start: number): Promise<DialResult> {
    const o = this.o;
    o.counters.dials++;
    const opts: DialOptions = {
      transport, to: req.to, servername: req.tls?.servername, authenticate: req.tls?.authenticate ?? false,
      spkiPins: req.tls?.spkiPins, sourceAddress: req.sourceAddress,
      timeoutMs: Math.max(1, req.timeoutMs - (o.clock.monotonic() - start)),
      limits: o.limits, log: o.log, clock: o.clock, tickets: this.tickets,
      tlsExtra: transport === 'tls' ? { ...o.tlsContextFor?.(req.to, req.tls?.servername), ...(req.tls?.ca ? { ca: req.tls.ca } : {}) } : undefined,
    };
    const r = await dial(opts);
    entry.connecting = null;
    if (r.kind === 'fail') {
      if (entry.conns.length === 0) this.entries.delete(key);
      return r;
    }
    if (transport === 'tls') {
      if (r.resumed) o.counters.tlsResumed++;
      else o.counters.tlsHandshakes++;
    }
    req.onOpened?.({ transport, resumed: r.resumed });
    const peer = `${req.to.host}:${req.to.port}`;
    r.session.log.debug({ peer, resumed: r.resumed, authenticated: r.authenticated }, 'stream open');
    if (this.closed) {
      r.session.close('shutdown');
      return r;
    }
    const conn: Conn = {
      session: r.session, mux: new Multiplexer(r.session, o.clock, o.counters, streamObserver(r.session.log, peer)),
      used: 0, authenticated: r.authenticated, retiring: false,
    };
    entry.conns.push(conn);
    r.session.on('close', () => {
      const i = entry.conns.indexOf(conn);
      if (i >= 0) entry.conns.splice(i, 1);
      if (entry.conns.length === 0 && entry.connecting === null && this.entries.get(key) === entry) this.entries.delete(key);
    });
    return r;
  }
}

const caIds = new Map<string, string>();
/** A short stable id of a CA bundle, for pool keys. */
function caId(pem: string): string {
  let id = caIds.get(pem);
  if (id === undefined) {
    id = createHash('sha256').update(pem).digest('hex').slice(0, 16);
    if (caIds.size > 64) caIds.clear();
    caIds.set(pem, id);
  }
  return id;
}
