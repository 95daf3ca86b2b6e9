/**
 * Graceful stop of a listener, UDP and TCP: `close(deadlineMs)` waits for the queries in flight and
 * no longer. It ends when the last one is answered (the deadline timer, on the listener's clock, is
 * cleared unfired), and when one is never answered it ends at the deadline of that clock, not of
 * wall time. The deadline here is an hour: only the drain or the test's clock can end the wait.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import type { InboundQuery, Listener, Transport } from '../../src/net/index.js';
import { systemClock, type Clock, type Timer } from '../../src/util/index.js';
import { answerFor, framed, makeQuery, serve, within } from './net-fixtures.js';

const HOUR_MS = 3_600_000;

/** Real timers, each also recorded so the test can fire it early (as if its time had come). */
class RecordingClock implements Clock {
  readonly timers: { ms: number; fn: () => void; handle: Timer; state: 'pending' | 'fired' | 'cleared' }[] = [];
  now(): number { return systemClock.now(); }
  monotonic(): number { return systemClock.monotonic(); }
  setTimeout(fn: () => void, ms: number): Timer {
    const t = { ms, fn, handle: undefined as unknown as Timer, state: 'pending' as 'pending' | 'fired' | 'cleared' };
    t.handle = systemClock.setTimeout(() => { t.state = 'fired'; fn(); }, ms);
    this.timers.push(t);
    return t.handle;
  }
  clearTimeout(handle: Timer): void {
    const t = this.timers.find((x) => x.handle === handle);
    if (t?.state === 'pending') t.state = 'cleared';
    systemClock.clearTimeout(handle);
  }
  /** The timers of `ms` set so far. */
  of(ms: number): RecordingClock['timers'] { return this.timers.filter((t) => t.ms === ms); }
  /** Runs the pending timers of `ms` now. */
  fire(ms: number): void {
    for (const t of this.of(ms)) {
      if (t.state !== 'pending') continue;
      this.clearTimeout(t.handle);
      t.state = 'fired';
      t.fn();
    }
  }
}

const closers: (() => unknown)[] = [];
after(() => { for (const c of closers) c(); });

/** A listener whose sink holds every query until the test answers it, and one query sent to it. */
async function listenerWithQueryInFlight(transport: Exclude<Transport, 'tls'>): Promise<{ l: Listener; clock: RecordingClock; held: InboundQuery }> {
  const clock = new RecordingClock();
  let hold!: (q: InboundQuery) => void;
  const arrived = new Promise<InboundQuery>((resolve) => { hold = resolve; });
  const l = await serve(transport, (q) => hold(q), { clock });
  const query = makeQuery('held.test');
  const { port } = l.address();
  if (transport === 'udp') {
    const s = createSocket('udp4');
    closers.push(() => s.close());
    s.send(query, port, '127.0.0.1');
  } else {
    const s = connect({ port, host: '127.0.0.1' }); // not half-open: it ends when the listener ends its side
    closers.push(() => s.destroy());
    s.on('error', () => undefined);
    s.resume();
    s.write(framed(query));
  }
  const held = await within(arrived, 5_000, 'the query reaches the sink');
  return { l, clock, held };
}

for (const transport of ['udp', 'tcp'] as const) {
  test(`${transport}: close() ends once the last query in flight is answered; the deadline timer is cleared unfired`, async () => {
    const { l, clock, held } = await listenerWithQueryInFlight(transport);
    let closed = false;
    const closing = l.close(HOUR_MS).then(() => { closed = true; });
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(closed, false, 'still waiting for the query in flight');
    assert.deepEqual(clock.of(HOUR_MS).map((t) => t.state), ['pending'], 'one deadline timer on the listener clock, no polling');
    held.reply(answerFor(held.bytes));
    await within(closing, 5_000, 'close after the last answer');
    assert.deepEqual(clock.of(HOUR_MS).map((t) => t.state), ['cleared']);
    assert.equal(l.stats().inflight, 0);
  });

  test(`${transport}: a query never answered: close() ends when the deadline passes on the listener's clock`, async () => {
    const { l, clock } = await listenerWithQueryInFlight(transport);
    const closing = l.close(HOUR_MS);
    await new Promise((resolve) => setImmediate(resolve));
    clock.fire(HOUR_MS);
    await within(closing, 5_000, 'close at the deadline');
    assert.equal(l.stats().inflight, 1, 'the unanswered query is still counted');
  });
}
