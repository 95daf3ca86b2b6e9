/**
 * server.workers: 2 as a real process tree on 127.0.2.50: both workers answer from the shared
 * sockets, `ward stats --json` sums them (per-worker counts that add up to the queries sent), a
 * worker killed with SIGKILL loses nothing but itself (the other answers, the primary restarts
 * it, and the sum keeps the dead worker's counters), a reload reaches every worker and a broken
 * one is refused by all, and SIGTERM stops the whole tree with exit code 0. The primary's HTTP listener shows the workers' sum: GET /metrics and
 * the status page's /status.json count every query once, its top names and recent lines merged;
 * DoT queries on the shared TLS listener are answered and counted once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import YAML from 'yaml';
import { controlRequest } from '../../src/control/index.js';
import { query, recordText } from '../helpers/lab-query.js';
import { freePort, series, startWard, wardCli, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.50';

interface PoolStats { queries: { total: number; udp: number; tcp: number; tls: number }; workers: { id: number; pid: number; restarts: number; queries: number }[] }
interface StatusJson { queries: { total: number; by_transport: { udp: number } }; top_names: { key: string; count: number; error: number }[]; recent: { qname?: string; time: string }[] | null; per_minute: { buckets: { total: number }[] } }

async function stats(w: WardProcess): Promise<PoolStats> {
  const r = await wardCli(['stats', '--json', '--config', w.configFile]);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as PoolStats;
}

/** `count` UDP queries for www.ward.test A, each from a new socket (a new source port); the A records answered. */
async function ask(w: WardProcess, count: number, address = ADDR): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < count; i++) {
    const m = await query(address, w.port, 'www.ward.test.', 'A', { timeoutMs: 2_000 });
    seen.push((m.answers ?? []).map(recordText).join(' '));
  }
  return seen;
}

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };

