/**
 * The infrastructure cache: what Ward learns about each authoritative server address, bounded by an
 * LRU. Smoothed RTT and variance with the retransmission timeout of RFC 6298 §2 (timeouts double it,
 * §5.5), exponential back-off after consecutive timeouts, EDNS support (RFC 6891 §7 fallback,
 * remembered for a while; also the EDNS queries unanswered since the last EDNS reply), whether a
 * server silent over UDP answers over TCP (remembered likewise), lameness per zone, and the DoT
 * state of RFC 9539 §4.2.
 * Expiry times are wall-clock (Clock.now()) so tests move them with a manual clock.
 */
import { LRUCache } from 'lru-cache';
import type { Clock } from '../util/index.js';
import type { DotState, EdnsSupport, ServerAddress, ServerInfo } from './types.js';

/** RFC 6298 §2.3 gains. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
/** The lowest timeout a UDP try gets, however fast the server was. */
export const RTO_MIN_MS = 100;
/** The timeout of a server never heard from (Unbound uses 376 ms). */
export const RTO_INITIAL_MS = 400;
/** Back-off after the n-th consecutive timeout: BASE * 2^(n-1), at most MAX. */
const BACKOFF_BASE_MS = 1_000;
const BACKOFF_MAX_MS = 120_000;
/** How long "this server does not do EDNS" is believed before EDNS is tried again. */
const EDNS_NO_TTL_MS = 15 * 60_000;
/** How long "silent over UDP: TCP works" (or "TCP does not help either") is believed. */
const TCP_FALLBACK_TTL_MS = 15 * 60_000;
/** Default lameness period. */
export const LAME_TTL_MS = 15 * 60_000;

export type TcpFallback = 'works' | 'failed';

interface Entry {
  srtt?: number;
  rttvar?: number;
  timeouts: number;
  backoffUntil: number;
  edns: EdnsSupport;
  ednsNoUntil: number;
  /** UDP queries with EDNS that timed out since the last reply to one (replies without EDNS keep it). */
  ednsTimeouts: number;
  /** After UDP went silent, TCP was tried: 'works' (ask over TCP first) or 'failed', until tcpUntil. */
  tcp: 'untried' | TcpFallback;
  tcpUntil: number;
  lame: Map<string, number>;
  dot: DotState;
}

/** Keys of port-53 servers by address: selection and the ladder ask for a server's entry a dozen times per query. */
const port53Keys = new Map<string, string>();
const MAX_KEPT_KEYS = 4096;

/** The cache key of a server: address (lower-cased for IPv6) and port. */
export function serverKey(s: ServerAddress): string {
  if (s.port !== 53) return `${s.address.toLowerCase()}#${s.port}`;
  let key = port53Keys.get(s.address);
  if (key === undefined) {
    if (port53Keys.size >= MAX_KEPT_KEYS) port53Keys.clear();
    key = `${s.address.toLowerCase()}#53`;
    port53Keys.set(s.address, key);
  }
  return key;
}

/**
 * One options object for every lookup: lru-cache's peek and get make an empty one per call when
 * none is given (and write their diagnostics status into it, which Ward does not read).
 */
const PEEK: LRUCache.PeekOptions<string, Entry, unknown> = {};
const GET: LRUCache.GetOptions<string, Entry, unknown> = {};

export class InfraCache {
  private readonly entries: LRUCache<string, Entry>;

  constructor(private readonly clock: Clock, private readonly maxTimeoutMs: number, maxEntries = 10_000) {
    this.entries = new LRUCache<string, Entry>({ max: maxEntries });
  }

  get size(): number { return this.entries.size; }

  private entry(s: ServerAddress): Entry {
    const key = serverKey(s);
    let e = this.entries.get(key, GET);
    if (!e) {
      e = { timeouts: 0, backoffUntil: 0, edns: 'unknown', ednsNoUntil: 0, ednsTimeouts: 0, tcp: 'untried', tcpUntil: 0, lame: new Map(), dot: { state: 'unknown' } };
      this.entries.set(key, e);
    }
    return e;
  }

  /** True when Ward has never heard from nor timed out on the server. */
  isUnknown(s: ServerAddress): boolean {
    const e = this.entries.peek(serverKey(s), PEEK);
    return !e || (e.srtt === undefined && e.timeouts === 0);
  }

  /** The RTT selection ranks by: SRTT, or the current timeout for a server that only timed out. */
  rankRtt(s: ServerAddress): number {
    const e = this.entries.peek(serverKey(s), PEEK);
    return e?.srtt ?? this.timeoutMs(s);
  }

  /** RFC 6298 §2: RTO = SRTT + 4·RTTVAR, clamped, doubled per consecutive timeout (§5.5). */
  timeoutMs(s: ServerAddress): number {
    const e = this.entries.peek(serverKey(s), PEEK);
    const rto = e?.srtt === undefined || e.rttvar === undefined ? RTO_INITIAL_MS : e.srtt + 4 * e.rttvar;
    const backedOff = Math.max(RTO_MIN_MS, rto) * 2 ** Math.min(e?.timeouts ?? 0, 16);
    return Math.round(Math.min(this.maxTimeoutMs, backedOff));
  }

