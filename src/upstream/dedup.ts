/**
 * Identical upstream queries in flight at the same time (same server address, port and NS name, query
 * name lower-cased, type, DO, CD, RD, going on after UDP silence or not, DoT required or not) share one exchange, so a
 * burst of clients asking the same thing costs one packet (Unbound's outnet serviced-query reuse). Each caller keeps its own abort signal: a caller that aborts
 * gets 'aborted' at once, and the shared exchange is aborted only when every caller has.
 * Callers share the reply's Message object and must not mutate it.
 */
import type { UpstreamQuery, UpstreamResult } from './types.js';

interface Flight {
  key: string;
  result: Promise<UpstreamResult>;
  controller: AbortController;
  waiting: number;
}

/** The key identical queries share. */
export function dedupKey(q: UpstreamQuery): string {
  const s = q.server;
  return [s.address.toLowerCase(), s.port, (s.name ?? '').toLowerCase(), q.name.toLowerCase(), q.type.toUpperCase(),
    q.dnssecOk ? 1 : 0, q.cd ? 1 : 0, q.rd ? 1 : 0, q.afterUdpSilence ? 1 : 0, q.requireTls ? 1 : 0].join('|');
}

export class InflightDedup {
  private readonly flights = new Map<string, Flight>();

  /** @param now monotonic milliseconds (Clock.monotonic), for the elapsed time of aborted waits */
  constructor(private readonly now: () => number) {}

  /** Number of distinct exchanges in flight. */
  get size(): number { return this.flights.size; }

  /** Runs `send` for `q`, or joins the identical exchange already running. */
  run(q: UpstreamQuery, send: (q: UpstreamQuery) => Promise<UpstreamResult>): Promise<UpstreamResult> {
    const key = dedupKey(q);
    let flight = this.flights.get(key);
    if (!flight) {
      const controller = new AbortController();
      const f: Flight = { key, controller, waiting: 0, result: send({ ...q, signal: controller.signal }) };
      void f.result.finally(() => this.forget(f));
      this.flights.set(key, f);
      flight = f;
    }
    return this.wait(flight, q.signal);
  }

  private forget(flight: Flight): void {
    if (this.flights.get(flight.key) === flight) this.flights.delete(flight.key);
  }

  private wait(flight: Flight, signal: AbortSignal | undefined): Promise<UpstreamResult> {
    flight.waiting++;
    if (!signal) return flight.result;
    const started = this.now();
    return new Promise<UpstreamResult>((resolve) => {
      let left = false;
      const leave = (): void => {
        if (left) return;
        left = true;
        signal.removeEventListener('abort', onAbort);
        flight.waiting--;
      };
      const onAbort = (): void => {
        if (left) return;
        leave();
        if (flight.waiting === 0) {
          this.forget(flight); // a caller arriving now starts afresh instead of joining an aborted exchange
          flight.controller.abort();
        }
        resolve({ kind: 'fail', reason: 'aborted', elapsedMs: this.now() - started });
      };
      if (signal.aborted) { onAbort(); return; }
      signal.addEventListener('abort', onAbort, { once: true });
      void flight.result.then((r) => { leave(); resolve(r); });
    });
  }
}
