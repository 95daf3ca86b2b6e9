/**
 * An in-memory network behind the net core's `Exchanger` interface (src/net/types.ts), for scenario
 * replay and resolver tests: a script decides what each server address answers. Like the real core
 * it gives the query a fresh random ID and accepts a reply only with that ID (RFC 5452 §9.1); a
 * dropped or mismatched reply is a timeout after the request's `timeoutMs` (real time, so the tests
 * stay fast with small timeouts). Network failures are values, never exceptions.
 */
import { decodeMessage, MalformedMessage, peekId, setId, type Message } from '../../src/wire/index.js';
import { randomId, type Abortable } from '../../src/util/index.js';
import type { Endpoint, ExchangeRequest, ExchangeResult, Exchanger, Transport } from '../../src/net/index.js';

/** What the script does with one query. */
export type ScriptAnswer =
  | { kind: 'reply'; bytes: Buffer }
  /** Say nothing: the query times out (Deckard's do_not_answer). */
  | { kind: 'drop' }
  /** Nobody scripted this: answer with `bytes` if given, and count it as a problem of the run. */
  | { kind: 'unscripted'; problem: string; bytes?: Buffer }
  /** The exchange fails at once, as a broken connection does (testbound's `STEP n ERROR`). */
  | { kind: 'error' }
  /**
   * The script answers later, when it gets to the step that takes the query (testbound's pending
   * queries); meanwhile the query does not count as in flight. `cancel`: the sender gave up on it.
   */
  | { kind: 'held'; later: Promise<ScriptAnswer>; cancel: () => void };

export interface ScriptedNetwork {
  answer(query: Message, to: Endpoint, transport: Transport): ScriptAnswer;
  /** Where the script is (a scenario step), recorded with each query. */
  readonly step?: number;
}

/** One query as it went over the memory network. */
export interface SentQuery {
  to: Endpoint;
  transport: Transport;
  name: string;
  type: string;
  /** 'unscripted': answered (or not) although the script did not cover the query. */
  outcome: 'reply' | 'timeout' | 'aborted' | 'unscripted' | 'error';
  /** The script's step when the query was sent (ScriptedNetwork.step), for reports. */
  step?: number;
}

export class MemoryNet implements Exchanger {
  /** Every query sent, in order. */
  readonly sent: SentQuery[] = [];
  /** Queries nobody scripted (unknown server, no matching entry). */
  readonly problems: string[] = [];
  private closed = false;
  private readonly pending = new Set<() => void>();
  /** Exchanges started and not yet returned. */
  private inFlight = 0;
  /** Of those, the ones the script holds for a later step ('held'). */
  private heldNow = 0;
  /** Callers of whenHeld waiting for the next held query. */
  private holdWaiters: (() => void)[] = [];

  constructor(private readonly script: ScriptedNetwork) {}

  async exchange(req: ExchangeRequest): Promise<ExchangeResult> {
    this.inFlight++;
    try {
      return await this.exchangeOnce(req);
    } finally {
      this.inFlight--;
    }
  }

