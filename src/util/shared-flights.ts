/**
 * Work shared by every caller that asks for the same key while it runs (the resolver's mesh, the
 * upstream's in-flight de-duplication). Each caller waits with its own abort signal: a caller whose
 * signal aborts stops waiting at once, and the work itself is aborted (through the signal it was
 * started with) only when no caller is left waiting; a caller arriving after that starts it afresh.
 * A caller without a signal waits to the end, so work it joined is never aborted.
 */
import { FlightAbort, untilAborted, type Abortable } from './abort.js';

/** One shared work: what it is about (`meta`), its result, and who waits for it. */
export class Flight<T, M> {
  /** Callers still waiting (those without a signal never stop). */
  waiting = 0;
  constructor(readonly key: string, readonly meta: M, readonly result: Promise<T>, readonly controller: FlightAbort) {}
}

export class SharedFlights<T, M = undefined> {
  private readonly flights = new Map<string, Flight<T, M>>();

  /** Works running. */
  get size(): number { return this.flights.size; }

  /** The work running for `key`, if any. */
  get(key: string): Flight<T, M> | undefined { return this.flights.get(key); }

  /** Starts the work for `key` (look for a running one with `get` first); `make` gets the work's abort signal. */
  start(key: string, make: (signal: Abortable) => { meta: M; result: Promise<T> }): Flight<T, M> {
    const controller = new FlightAbort();
    const { meta, result } = make(controller);
    const flight = new Flight(key, meta, result, controller);
    this.flights.set(key, flight);
    const forget = (): void => this.forget(flight);
    result.then(forget, forget); // registered first, so the key is free before any caller sees the result
    return flight;
  }

  /** Waits for `flight` as one more caller; one whose `signal` aborts gets `aborted()` at once. */
  wait<A>(flight: Flight<T, M>, signal: Abortable | undefined, aborted: () => A): Promise<T | A> {
    flight.waiting++;
    return untilAborted(flight.result, signal, () => {
      if (--flight.waiting === 0) {
        this.forget(flight);
        flight.controller.abort();
      }
      return aborted();
    });
  }

  private forget(flight: Flight<T, M>): void {
    if (this.flights.get(flight.key) === flight) this.flights.delete(flight.key);
  }
}
