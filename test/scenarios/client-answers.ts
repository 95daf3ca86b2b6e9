/**
 * The client answers of a testbound scenario (Unbound's testcode/fake_event.c answer list): a QUERY
 * step does not wait for its answer, each CHECK_ANSWER takes the next answer to arrive.
 */
import type { ClientOutcome } from './client-path.js';

/** One client query: the step that sent it, and its outcome once there is one. */
export interface ClientQuery {
  where: string;
  outcome?: ClientOutcome;
  /** Arrival order of the outcome. */
  arrival?: number;
  done: Promise<void>;
}

export class ClientAnswers {
  private readonly sent: ClientQuery[] = [];
  private arrivals = 0;

  add(where: string, outcome: Promise<ClientOutcome>): ClientQuery {
    const query: ClientQuery = { where, done: Promise.resolve() };
    query.done = outcome.then((out) => {
      query.outcome = out;
      query.arrival = this.arrivals++;
    });
    this.sent.push(query);
    return query;
  }

  /** The next answer to arrive (waiting for one if none has), undefined when no query is left. */
  async next(): Promise<ClientQuery | undefined> {
    if (this.sent.length === 0) return undefined;
    if (!this.sent.some((q) => q.outcome)) await Promise.race(this.sent.map((q) => q.done));
    const arrived = this.sent.filter((q) => q.outcome).sort((a, b) => (a.arrival ?? 0) - (b.arrival ?? 0));
    const first = arrived[0];
    this.sent.splice(this.sent.indexOf(first), 1);
    return first;
  }

  /** Every query no CHECK_ANSWER took, once each has its outcome. */
  async rest(): Promise<ClientQuery[]> {
    await Promise.all(this.sent.map((q) => q.done));
    return this.sent.splice(0);
  }
}
