/**
 * The shared cache tier's cost per lookup (cache.shared), against a real redis-server on loopback:
 * 1,000 answers written, then rounds of 2,000 lookups that hit and 2,000 that miss, one at a time
 * and 50 at once; prints the latency quantiles of a lookup (decode and TTL countdown included) and
 * lookups per second. Bounded in count; run with `npm run build && node dist/bench/shared-cache.js`.
 */
import { connectRedis, SharedTier } from '../src/cache/index.js';
import { silentLogger } from '../src/log/index.js';
import { systemClock } from '../src/util/index.js';
import { rrs } from '../test/unit/dnssec-fixtures.js';
import { startRedis } from '../test/helpers/redis-server.js';

const ENTRIES = 1_000;
const LOOKUPS = 2_000;

const quantile = (xs: number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))];

async function main(): Promise<void> {
  const redis = await startRedis();
  const config = { redis: { url: redis.url }, timeout_ms: 1_000, prefix: 'ward:bench:', breaker: { failures: 5, backoff_ms: 5_000 } };
  const tier = new SharedTier(await connectRedis(redis.url, silentLogger()), config, systemClock, silentLogger());
  try {
    const q = (i: number, hit: boolean) => ({ name: `${hit ? 'host' : 'none'}${i % ENTRIES}.bench.test`, type: 'A', class: 'IN' });
    for (let i = 0; i < ENTRIES; i++) {
      tier.write(q(i, true), { rcode: 0, answer: rrs(`host${i}.bench.test. 3600 IN A 192.0.2.${i % 250}`), authority: [], additional: [], security: 'secure' });
    }
    for (let i = 0; i < 100 && tier.stats().writes < ENTRIES; i++) await new Promise((r) => setTimeout(r, 20));
    for (const hit of [true, false]) {
      for (const parallel of [1, 50]) {
        const times: number[] = [];
        const started = performance.now();
        for (let i = 0; i < LOOKUPS; i += parallel) {
          await Promise.all(Array.from({ length: parallel }, async (_, j) => {
            const t0 = performance.now();
            await tier.lookup(q(i + j, hit));
            times.push(performance.now() - t0);
          }));
        }
        const secs = (performance.now() - started) / 1000;
        process.stdout.write(`${hit ? 'hit ' : 'miss'} x${parallel}: p50 ${quantile(times, 0.5).toFixed(3)} ms, p99 ${quantile(times, 0.99).toFixed(3)} ms, ${Math.round(LOOKUPS / secs)} lookups/s\n`);
      }
    }
    process.stdout.write(`${JSON.stringify(tier.stats())}\n`);
  } finally {
    await tier.close();
    await redis.stop();
  }
}

main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
