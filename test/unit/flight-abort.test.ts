/** FlightAbort (util/abort.ts): the signal SharedFlights hands its work, read as an AbortSignal would be. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FlightAbort, untilAborted } from '../../src/util/index.js';

test('listeners are called once, in the order added, a listener added twice once, a removed one never', () => {
  const a = new FlightAbort();
  const calls: string[] = [];
  const f = (name: string) => (): void => { calls.push(name); };
  const one = f('one');
  const two = f('two');
  const three = f('three');
  a.addEventListener('abort', one);
  a.addEventListener('abort', two);
  a.addEventListener('abort', one);
  a.removeEventListener('abort', one);
  a.addEventListener('abort', three);
  a.addEventListener('abort', one);
  assert.equal(a.aborted, false);
  a.abort();
  a.abort();
  assert.equal(a.aborted, true);
  assert.deepEqual(calls, ['two', 'three', 'one']);
  a.addEventListener('abort', one);
  a.abort();
  assert.deepEqual(calls, ['two', 'three', 'one'], 'nothing after the abort');
});

test('a wait on a FlightAbort ends at once when it aborts, and the work goes on', async () => {
  const a = new FlightAbort();
  let finish: (v: string) => void = () => undefined;
  const work = new Promise<string>((resolve) => { finish = resolve; });
  const waited = untilAborted(work, a, () => 'aborted');
  a.abort();
  assert.equal(await waited, 'aborted');
  finish('done');
  assert.equal(await work, 'done');
  assert.equal(await untilAborted(Promise.resolve('late'), a, () => 'aborted'), 'aborted', 'an aborted signal answers at once');
});