  /**
   * Resolves once no exchange but the held ones has been in flight for two turns of the event loop
   * (what the replies set off has run: cache stores, follow-up queries), or after `maxMs` of real
   * time, or as soon as `done()` is true. `onlyWithHeld`: idle counts only while some query is held.
   */
  async settled(maxMs: number, done: () => boolean = () => false, onlyWithHeld = false): Promise<void> {
    const until = performance.now() + maxMs;
    for (let idleTurns = 0; idleTurns < 2 && performance.now() < until && !done();) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      const idle = this.inFlight === this.heldNow && (!onlyWithHeld || this.heldNow > 0);
      idleTurns = idle ? idleTurns + 1 : 0;
    }
  }

  /** Resolves when some query is held by the script (at once if one is). */
  whenHeld(): Promise<void> {
    if (this.heldNow > 0) return Promise.resolve();
    return new Promise((resolve) => this.holdWaiters.push(resolve));
  }

  private async exchangeOnce(req: ExchangeRequest): Promise<ExchangeResult> {
    const started = performance.now();
    const elapsedMs = (): number => performance.now() - started;
    if (this.closed) return { kind: 'fail', code: 'closed', elapsedMs: 0 };
    if (req.signal?.aborted) return { kind: 'fail', code: 'aborted', elapsedMs: 0 };
    // Scripted servers speak plain DNS on port 53 only; DoT probes find nothing listening.
    if (req.transport === 'tls') return { kind: 'fail', code: 'connect-refused', elapsedMs: 0 };
    const bytes = Buffer.from(req.query);
    const id = randomId();
    setId(bytes, id);
    const query = decodeMessage(bytes);
    if (query instanceof MalformedMessage) return { kind: 'fail', code: 'network', elapsedMs: 0, detail: query.message };
    const q = query.questions[0];
    const note = (outcome: SentQuery['outcome']): void => {
      this.sent.push({ to: req.to, transport: req.transport, name: q?.name ?? '', type: q?.type ?? '', outcome, step: this.script.step });
    };
    await new Promise<void>((resolve) => setImmediate(resolve));
    const answer = await this.unheld(this.script.answer(query, req.to, req.transport), req.signal);
    if (answer === 'aborted') {
      note('aborted');
      return { kind: 'fail', code: 'aborted', elapsedMs: elapsedMs() };
    }
    if (answer.kind === 'error') {
      note('error');
      return { kind: 'fail', code: 'network', elapsedMs: elapsedMs() };
    }
    let reply: Buffer | undefined;
    if (answer.kind === 'reply') reply = answer.bytes;
    else if (answer.kind === 'unscripted') {
      this.problems.push(answer.problem);
      reply = answer.bytes;
    }
    if (reply !== undefined && peekId(reply) === id) {
      note(answer.kind === 'unscripted' ? 'unscripted' : 'reply');
      return { kind: 'reply', bytes: reply, rttMs: Math.max(1, elapsedMs()), transport: req.transport, reused: false };
    }
    const outcome = await this.wait(req.timeoutMs, req.signal);
    note(answer.kind === 'unscripted' ? 'unscripted' : outcome);
    return { kind: 'fail', code: outcome, elapsedMs: elapsedMs() };
  }

  /** The script's answer; for a held query the one it gives later, or 'aborted' (the request's signal, close()). */
  private async unheld(answer: ScriptAnswer, signal?: Abortable): Promise<Exclude<ScriptAnswer, { kind: 'held' }> | 'aborted'> {
    if (answer.kind !== 'held') return answer;
    this.heldNow++;
    for (const wake of this.holdWaiters.splice(0)) wake();
    try {
      const given = await this.wait(undefined, signal, answer.later);
      if (given === 'aborted' || given === 'timeout') {
        answer.cancel();
        return 'aborted';
      }
      return await this.unheld(given, signal);
    } finally {
      this.heldNow--;
    }
  }

  /**
   * Waits out a timeout (none when `ms` is undefined) or until `given` resolves, cut short by the
   * request's signal or by close().
   */
  private wait<T = never>(ms: number | undefined, signal?: Abortable, given?: Promise<T>): Promise<'timeout' | 'aborted' | T> {
    return new Promise((resolve) => {
      let done = false;
      const finish = (how: 'timeout' | 'aborted' | T): void => {
        if (done) return;
        done = true;
        clearTimeout(t);
        this.pending.delete(cancel);
        signal?.removeEventListener('abort', onAbort);
        resolve(how);
      };
      const onAbort = (): void => finish('aborted');
      const cancel = (): void => finish('aborted');
      const t = ms === undefined ? undefined : setTimeout(() => finish('timeout'), ms);
      this.pending.add(cancel);
      signal?.addEventListener('abort', onAbort, { once: true });
      void given?.then(finish);
    });
  }

  /** Ends every pending wait (as 'aborted') and refuses further exchanges. */
  async close(): Promise<void> {
    this.closed = true;
    for (const cancel of [...this.pending]) cancel();
  }
}
