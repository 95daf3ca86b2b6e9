/**
 * The benchmark's tools on real sockets: the bare Node.js responder answers www.bench.test over UDP, and
 * bench/dnsperf.ts runs dnsperf against it and reads the summary and per-query latencies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { quantile, runDnsperf } from '../../bench/dnsperf.js';
import { BENCH_NAME, startBare } from '../../bench/targets.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { answerView, query } from '../helpers/lab-query.js';

test('dnsperf against the bare responder: counts, rate and latency percentiles', { timeout: 30_000 }, async () => {
  const tmp = makeTempDir('ward-bench-test');
  const bare = await startBare('127.0.3.5', 53);
  try {
    const msg = await query('127.0.3.5', 53, BENCH_NAME, 'A');
    assert.deepEqual(answerView(msg), { rcode: 'NOERROR', answers: ['www.bench.test A 192.0.2.1'] });

    const queryFile = join(tmp.dir, 'q.txt');
    writeFileSync(queryFile, `${BENCH_NAME} A\n`);
    const r = await runDnsperf({
      server: '127.0.3.5', port: 53, mode: 'udp', queryFile, seconds: 1, clients: 1, outstanding: 10, qps: 500, latencies: true,
    });
    assert.ok(r.sent >= 400 && r.sent <= 520, `sent ${r.sent}`);
    assert.equal(r.completed + r.lost, r.sent);
    assert.ok(r.qps > 300 && r.qps < 600, `qps ${r.qps}`);
    assert.equal(r.latenciesMs.length, r.completed);
    const p50 = quantile(r.latenciesMs, 0.5);
    const p99 = quantile(r.latenciesMs, 0.99);
    assert.ok(p50 > 0 && p50 <= p99 && p99 < 1000, `p50 ${p50} p99 ${p99}`);
    assert.deepEqual(r.rcodes, { NOERROR: r.completed });

    // passes: 1 goes through the file once (-n 1), however long the time limit.
    writeFileSync(queryFile, `${BENCH_NAME} A\n${BENCH_NAME} AAAA\n${BENCH_NAME} TXT\n`);
    const once = await runDnsperf({ server: '127.0.3.5', port: 53, mode: 'udp', queryFile, seconds: 10, clients: 1, outstanding: 10, passes: 1 });
    assert.equal(once.sent, 3);
    assert.deepEqual(once.rcodes, { NOERROR: 3 });
  } finally {
    await bare.stop();
    tmp.remove();
  }
});

test('quantile uses the nearest rank', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(quantile(v, 0.5), 50);
  assert.equal(quantile(v, 0.99), 99);
  assert.equal(quantile(v, 1), 100);
  assert.ok(Number.isNaN(quantile([], 0.5)));
});
