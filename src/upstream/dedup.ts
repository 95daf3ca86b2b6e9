/**
 * Identical upstream queries in flight at the same time (same server address, port and NS name, query
 * name lower-cased, type, DO, CD, RD, going on after UDP silence or not, DoT required or not) share one exchange, so a
 * burst of clients asking the same thing costs one packet (Unbound's outnet serviced-query reuse). Each caller keeps its own abort signal: a caller that aborts
 * gets 'aborted' at once, and the shared exchange is aborted only when every caller has (util SharedFlights).
 * Callers share the reply's Message object and must not mutate it.
 */
import { SharedFlights } from '../util/index.js';
import type { UpstreamQuery, UpstreamResult } from './types.js';

/** The key identical queries share; the five switches as the bits of one number (each piece of a key is one more string joined). */
export function dedupKey(q: UpstreamQuery): string {
  const s = q.server;
  const bits = (q.dnssecOk ? 1 : 0) | (q.cd ? 2 : 0) | (q.rd ? 4 : 0) | (q.afterUdpSilence ? 8 : 0) | (q.requireTls ? 16 : 0);
  return `${s.address.toLowerCase()}|${s.port}|${(s.name ?? '').toLowerCase()}|${q.name.toLowerCase()}|${q.type.toUpperCase()}|${bits}`;
}

export class InflightDedup {
  private readonly flights = new SharedFlights<UpstreamResult>();

  /** @param now monotonic milliseconds (Clock.monotonic), for the elapsed time of aborted waits */
  constructor(private readonly now: () => number) {}

  /** Number of distinct exchanges in flight. */
  get size(): number { return this.flights.size; }

  /** Runs `send` for `q`, or joins the identical exchange already running. */
  run(q: UpstreamQuery, send: (q: UpstreamQuery) => Promise<UpstreamResult>): Promise<UpstreamResult> {
    const key = dedupKey(q);
    const flight = this.flights.get(key) ?? this.flights.start(key, (signal) => ({ meta: undefined, result: send({ ...q, signal }) }));
    const started = this.now();
    return this.flights.wait(flight, q.signal, (): UpstreamResult => ({ kind: 'fail', reason: 'aborted', elapsedMs: this.now() - started }));
  }
}
