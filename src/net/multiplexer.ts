/**
 * Outbound pipelining on one stream session (RFC 7766 §6.2.1.1, §7): each query gets a random ID not
 * in use on the session (RFC 5452 §9.2); a frame is accepted only when its ID is pending and it
 * answers the question asked (§9.1), otherwise it is dropped and counted. When the session closes,
 * every pending query fails as a value ('closed' after an orderly close, 'reset' after an error).
 * With an observer (log level debug, observe.ts) each query written and each matching reply read is a line.
 */
import { random16, type Abortable, type Clock, type Timer } from '../util/index.js';
import { peekId, setId, type RawQuestion } from '../wire/index.js';
import { isReplyTo } from './match.js';
import type { StreamObserver } from './observe.js';
import type { Session } from './session.js';
import type { NetErrorCode } from './types.js';

export type MuxOutcome = { kind: 'reply'; bytes: Buffer } | { kind: 'fail'; code: NetErrorCode; detail?: string };

interface Pending {
  id: number;
  question: RawQuestion;
  timer: Timer;
  signal?: Abortable;
  onAbort?: () => void;
  resolve(o: MuxOutcome): void;
}

export class Multiplexer {
  private readonly pending = new Map<number, Pending>();
  private closedCode: NetErrorCode | undefined;

  constructor(
    private readonly session: Session,
    private readonly clock: Clock,
    private readonly counters: { mismatched: number },
    private readonly observe?: StreamObserver,
  ) {
    session.on('frame', (f) => this.onFrame(f));
    session.on('close', (reason, code, detail) => {
      this.closedCode = code ?? (reason === 'error' || reason === 'malformed' ? 'reset' : 'closed');
      for (const p of [...this.pending.values()]) this.finish(p, { kind: 'fail', code: this.closedCode, detail });
    });
  }

  /** Queries waiting for an answer. */
  get size(): number { return this.pending.size; }

  /** Sends `query` (its ID is overwritten) and waits for the matching answer or `timeoutMs`. */
  send(query: Buffer, question: RawQuestion, timeoutMs: number, signal?: Abortable): Promise<MuxOutcome> {
    if (this.closedCode !== undefined || !this.session.isOpen) return Promise.resolve({ kind: 'fail', code: this.closedCode ?? 'closed' });
    if (signal?.aborted) return Promise.resolve({ kind: 'fail', code: 'aborted' });
    const id = this.freeId();
    if (id < 0) return Promise.resolve({ kind: 'fail', code: 'id-exhausted' });
    setId(query, id);
    return new Promise<MuxOutcome>((resolve) => {
      const p: Pending = {
        id, question, signal, resolve,
        timer: this.clock.setTimeout(() => this.finish(p, { kind: 'fail', code: 'timeout' }), timeoutMs),
      };
      if (signal) {
        p.onAbort = () => this.finish(p, { kind: 'fail', code: 'aborted' });
        signal.addEventListener('abort', p.onAbort);
      }
      this.pending.set(id, p);
      this.session.beginQuery();
      this.session.send(query); // false only means back-pressure here: the frame is queued
      this.observe?.('stream query', query, this.pending.size);
    });
  }

  private onFrame(f: Buffer): void {
    const p = this.pending.get(peekId(f));
    if (p === undefined || !isReplyTo(f, p.id, p.question)) {
      this.counters.mismatched++;
      return;
    }
    this.observe?.('stream reply', f, this.pending.size);
    this.finish(p, { kind: 'reply', bytes: f });
  }

  private finish(p: Pending, o: MuxOutcome): void {
    if (this.pending.get(p.id) !== p) return;
    this.pending.delete(p.id);
    this.clock.clearTimeout(p.timer);
    if (p.onAbort) p.signal?.removeEventListener('abort', p.onAbort);
    this.session.endQuery();
    p.resolve(o);
  }

  private freeId(): number {
    for (let i = 0; i < 8; i++) {
      const id = random16();
      if (!this.pending.has(id)) return id;
    }
    const start = random16();
    for (let i = 0; i < 65536; i++) {
      const id = (start + i) & 0xffff;
      if (!this.pending.has(id)) return id;
    }
    return -1;
  }
}
