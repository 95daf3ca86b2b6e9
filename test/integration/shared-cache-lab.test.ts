/**
 * Two machines sharing one cache tier (cache.shared, README "Shared cache tier on Redis"): two Ward
 * processes on 127.0.2.60 and 127.0.2.61 with one real redis-server, resolving through the signed lab
 * with its counting relays (LabOptions.rttMs). Names the first resolved (secure, insecure, a secure
 * NXDOMAIN) are answered by the second with the same answer and AD, and no query reaches any lab
 * server; answers made by policy (a block list) and local data never reach Redis; `flush` on one
 * removes the name from Redis too, so it is resolved through the lab again instead of coming back.
 * Behind a real dnsdist (the README's deployment, round robin over the two): a name asked twice in a
 * row goes to one Ward and then the other, and the second answers it from Redis, asking no server.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest, type StatsReport } from '../../src/control/index.js';
import { sharedKey } from '../../src/cache/index.js';
import { FLAG } from '../../src/wire/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { answerView, query } from '../helpers/lab-query.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startDnsdist } from '../helpers/dnsdist.js';
import { freePort } from '../helpers/free-port.js';

const RESOLVED: { name: string; type: 'A' | 'AAAA'; ad: boolean }[] = [
  { name: 'www.glue.test', type: 'A', ad: true },
  { name: 'www.insecure.test', type: 'A', ad: false },
  { name: 'nx.glue.test', type: 'A', ad: true },
];
const BLOCKED = 'ads.glue.test';
const LOCAL = 'printer.home.lan';

describe('two Wards on one Redis behind the lab', { timeout: 120_000 }, () => {
  let lab: Lab | undefined;
  let redis: RedisServer | undefined;
  const wards: WardProcess[] = [];

  const start = async (name: string, address: string): Promise<WardProcess> => {
    const dir = join(lab!.dir, name);
    mkdirSync(dir, { recursive: true });
    const list = join(dir, 'blocked.txt');
    writeFileSync(list, `${BLOCKED}\n`);
    return startWard({
      dir, address, rootHints: lab!.rootHints, trustAnchors: [lab!.trustAnchorFile!],
      localZones: [{ name: 'home.lan', type: 'static', records: [`${LOCAL}. 300 IN A 192.168.1.9`] }],
      extra: {
        // No priming at start: every query a lab server sees comes from a client question.
        resolver: { root_hints: lab!.rootHints, do_not_query_localhost: false, root_priming: false },
        cache: { shared: { redis: { url: redis!.url }, timeout_ms: 500 } },
        policy: { lists: [{ name: 'ads', path: list, format: 'domains' }] },
      },
    });
  };
  const stats = async (w: WardProcess): Promise<StatsReport> =>
    await controlRequest({ socket: join(w.configFile, '..', 'ward-state', 'control.sock') }, { command: 'stats' }) as StatsReport;
  /** Queries (and DoT connections) all lab servers have seen. */
  const labQueries = (): number => Object.values(lab!.traffic()).reduce((n, t) => n + t.udpQueries + t.tcpQueries + t.dotConnections, 0);

  before(async () => {
    redis = await startRedis();
    lab = await startLab({ dnssec: true, rttMs: 0 });
    assert.ok(lab.trustAnchorFile);
    wards.push(await start('a', '127.0.2.60'), await start('b', '127.0.2.61'));
  });

  after(async () => {
    for (const w of wards) await w.stop();
    await lab?.stop();
    await redis?.stop();
  });

  test('what the first resolved the second answers from Redis, with no query at the lab', async () => {
    const [a, b] = wards;
    const first = [];
    for (const c of RESOLVED) first.push(await query(a.address, a.port, c.name, c.type, { dnssecOk: true, timeoutMs: 5_000 }));
    assert.ok(labQueries() > 0, 'the first Ward resolved through the lab');
    for (let i = 0; i < 100 && (await stats(a)).cache.shared.writes < RESOLVED.length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal((await stats(a)).cache.shared.writes, RESOLVED.length, JSON.stringify((await stats(a)).cache.shared));

    const seen = labQueries();
    for (const [i, c] of RESOLVED.entries()) {
      const msg = await query(b.address, b.port, c.name, c.type, { dnssecOk: true, timeoutMs: 5_000 });
      assert.deepEqual(answerView(msg), answerView(first[i]), c.name);
      assert.equal((msg.flags & FLAG.AD) !== 0, c.ad, `${c.name}: AD as validated by the first`);
    }
    assert.equal(labQueries(), seen, 'the second Ward asked no lab server');
    const s = await stats(b);
    assert.equal(s.cache.shared.hits, RESOLVED.length, JSON.stringify(s.cache.shared));
    assert.equal(s.cache.misses, 0);
  });

  test('blocked and local answers are not written to Redis', async () => {
    const [a] = wards;
    assert.equal(answerView(await query(a.address, a.port, BLOCKED, 'A', { timeoutMs: 5_000 })).rcode, 'NXDOMAIN');
    assert.equal(answerView(await query(a.address, a.port, LOCAL, 'A', { timeoutMs: 5_000 })).answers.length, 1);
    await query(a.address, a.port, 'www.lab', 'A', { timeoutMs: 5_000 });
    const expected = [...RESOLVED.map((c) => c.name), 'www.lab'].map((name) => sharedKey('ward:v1:', { name, type: 'A', class: 'IN' })).sort();
    let keys: string[] = [];
    for (let i = 0; i < 100; i++) {
      keys = (await redis!.client.keys('ward:v1:*')).sort();
      if (keys.length >= expected.length) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.deepEqual(keys, expected, 'only resolved answers (www.lab as a control), never the blocked or the local name');
  });

  test('flush on one Ward removes the name from Redis too: asked again, it is resolved through the lab', async () => {
    const [a] = wards;
    const name = RESOLVED[0].name;
    const key = sharedKey('ward:v1:', { name, type: 'A', class: 'IN' });
    assert.equal(await redis!.client.exists(key), 1, 'in Redis after the first test');
    const socket = join(a.configFile, '..', 'ward-state', 'control.sock');
    const removed = await controlRequest({ socket }, { command: 'flush', args: { name, type: 'A' } }) as { removed: number; shared_removed: number };
    assert.deepEqual({ shared: removed.shared_removed, local: removed.removed > 0 }, { shared: 1, local: true });
    assert.equal(await redis!.client.exists(key), 0);
    // Counted at Ward: the lab counts DoT connections, not the queries on one already open.
    const before = await stats(a);
    const again = await query(a.address, a.port, name, 'A', { dnssecOk: true, timeoutMs: 5_000 });
    const after = await stats(a);
    assert.equal(answerView(again).rcode, 'NOERROR');
    assert.ok(after.upstream.queries > before.upstream.queries, 'resolved afresh, not brought back from Redis');
    assert.equal(after.cache.shared.hits, before.cache.shared.hits);
  });

  test('behind dnsdist (round robin): the second of two queries for a name goes to the other Ward, which answers it from Redis', async () => {
    const names: [string, 'A' | 'AAAA'][] = [['dual.glue.test', 'A'], ['dual.glue.test', 'AAAA'], ['x.wild.glue.test', 'A'], ['chain.glue.test', 'A']];
    const address = '127.0.3.62';
    const dir = join(lab!.dir, 'dnsdist');
    mkdirSync(dir, { recursive: true });
    const lb = await startDnsdist({ dir, address, port: await freePort(address), backends: wards.map((w) => ({ address: w.address, port: w.port })) });
    try {
      const sum = async (): Promise<{ hits: number; writes: number; upstream: number }> => {
        const all = await Promise.all(wards.map(stats));
        return {
          hits: all.reduce((n, s) => n + s.cache.shared.hits, 0), writes: all.reduce((n, s) => n + s.cache.shared.writes, 0),
          upstream: all.reduce((n, s) => n + s.upstream.queries, 0),
        };
      };
      for (const [name, type] of names) {
        const start = await sum();
        const first = await query(lb.address, lb.port, name, type, { dnssecOk: true, timeoutMs: 5_000 });
        assert.equal(answerView(first).rcode, 'NOERROR', name);
        for (let i = 0; i < 100 && (await sum()).writes === start.writes; i++) await new Promise((r) => setTimeout(r, 20));
        const resolved = await sum();
        assert.ok(resolved.upstream > start.upstream, `${name} ${type}: the first query was resolved`);
        const second = await query(lb.address, lb.port, name, type, { dnssecOk: true, timeoutMs: 5_000 });
        assert.deepEqual(answerView(second).answers, answerView(first).answers, `${name} ${type}`);
        const end = await sum();
        assert.equal(end.hits - resolved.hits, 1, `${name} ${type}: the other Ward answered from Redis`);
        assert.equal(end.upstream, resolved.upstream, `${name} ${type}: no server asked the second time`);
      }
    } finally {
      await lb.stop();
    }
  });
});
