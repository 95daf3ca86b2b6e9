/**
 * server.workers: 2 sharing what they resolve (server.share_cache_between_workers, on by default),
 * as a real process tree on 127.0.2.66 resolving through the signed lab. Names resolved once
 * (secure, insecure, a secure NXDOMAIN, a wildcard, a CNAME chain across zones) are then asked many times, each
 * from its own source port, so the kernel hands them to both workers: no further upstream query in
 * the workers' summed counters, both workers answered, and every question the resolving worker did
 * not answer itself came from the other's answers once and then from its own cache. A bogus name is
 * never offered to the other worker. A worker killed with SIGKILL is restarted while the other
 * answers; the new one serves and gets what is resolved from then on; the per-worker counts add up
 * to the total.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest } from '../../src/control/index.js';
import type { PoolStatsReport } from '../../src/worker-front.js';
import { FLAG } from '../../src/wire/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { answerView, query } from '../helpers/lab-query.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { freePort } from '../helpers/free-port.js';

const ADDRESS = '127.0.2.66';
/**
 * Each resolved by the worker the kernel gives it to. Not among them: a wildcard NODATA, which a worker
 * holding the zone's NSEC records may synthesize (RFC 8198) without resolving, and so without sharing.
 */
const RESOLVED: { name: string; type: 'A' | 'AAAA' }[] = [
  { name: 'www.glue.test', type: 'A' },
  { name: 'www.insecure.test', type: 'A' },
  { name: 'nx.glue.test', type: 'A' },
  { name: 'x.wild.glue.test', type: 'A' },
  { name: 'chain.glue.test', type: 'A' },
];
/** Queries per name after the first: each from a new socket, so both workers get some. */
const REPEATS = 40;

describe('workers: 2 share what they resolve', { timeout: 120_000 }, () => {
  let lab: Lab | undefined;
  let ward: WardProcess | undefined;

  const stats = async (): Promise<PoolStatsReport> =>
    await controlRequest({ socket: join(ward!.configFile, '..', 'ward-state', 'control.sock') }, { command: 'stats' }) as PoolStatsReport;
  /**
   * Polls `cond` every 50 ms for at most 5 s (shared answers travel in the background); a request a
   * worker could not answer (it was killed meanwhile) is asked again.
   */
  const until = async (cond: (s: PoolStatsReport) => boolean): Promise<PoolStatsReport> => {
    for (let i = 0; i < 100; i++) {
      const s = await stats().catch(() => undefined);
      if (s && cond(s)) return s;
      await new Promise((r) => setTimeout(r, 50));
    }
    return stats();
  };
  const ask = (name: string, type: 'A' | 'AAAA') => query(ward!.address, ward!.port, name, type, { dnssecOk: true, timeoutMs: 5_000 });

  before(async () => {
    lab = await startLab({ dnssec: true, rttMs: 0 });
    assert.ok(lab.trustAnchorFile);
    const dir = join(lab.dir, 'workers');
    mkdirSync(dir, { recursive: true });
    ward = await startWard({
      dir, address: ADDRESS, port: await freePort(ADDRESS), rootHints: lab.rootHints, trustAnchors: [lab.trustAnchorFile],
      server: { workers: 2 }, readyTimeoutMs: 30_000,
      // No priming at start: every upstream query comes from a client question.
      extra: { resolver: { root_hints: lab.rootHints, do_not_query_localhost: false, root_priming: false } },
    });
  });

  after(async () => {
    await ward?.stop();
    await lab?.stop();
  });

  test('a name resolved once is answered by both workers with no second upstream query', async () => {
    const first = [];
    for (const c of RESOLVED) first.push(await ask(c.name, c.type));
    const resolved = await until((s) => s.cache.workers.received >= RESOLVED.length);
    assert.equal(resolved.cache.workers.sent, RESOLVED.length, JSON.stringify(resolved.cache.workers));
    assert.equal(resolved.cache.workers.received, RESOLVED.length, 'each answer reached the other worker');
    const upstream = resolved.upstream.queries;
    assert.ok(upstream > 0);

    for (const [i, c] of RESOLVED.entries()) {
      for (let n = 0; n < REPEATS; n++) {
        const msg = await ask(c.name, c.type);
        assert.deepEqual(answerView(msg), answerView(first[i]), `${c.name} ${c.type}`);
        assert.equal(msg.flags & FLAG.AD, first[i].flags & FLAG.AD, `${c.name} ${c.type}: AD as first validated`);
      }
    }
    const after = await stats();
    assert.equal(after.upstream.queries, upstream, 'no server was asked again, by either worker');
    assert.equal(after.cache.misses, resolved.cache.misses, 'every repeat was a cache hit somewhere');
    for (const w of after.workers) {
      const was = resolved.workers.find((x) => x.id === w.id)!;
      assert.ok(w.queries - was.queries > 0, `worker ${w.id} answered some repeats (${JSON.stringify(after.workers)})`);
    }
    // Each name: the worker that did not resolve it takes it from the other's answers at most once.
    const hits = after.cache.workers.hits;
    assert.ok(hits >= 1 && hits <= RESOLVED.length, `hits from the other worker: ${hits}`);
    assert.equal(after.workers.reduce((n, w) => n + w.worker_share_hits, 0), hits, 'per-worker hits add up to the sum');
    assert.equal(after.cache_size.worker_share_entries, RESOLVED.length - hits, 'a hit leaves the store: it is in the local cache now');
    assert.equal(after.workers.reduce((n, w) => n + w.queries, 0), after.queries.total, 'per-worker counts add up to the total');
  });

  test('a bogus answer is never offered to the other worker', async () => {
    const before = await stats();
    const bogus = await ask('www.bogus.test', 'A');
    assert.equal(answerView(bogus).rcode, 'SERVFAIL');
    await ask('www.glue.test', 'AAAA'); // a control: offered
    const after = await until((s) => s.cache.workers.sent > before.cache.workers.sent);
    assert.equal(after.cache.workers.sent - before.cache.workers.sent, 1, 'only the control');
  });

  test('a worker killed with SIGKILL is restarted while the other answers; the new one serves and shares', async () => {
    const before = await stats();
    const victim = before.workers[0];
    process.kill(victim.pid, 'SIGKILL');
    for (const c of RESOLVED) assert.notEqual(answerView(await ask(c.name, c.type)).rcode, 'SERVFAIL', `${c.name} ${c.type} while a worker is down`);
    const restarted = await until((s) => s.workers.length === 2 && s.workers.some((w) => w.id === victim.id && w.pid !== victim.pid));
    const fresh = restarted.workers.find((w) => w.id === victim.id)!;
    assert.ok(fresh.restarts >= 1, JSON.stringify(restarted.workers));
    // Names resolved from now on reach the new worker as well.
    await ask('dual.glue.test', 'A');
    await ask('dual.glue.test', 'AAAA');
    const shared = await until((s) => s.cache.workers.received - restarted.cache.workers.received >= 2);
    assert.ok(shared.cache.workers.received - restarted.cache.workers.received >= 2, JSON.stringify(shared.cache.workers));
    for (let n = 0; n < REPEATS; n++) {
      for (const type of ['A', 'AAAA'] as const) assert.equal(answerView(await ask('dual.glue.test', type)).answers.length, 1);
    }
    const after = await stats();
    assert.equal(after.upstream.queries, shared.upstream.queries, 'dual.glue.test was resolved once for both workers');
    assert.ok(after.queries.total >= before.queries.total, 'the sum never goes down');
    assert.ok(after.workers.find((w) => w.id === victim.id)!.queries > 0, `the new worker serves: ${JSON.stringify(after.workers)}`);
  });
});