async function until<T>(what: string, probe: () => Promise<T | undefined>, tries = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function setAddress(w: WardProcess, address: string): void {
  const config = YAML.parse(readFileSync(w.configFile, 'utf8'));
  config.local_zones[0].records = config.local_zones[0].records.map((r: string) => r.replace(/^www\.ward\.test\. 300 IN A \S+$/, `www.ward.test. 300 IN A ${address}`));
  writeFileSync(w.configFile, YAML.stringify(config));
}

test('workers: 2 — both serve, stats, metrics and the status page sum, a killed worker is restarted while the other answers, reload reaches all, SIGTERM exits 0', async () => {
  const httpPort = await freePort(ADDR);
  const w = await startWard(ADDR, { workers: 2 }, { http: { listen: { address: ADDR, port: httpPort } }, log: { level: 'info', queries: { enabled: true } } });
  const http = `http://${ADDR}:${httpPort}`;
  let stopped = false;
  try {
    // Many queries, each from its own source port: the kernel hands them to both workers.
    const before = await stats(w);
    assert.equal(before.workers.length, 2);
    const sent = 300;
    const answers = await ask(w, sent);
    assert.deepEqual(new Set(answers), new Set(['www.ward.test A 192.0.2.80']));
    const after = await stats(w);
    assert.equal(after.queries.total - before.queries.total, sent, 'the sum counts every query sent, once');
    assert.equal(after.workers.reduce((n, x) => n + x.queries, 0), after.queries.total, 'per-worker counts add up to the total');
    for (const x of after.workers) {
      const was = before.workers.find((b) => b.id === x.id)!;
      assert.ok(x.queries - was.queries > 0, `worker ${x.id} answered some of the ${sent} queries (${JSON.stringify(after.workers)})`);
    }

    // The primary's HTTP listener: the same sum in the scrape and on the status page.
    assert.equal(series(await (await fetch(`${http}/metrics`)).text(), 'ward_queries_total{transport="udp"}'), after.queries.udp);
    const page = await (await fetch(`${http}/status.json`)).json() as StatusJson;
    assert.equal(page.queries.total, after.queries.total, 'the page counts what `ward stats` counts');
    assert.equal(page.per_minute.buckets.reduce((n, b) => n + b.total, 0), after.queries.total, 'the chart slots add up too');
    const www = page.top_names.find((e) => e.key === 'www.ward.test');
    assert.deepEqual(www && { count: www.count, error: www.error }, { count: sent, error: 0 }, 'one name, counted exactly across both workers');
    assert.equal(page.recent?.length, 100, 'the recent lines of both workers, up to one ring');
    const times = page.recent!.map((l) => l.time);
    assert.deepEqual(times, [...times].sort().reverse(), 'newest first across workers');
    assert.match((await (await fetch(`${http}/`)).text()), /<html/i);
    assert.match(w.output(), /"worker":[12],.*"msg":"DoT certificate"/, 'a worker\'s log lines carry its number');

    // DoT on the shared TLS listener: each connection is accepted by one worker, counted once in the sum.
    for (let i = 0; i < 20; i++) {
      const m = await query(ADDR, w.tlsPort, 'www.ward.test.', 'A', { transport: 'tls', timeoutMs: 3_000 });
      assert.equal((m.answers ?? []).map(recordText).join(' '), 'www.ward.test A 192.0.2.80');
    }
    assert.equal((await stats(w)).queries.tls - after.queries.tls, 20, 'every DoT query counted once');
    const upstream = await wardCli(['upstream', '--json', '--config', w.configFile]);
    assert.equal(upstream.code, 0, upstream.stderr);
    assert.ok(Array.isArray((JSON.parse(upstream.stdout) as { servers: unknown[] }).servers), 'ward upstream answers from the merged reports');

    // SIGKILL one worker: the other keeps answering every query; the primary starts a new one.
    const victim = after.workers[0];
    const survivor = after.workers[1];
    const beforeKill = await stats(w);
    process.kill(victim.pid, 'SIGKILL');
    await until('the killed worker to be gone', async () => (alive(victim.pid) ? undefined : true));
    const during = await ask(w, 20);
    assert.deepEqual(new Set(during), new Set(['www.ward.test A 192.0.2.80']), 'no query lost while one worker is down');
    const restarted = await until('the worker to be restarted', async () => {
      const s = await stats(w);
      const x = s.workers.find((y) => y.id === victim.id);
      return s.workers.length === 2 && x && x.pid !== victim.pid ? s : undefined;
    });
    assert.equal(restarted.workers.find((y) => y.id === victim.id)!.restarts, 1);
    // The dead worker's counters stay in the sum (as last read): the total never goes down.
    assert.ok(restarted.queries.total >= beforeKill.queries.total + during.length,
      `total ${restarted.queries.total} after the restart, ${beforeKill.queries.total} before the kill, ${during.length} sent while down`);
    assert.equal(series(await (await fetch(`${http}/metrics`)).text(), 'ward_queries_total{transport="udp"}'), (await stats(w)).queries.udp,
      'the scrape counts the dead worker too');
    assert.equal(restarted.workers.find((y) => y.id === survivor.id)!.pid, survivor.pid, 'the other worker was not touched');
    assert.ok(alive(survivor.pid));

    // Reload with new local data: every worker answers the new address (each counted some of them).
    setAddress(w, '192.0.2.81');
    const r = await wardCli(['reload', '--config', w.configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /local_zones/);
    const beforeReload = await stats(w);
    assert.deepEqual(new Set(await ask(w, 200)), new Set(['www.ward.test A 192.0.2.81']));
    const afterReload = await stats(w);
    for (const x of afterReload.workers) {
      const was = beforeReload.workers.find((b) => b.id === x.id)!;
      assert.ok(x.queries > was.queries, `worker ${x.id} answered after the reload (${JSON.stringify(afterReload.workers)})`);
    }

    // Broken files: refused with the start-up message (a schema error in the primary, a bad record in the workers); all keep serving.
    const config = readFileSync(w.configFile, 'utf8');
    writeFileSync(w.configFile, config.replace('workers: 2', 'workers: many'));
    const badKey = await wardCli(['reload', '--config', w.configFile]);
    assert.notEqual(badKey.code, 0);
    assert.match(badKey.stderr, /server\.workers: expected an integer 1\.\.256 or auto, got string "many"/);
    writeFileSync(w.configFile, config);
    setAddress(w, '192.0.2.999');
    const badRecord = await wardCli(['reload', '--config', w.configFile]);
    assert.notEqual(badRecord.code, 0);
    assert.match(badRecord.stderr, /local_zones\[0\]\.records\[\d+\]: expected a record in zone-file syntax/);
    const beforeBad = await stats(w);
    assert.deepEqual(new Set(await ask(w, 200)), new Set(['www.ward.test A 192.0.2.81']));
    const afterBad = await stats(w);
    assert.deepEqual(afterBad.workers.map((x) => x.pid), beforeBad.workers.map((x) => x.pid));
    for (const x of afterBad.workers) assert.ok(x.queries > beforeBad.workers.find((b) => b.id === x.id)!.queries, `worker ${x.id} still serves`);

    // SIGTERM: every worker stops, the primary exits 0.
    const pids = afterBad.workers.map((x) => x.pid);
    stopped = true;
    assert.equal(await w.stop(), 0, w.output());
    assert.deepEqual(pids.filter(alive), [], 'no worker left behind');
  } finally {
    if (!stopped) await w.stop();
  }
});

test('control requests racing a worker\'s death: the primary answers or names the worker, and never goes down with it', async () => {
  const w = await startWard('127.0.2.94', { workers: 2 });
  try {
    const socket = join(w.configFile, '..', 'ward-state', 'control.sock');
    const [victim, other] = (await stats(w)).workers;
    // Requests in flight from before the kill until after the primary has seen the exit: some are sent
    // on a channel that has just closed (the window between the worker's death and its exit event).
    let answered = 0;
    let refused = 0;
    const deadline = Date.now() + 2_500;
    const spam = async (): Promise<void> => {
      while (Date.now() < deadline) {
        try {
          await controlRequest({ socket }, { command: 'stats' });
          answered++;
        } catch (err) {
          assert.match(String(err), /worker \d+ (is not reachable|exited before answering)|no worker is serving/, 'a request a dying worker cannot answer names it');
          refused++;
        }
      }
    };
    const load = Array.from({ length: 16 }, spam);
    await new Promise((res) => setTimeout(res, 200));
    process.kill(victim.pid, 'SIGKILL');
    // Then the other one, while the first is being restarted: a second window.
    await new Promise((res) => setTimeout(res, 300));
    process.kill(other.pid, 'SIGKILL');
    await Promise.all(load);
    assert.ok(alive(w.child.pid!), `the primary is still running (${answered} answered, ${refused} refused)`);
    const restarted = await until('the worker to be restarted', async () => {
      const s = await stats(w);
      return s.workers.length === 2 && s.workers.every((y) => y.pid !== victim.pid && y.pid !== other.pid) ? s : undefined;
    });
    assert.equal(restarted.workers.length, 2);
    assert.deepEqual(new Set(await ask(w, 4, '127.0.2.94')), new Set(['www.ward.test A 192.0.2.80']));
  } finally {
    assert.equal(await w.stop(), 0);
  }
});
