/**
 * One DNS stream (TCP or TLS) in either direction: 2-octet framing with partial and coalesced frames
 * (RFC 1035 §4.2.2, RFC 7766 §8), a bounded write queue with back-pressure, Nagle off so answers
 * leave at once (RFC 7766 §6.2.4 latency), an idle timer that runs only while nothing is in flight
 * (RFC 7766 §6.2.3; changeable for RFC 7828 keepalive), half-close handling (peer EOF: finish
 * what is in flight, then close) and a connect/handshake timer for outbound sessions.
 * Outbound DoT writes each DNS message in a TLS record of its own (see `ownRecords`).
 * Socket errors never throw: they end the session with a reason (and a NetErrorCode).
 */
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { FrameDecoder, frame } from '../wire/index.js';
import type { Logger } from '../log/index.js';
import { systemClock, type Clock, type Timer } from '../util/index.js';
import { CLOSE_GRACE_MS } from './limits.js';
import { errorCodeOf } from './match.js';
import type { CloseReason, NetErrorCode, SessionLimits, StreamInfo, StreamTransport } from './types.js';

export type SessionRole = 'inbound' | 'outbound';
export type SessionState = 'connecting' | 'open' | 'closing' | 'closed';

export interface SessionOptions {
  role: SessionRole;
  transport: StreamTransport;
  /** A connected socket (inbound: already past the TLS handshake), or a connecting one (see below). */
  socket: Socket;
  limits: SessionLimits;
  log: Logger;
  clock?: Clock;
  /** The socket is still connecting: 'connect' fires after TCP connect (tcp) or the TLS handshake (tls). */
  connectTimeoutMs?: number;
}

let lastSessionId = 0;

export interface Session {
  on(ev: 'frame', fn: (msg: Buffer) => void): this;
  on(ev: 'connect' | 'drain', fn: () => void): this;
  on(ev: 'close', fn: (reason: CloseReason, code?: NetErrorCode, detail?: string) => void): this;
  once(ev: 'connect' | 'drain', fn: () => void): this;
  once(ev: 'close', fn: (reason: CloseReason, code?: NetErrorCode, detail?: string) => void): this;
}

export class Session extends EventEmitter {
  readonly id = ++lastSessionId;
  readonly role: SessionRole;
  readonly transport: StreamTransport;
  readonly socket: Socket;
  readonly log: Logger;
  /** The peer's address and port, read when the session was made. */
  readonly remote: { address: string; port: number };
  /** The object handed to inbound queries (one per session). */
  readonly info: StreamInfo;
  private stateValue: SessionState;
  private readonly clock: Clock;
  private readonly limits: SessionLimits;
  private readonly decoder: FrameDecoder;
  /** Decoded frames not yet delivered because reading is paused. */
  private frames: Buffer[] = [];
  private delivering = false;
  private inflightCount = 0;
  private idleMs: number;
  private idleSince: number;
  private idleTimer: Timer | undefined;
  private connectTimer: Timer | undefined;
  private stallTimer: Timer | undefined;
  private graceTimer: Timer | undefined;
  private pausedByOwner = false;
  private writeBlocked = false;
  private socketPaused = false;
  private peerEnded = false;
  private tcpConnected: boolean;
  private corked = false;
  /**
   * Outbound TLS: one message per TLS record, never several in one. Node.js encrypts the buffers of
   * one writev as one record, and some servers read only the first DNS message of a record until more
   * bytes arrive (NSD 4.6: the rest waits inside OpenSSL), so pipelined queries stalled until they
   * timed out (test/integration/dot-records.test.ts). Answers to our own clients still leave together.
   */
  private readonly ownRecords: boolean;

