/** Waiting for a promise with an abort signal: the waiter stops at once, the work goes on. */

/** What Ward's waiting code reads of an abort signal: an AbortSignal has it, and so has a FlightAbort. */
export interface Abortable {
  readonly aborted: boolean;
  addEventListener(type: 'abort', listener: () => void, options?: { once?: boolean }): void;
  removeEventListener(type: 'abort', listener: () => void): void;
}

/**
 * A signal and its controller in one plain object, for work Ward shares inside the process
 * (SharedFlights: mesh tasks, upstream exchanges). An AbortController with its AbortSignal (an
 * EventTarget) takes about 0.8 KB and more per listener; one of these is a few fields. Its
 * listeners (each called once, on abort, in the order added; one added twice counts once): the
 * first in a field (most have one), any more in a Set made for the second.
 */
export class FlightAbort implements Abortable {
  aborted = false;
  private first: (() => void) | undefined;
  private more: Set<() => void> | undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const { first, more } = this;
    this.first = this.more = undefined;
    first?.();
    if (more) for (const f of more) f();
  }

  addEventListener(_type: 'abort', listener: () => void): void {
    if (this.aborted || listener === this.first || this.more?.has(listener)) return;
    if (this.first === undefined && this.more === undefined) this.first = listener;
    else (this.more ??= new Set()).add(listener);
  }

  removeEventListener(_type: 'abort', listener: () => void): void {
    if (listener === this.first) this.first = undefined;
    else this.more?.delete(listener);
  }
}

/**
 * The callbacks waiting on each AbortSignal, behind one 'abort' listener per signal. A listener's own
 * add and remove scan every listener of the signal (EventTarget refuses duplicates), and a listener's
 * signal is shared by every query in flight on it, so a Set keeps both constant-time.
 */
const waiting = new WeakMap<Abortable, Set<() => void>>();

/** Calls `fn` once when `signal` aborts (in registration order); returns the function that cancels that. */
export function onAbort(signal: Abortable, fn: () => void): () => void {
  // A FlightAbort keeps its listeners in a Set already.
  if (signal instanceof FlightAbort) {
    signal.addEventListener('abort', fn);
    return () => { signal.removeEventListener('abort', fn); };
  }
  let fns = waiting.get(signal);
  if (!fns) {
    const set = fns = new Set();
    waiting.set(signal, set);
    signal.addEventListener('abort', () => {
      waiting.delete(signal);
      for (const f of set) f();
    }, { once: true });
  }
  const set = fns;
  set.add(fn);
  return () => { set.delete(fn); };
}

/** `p`'s outcome, or `aborted()` as soon as `signal` aborts (`p` goes on; the callback is dropped when `p` settles). */
export function untilAborted<T, A>(p: Promise<T>, signal: Abortable | undefined, aborted: () => A): Promise<T | A> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(aborted());
  return new Promise<T | A>((resolve, reject) => {
    const cancel = onAbort(signal, () => resolve(aborted()));
    p.then((v) => { cancel(); resolve(v); }, (err: unknown) => { cancel(); reject(err); });
  });
}
