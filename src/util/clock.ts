/**
 * The one source of time. Wall-clock time (TTL expiry, signature validity) comes from `now()`;
 * scenario replay replaces it with a fake clock it moves by hand. Timers use the same object so
 * tests can run them on fake time too.
 */
export interface Clock {
  /** Wall-clock milliseconds since the epoch (Date.now() in production). */
  now(): number;
  /** Monotonic milliseconds, for measuring durations (RTT, timeouts). */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): Timer;
  clearTimeout(t: Timer): void;
}

/** An opaque timer handle; `unref` lets the process exit while it is pending. */
export interface Timer { unref?(): unknown }

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (t) => clearTimeout(t as NodeJS.Timeout),
};

/** A clock whose wall time is fixed and moved by hand; timers still run on real time. */
export class ManualClock implements Clock {
  constructor(private wallMs: number) {}
  now(): number { return this.wallMs; }
  monotonic(): number { return performance.now(); }
  /** Moves wall-clock time forward by `ms`. */
  advance(ms: number): void { this.wallMs += ms; }
  set(ms: number): void { this.wallMs = ms; }
  setTimeout(fn: () => void, ms: number): Timer { return setTimeout(fn, ms); }
  clearTimeout(t: Timer): void { clearTimeout(t as NodeJS.Timeout); }
}
