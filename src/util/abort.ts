/** Waiting for a promise with an abort signal: the waiter stops at once, the work goes on. */

/**
 * The callbacks waiting on each signal, behind one 'abort' listener per signal. A listener's own
 * add and remove scan every listener of the signal (EventTarget refuses duplicates), and a listener's
 * signal is shared by every query in flight on it, so a Set keeps both constant-time.
 */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

/** Calls `fn` once when `signal` aborts (in registration order); returns the function that cancels that. */
export function onAbort(signal: AbortSignal, fn: () => void): () => void {
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
export function untilAborted<T, A>(p: Promise<T>, signal: AbortSignal | undefined, aborted: () => A): Promise<T | A> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(aborted());
  return new Promise<T | A>((resolve, reject) => {
    const cancel = onAbort(signal, () => resolve(aborted()));
    p.then((v) => { cancel(); resolve(v); }, (err: unknown) => { cancel(); reject(err); });
  });
}