  constructor(o: SessionOptions) {
    super();
    this.role = o.role;
    this.transport = o.transport;
    this.socket = o.socket;
    this.limits = o.limits;
    this.clock = o.clock ?? systemClock;
    this.idleMs = o.limits.idleTimeoutMs;
    this.idleSince = this.clock.monotonic();
    this.decoder = new FrameDecoder(o.limits.maxFrameBytes);
    this.log = o.log.child({ sid: this.id, role: o.role, transport: o.transport });
    const s = o.socket;
    this.ownRecords = o.role === 'outbound' && o.transport === 'tls';
    // Without _writev, Writable hands buffered chunks to _write one at a time: one SSL_write each.
    if (this.ownRecords) (s as unknown as { _writev: unknown })._writev = null;
    this.remote = { address: s.remoteAddress ?? '', port: s.remotePort ?? 0 };
    const session = this;
    this.info = {
      sessionId: this.id,
      transport: this.transport,
      get idleTimeoutMs() { return session.idleMs; },
      setIdleTimeout: (ms: number) => this.setIdleTimeout(ms),
    };
    s.on('data', (chunk: Buffer) => this.onData(chunk));
    s.on('end', () => this.onEnd());
    s.on('error', (err: Error) => this.onError(err));
    s.on('close', () => this.onSocketClose());
    s.on('drain', () => this.unblockWrites());
    if (o.connectTimeoutMs !== undefined) {
      this.stateValue = 'connecting';
      this.tcpConnected = false;
      s.once('connect', () => { this.tcpConnected = true; if (o.transport === 'tcp') this.onConnected(); });
      if (o.transport === 'tls') s.once('secureConnect', () => this.onConnected());
      this.connectTimer = this.clock.setTimeout(() => {
        this.connectTimer = undefined;
        this.destroy('error', this.tcpConnected ? 'tls-handshake' : 'connect-timeout', 'timed out');
      }, o.connectTimeoutMs);
    } else {
      this.stateValue = 'open';
      this.tcpConnected = true;
      s.setNoDelay(true);
      this.armIdle();
    }
  }

  get state(): SessionState { return this.stateValue; }
  get isOpen(): boolean { return this.stateValue === 'open'; }
  /** Queries in flight (inbound: admitted, not yet answered; outbound: sent, not yet answered). */
  get inflight(): number { return this.inflightCount; }
  /** Octets written but not yet handed to the kernel. */
  get queuedBytes(): number { return this.socket.writableLength; }
  get idleTimeoutMs(): number { return this.idleMs; }

  /**
   * Queues one message (the 2-octet prefix is added here). Returns false when the session is not
   * open, or when the write queue is over `maxWriteQueueBytes` (back-pressure: wait for 'drain').
   */
  send(msg: Buffer): boolean {
    if (this.stateValue !== 'open') return false;
    const s = this.socket;
    if (!this.corked && !this.ownRecords) {
      // Several answers in one tick leave in one write (writev).
      this.corked = true;
      s.cork();
      process.nextTick(this.uncork);
    }
    if (!this.writeBlocked && s.writableLength + msg.length + 2 <= this.limits.maxWriteQueueBytes) {
      s.write(frame(msg));
      return true;
    }
    // Over the cap: the flush callback of this write tells when the queue has gone down again.
    s.write(frame(msg), this.onFlushed);
    if (!this.writeBlocked) {
      this.writeBlocked = true;
      this.armStall();
      this.updatePause();
    }
    return false;
  }

  /** Marks one more query in flight (stops the idle timer). */
  beginQuery(): void {
    this.inflightCount++;
  }

  /** Marks a query answered or given up; may start the idle timer or finish a half-closed session. */
  endQuery(): void {
    if (--this.inflightCount > 0) return;
    this.idleSince = this.clock.monotonic();
    this.armIdle();
    this.maybeFinish();
  }

  /** Stops delivering frames (inbound admission control). */
  pauseReading(): void {
    this.pausedByOwner = true;
    this.updatePause();
  }

  resumeReading(): void {
    this.pausedByOwner = false;
    this.updatePause();
  }

  /** Changes the idle timeout (RFC 7828 §3.3: the keepalive timeout offered or received). */
  setIdleTimeout(ms: number): void {
    this.idleMs = Math.max(0, ms);
    if (this.idleTimer !== undefined) this.clock.clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    this.armIdle();
  }

  /** Graceful close: no more reads or sends, queued writes are flushed, then the stream ends. */
  close(reason: CloseReason, code?: NetErrorCode, detail?: string): void {
    if (!this.finishState(reason, code, detail)) return;
    this.socket.end();
    this.graceTimer = this.clock.setTimeout(() => this.socket.destroy(), CLOSE_GRACE_MS);
    this.graceTimer.unref?.();
  }

  /** Immediate close: queued writes are dropped. */
  destroy(reason: CloseReason, code?: NetErrorCode, detail?: string): void {
    if (this.finishState(reason, code, detail)) this.socket.destroy();
  }

  private finishState(reason: CloseReason, code?: NetErrorCode, detail?: string): boolean {
    if (this.stateValue === 'closing' || this.stateValue === 'closed') return false;
    this.stateValue = 'closing';
    this.frames = [];
    this.clearTimers();
    this.log.debug({ reason, code, detail, inflight: this.inflightCount, idle_ms: this.idleMs }, 'session closing');
    this.emit('close', reason, code, detail);
    return true;
  }

