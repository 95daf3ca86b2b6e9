/** Waiting for a promise with an abort signal: the waiter stops at once, the work goes on. */

/** `p`'s outcome, or `aborted()` as soon as `signal` aborts (`p` goes on; the listener is removed when `p` settles). */
export function untilAborted<T, A>(p: Promise<T>, signal: AbortSignal | undefined, aborted: () => A): Promise<T | A> {
  if (!signal) return p;
  if (signal.aborted) return Promise.resolve(aborted());
  return new Promise<T | A>((resolve, reject) => {
    const onAbort = (): void => resolve(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then((v) => { signal.removeEventListener('abort', onAbort); resolve(v); },
      (err: unknown) => { signal.removeEventListener('abort', onAbort); reject(err); });
  });
}