  /** A reply came back after `rttMs` (RFC 6298 §2.2/2.3); clears timeouts and back-off. */
  rttSample(s: ServerAddress, rttMs: number): void {
    const e = this.entry(s);
    if (e.srtt === undefined || e.rttvar === undefined) {
      e.srtt = rttMs;
      e.rttvar = rttMs / 2;
    } else {
      e.rttvar = (1 - BETA) * e.rttvar + BETA * Math.abs(e.srtt - rttMs);
      e.srtt = (1 - ALPHA) * e.srtt + ALPHA * rttMs;
    }
    this.replied(s);
  }

  /** A reply came back (without a usable RTT sample, e.g. over a fresh connection). */
  replied(s: ServerAddress): void {
    const e = this.entry(s);
    e.timeouts = 0;
    e.backoffUntil = 0;
  }

  /**
   * A try timed out, the server refused the connection or sent garbage: back off exponentially.
   * `ednsUdp`: the try was a UDP query with EDNS that went unanswered.
   */
  timedOut(s: ServerAddress, ednsUdp = false): void {
    const e = this.entry(s);
    e.timeouts++;
    if (ednsUdp) e.ednsTimeouts++;
    e.backoffUntil = this.clock.now() + Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(e.timeouts - 1, 16));
  }

  consecutiveTimeouts(s: ServerAddress): number {
    return this.entries.peek(serverKey(s), PEEK)?.timeouts ?? 0;
  }

  /** UDP queries with EDNS that timed out since the server last answered one with EDNS. */
  ednsTimeouts(s: ServerAddress): number {
    return this.entries.peek(serverKey(s), PEEK)?.ednsTimeouts ?? 0;
  }

  /** The server answered a query with EDNS. */
  ednsAnswered(s: ServerAddress): void {
    const e = this.entries.peek(serverKey(s), PEEK);
    if (e) e.ednsTimeouts = 0;
  }

  /** Wall-clock ms until which the server is backed off (0 when it never was). */
  backoffUntil(s: ServerAddress): number {
    return this.entries.peek(serverKey(s), PEEK)?.backoffUntil ?? 0;
  }

  isBackedOff(s: ServerAddress): boolean {
    return this.backoffUntil(s) > this.clock.now();
  }

  edns(s: ServerAddress): EdnsSupport {
    const e = this.entries.peek(serverKey(s), PEEK);
    if (!e) return 'unknown';
    if (e.edns === 'no' && e.ednsNoUntil <= this.clock.now()) e.edns = 'unknown';
    return e.edns;
  }

  setEdns(s: ServerAddress, support: EdnsSupport): void {
    const e = this.entry(s);
    e.edns = support;
    e.ednsNoUntil = support === 'no' ? this.clock.now() + EDNS_NO_TTL_MS : 0;
  }

  /** What the last TCP fallback after UDP silence showed; 'untried' when none or expired. */
  tcpFallback(s: ServerAddress): 'untried' | TcpFallback {
    const e = this.entries.peek(serverKey(s), PEEK);
    if (!e || e.tcpUntil <= this.clock.now()) return 'untried';
    return e.tcp;
  }

  setTcpFallback(s: ServerAddress, outcome: TcpFallback): void {
    const e = this.entry(s);
    e.tcp = outcome;
    e.tcpUntil = this.clock.now() + TCP_FALLBACK_TTL_MS;
  }

  markLame(s: ServerAddress, zone: string, ttlMs = LAME_TTL_MS): void {
    this.entry(s).lame.set(zone, this.clock.now() + ttlMs);
  }

  isLame(s: ServerAddress, zone: string): boolean {
    const e = this.entries.peek(serverKey(s), PEEK);
    const until = e?.lame.get(zone);
    if (until === undefined) return false;
    if (until > this.clock.now()) return true;
    e!.lame.delete(zone);
    return false;
  }

  /** The DoT state; `ok` and `failed` past their time read as `unknown` (RFC 9539 §4.2 expiry). */
  dot(s: ServerAddress): DotState {
    const d = this.entries.peek(serverKey(s), PEEK)?.dot ?? { state: 'unknown' };
    if ((d.state === 'ok' || d.state === 'failed') && d.until <= this.clock.now()) return { state: 'unknown' };
    return d;
  }

  setDot(s: ServerAddress, d: DotState): void {
    this.entry(s).dot = d;
  }

  info(s: ServerAddress): ServerInfo {
    const e = this.entries.peek(serverKey(s), PEEK);
    return {
      srttMs: e?.srtt,
      rttvarMs: e?.rttvar,
      timeoutMs: this.timeoutMs(s),
      consecutiveTimeouts: e?.timeouts ?? 0,
      backoffUntil: this.backoffUntil(s),
      edns: this.edns(s),
      dot: this.dot(s),
    };
  }

  /** Drops every entry of `address` (any port); returns how many went. */
  forget(address: string): number {
    const prefix = `${address.toLowerCase()}#`;
    let n = 0;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix)) { this.entries.delete(k); n++; }
    return n;
  }
}
