/**
 * Serve-stale on the wire (RFC 8767), against a scripted authority on loopback and an in-process
 * Ward (the hostile world): an authority that stops answering in time gets the client the expired
 * answer, with EDE 3 Stale Answer (RFC 8914) and TTL cache.stale_reply_ttl, when the client
 * response timer (cache.stale_client_timeout_ms, 40 ms here, below the upstream's smallest per-try
 * timeout of 100 ms, RTO_MIN_MS) runs out; the resolution goes on, its retry is answered with new
 * data, and that is in the cache for the next client without a new query. Lab addresses: run
 * under `flock /tmp/ward-lab.lock`.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { ttlOf } from '../../src/wire/index.js';
import { rrs, serveZones, type Script } from '../helpers/hostile-auth.js';
import { answerTexts, edeCodes, useHostileWorld } from '../helpers/hostile-world.js';
import { rcodeName } from '../helpers/lab-query.js';

/** Polls (at most 50 times, 100 ms apart) until `done` holds. */
async function waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 50 && !done(); i++) await new Promise((resolve) => setTimeout(resolve, 100));
}

describe('serve-stale on the wire (RFC 8767)', { timeout: 60_000 }, () => {
  const fixture = useHostileWorld(80, 1);

  test('a silent first try: the stale answer with EDE 3 when the client timer runs out, then the refreshed data', async () => {
    const auth = fixture.world.servers[0];
    const w = await fixture.freshWith((c) => {
      c.cache.serve_stale = true;
      c.cache.stale_client_timeout_ms = 40;
    }, 'stale.test. NS ns.stale.test.', `ns.stale.test. A ${auth.address}`);
    const zone = (address: string, ttl: number): Script => serveZones(['stale.test'], rrs(
      'stale.test. NS ns.stale.test.', `ns.stale.test. A ${auth.address}`, `www.stale.test. ${ttl} A ${address}`,
    ));
    auth.script = zone('192.0.2.31', 1);
    const first = await w.ask('www.stale.test', 'A');
    assert.deepEqual(answerTexts(first), ['www.stale.test A 192.0.2.31']);

    await new Promise((resolve) => setTimeout(resolve, 1_200)); // its TTL of 1 s runs out
    const renumbered = zone('192.0.2.32', 300);
    const asked = auth.count('www.stale.test', 'A');
    // From now on the first query for the name goes unanswered (a timeout); the retries get new data.
    auth.script = (q, transport, remote) => (auth.count('www.stale.test', 'A') === asked + 1 ? undefined : renumbered(q, transport, remote));
    const stale = await w.ask('www.stale.test', 'A');
    assert.equal(rcodeName(stale), 'NOERROR');
    assert.deepEqual(answerTexts(stale), ['www.stale.test A 192.0.2.31'], 'the expired data, before the retry could answer');
    assert.equal(ttlOf(stale.answers[0]), 30, 'TTL cache.stale_reply_ttl');
    assert.deepEqual(edeCodes(stale), [3], 'EDE 3 Stale Answer');

    await waitFor(() => auth.count('www.stale.test', 'A') > asked + 1);
    assert.ok(auth.count('www.stale.test', 'A') > asked + 1, 'the resolution went on after the stale answer');
    // Without RD the cache alone answers: the refreshed data is there, put by the resolution the
    // stale answer left running (a cache-only query never resolves).
    let cached = await w.ask('www.stale.test', 'A', { rd: false });
    for (let i = 0; i < 20 && answerTexts(cached)[0] !== 'www.stale.test A 192.0.2.32'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      cached = await w.ask('www.stale.test', 'A', { rd: false });
    }
    assert.deepEqual(answerTexts(cached), ['www.stale.test A 192.0.2.32'], 'the cache holds the refreshed data');
    assert.deepEqual(edeCodes(cached), []);
  });
});
