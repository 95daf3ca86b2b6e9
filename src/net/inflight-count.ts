/**
 * The queries a listener has handed to its sink and not yet seen answered, over all its sessions
 * (or its UDP socket). Graceful stop waits on `drained()`: it settles the moment the last answer is
 * in, or when the deadline passes on the listener's clock, so a stop neither polls nor waits longer
 * than it must.
 */
import type { Clock, Timer } from '../util/index.js';

interface Drain { promise: Promise<void>; resolve: () => void; timer: Timer }

export class InflightCount {
  /** Queries received and not answered yet. */
  inflight = 0;
  /** Queries received in all. */
  queries = 0;
  private drain: Drain | undefined;

  constructor(private readonly clock: Clock) {}

  /** A query was received. */
  begin(): void {
    this.inflight++;
    this.queries++;
  }

  /** A query was answered (or dropped). */
  end(): void {
    if (--this.inflight === 0 && this.drain !== undefined) this.settle();
  }

  /** Resolves when nothing is in flight or `deadlineMs` has passed; later calls share the first wait. */
  drained(deadlineMs: number): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    if (this.drain === undefined) {
      let resolve!: () => void;
      const promise = new Promise<void>((r) => { resolve = r; });
      const timer = this.clock.setTimeout(() => this.settle(), deadlineMs);
      timer.unref?.(); // a stop in progress does not by itself keep the process alive
      this.drain = { promise, resolve, timer };
    }
    return this.drain.promise;
  }

  private settle(): void {
    const drain = this.drain;
    if (drain === undefined) return;
    this.drain = undefined;
    this.clock.clearTimeout(drain.timer);
    drain.resolve();
  }
}