  private onConnected(): void {
    if (this.stateValue !== 'connecting') return;
    this.clearTimer('connectTimer');
    this.stateValue = 'open';
    this.socket.setNoDelay(true);
    this.idleSince = this.clock.monotonic();
    this.armIdle();
    this.emit('connect');
  }

  private onData(chunk: Buffer): void {
    if (this.stateValue !== 'open') return;
    const r = this.decoder.push(chunk);
    for (const f of r.frames) this.frames.push(f);
    if (r.error) {
      this.log.debug({ error: r.error }, 'bad frame');
      this.close('malformed', undefined, r.error);
      return;
    }
    this.deliver();
  }

  private deliver(): void {
    if (this.delivering) return;
    this.delivering = true;
    while (this.frames.length > 0 && this.stateValue === 'open' && !this.pausedByOwner && !this.writeBlocked) {
      this.emit('frame', this.frames.shift()!);
    }
    this.delivering = false;
    this.maybeFinish();
  }

  private onEnd(): void {
    this.peerEnded = true;
    // An outbound peer that stops sending can answer nothing more; an inbound one still gets its answers.
    if (this.role === 'outbound') this.close('peer-eof');
    else this.maybeFinish();
  }

  private maybeFinish(): void {
    if (this.peerEnded && this.inflightCount === 0 && this.frames.length === 0 && this.stateValue === 'open') {
      this.close('peer-eof');
    }
  }

  private onError(err: Error): void {
    const handshaking = this.transport === 'tls' && this.stateValue === 'connecting' && this.tcpConnected;
    this.destroy('error', errorCodeOf(err, handshaking), err.message);
  }

  private onSocketClose(): void {
    if (this.stateValue !== 'closing') this.finishState('error', 'reset', 'socket closed');
    this.stateValue = 'closed';
    this.clearTimers();
    if (this.graceTimer !== undefined) this.clock.clearTimeout(this.graceTimer);
  }

  private readonly uncork = (): void => {
    this.corked = false;
    this.socket.uncork();
  };

  private readonly onFlushed = (): void => {
    if (this.stateValue !== 'open') return;
    if (this.writeBlocked && this.socket.writableLength <= this.limits.maxWriteQueueBytes) this.unblockWrites();
    else if (this.writeBlocked) this.armStall();
  };

  private unblockWrites(): void {
    if (!this.writeBlocked) return;
    this.writeBlocked = false;
    this.clearTimer('stallTimer');
    this.updatePause();
    this.emit('drain');
  }

  /** A peer that does not read for a whole idle period while our queue is full is dropped. */
  private armStall(): void {
    this.clearTimer('stallTimer');
    this.stallTimer = this.clock.setTimeout(() => {
      this.stallTimer = undefined;
      this.destroy('limit', undefined, 'write queue full, peer not reading');
    }, Math.max(this.idleMs, 1));
    this.stallTimer.unref?.();
  }

  private updatePause(): void {
    const paused = this.pausedByOwner || this.writeBlocked;
    if (paused && !this.socketPaused) {
      this.socketPaused = true;
      this.socket.pause();
    } else if (!paused && this.socketPaused) {
      this.socketPaused = false;
      this.socket.resume();
    }
    if (!paused) this.deliver();
  }

  private armIdle(): void {
    if (this.idleTimer !== undefined || this.stateValue !== 'open' || this.inflightCount > 0) return;
    const left = this.idleSince + this.idleMs - this.clock.monotonic();
    this.idleTimer = this.clock.setTimeout(this.onIdleTimer, Math.max(0, left));
    this.idleTimer.unref?.();
  }

  private readonly onIdleTimer = (): void => {
    this.idleTimer = undefined;
    if (this.stateValue !== 'open' || this.inflightCount > 0) return;
    if (this.clock.monotonic() - this.idleSince >= this.idleMs - 1) this.close('idle');
    else this.armIdle();
  };

  private clearTimer(name: 'idleTimer' | 'connectTimer' | 'stallTimer'): void {
    const t = this[name];
    if (t !== undefined) this.clock.clearTimeout(t);
    this[name] = undefined;
  }

  private clearTimers(): void {
    this.clearTimer('idleTimer');
    this.clearTimer('connectTimer');
    this.clearTimer('stallTimer');
  }
}

