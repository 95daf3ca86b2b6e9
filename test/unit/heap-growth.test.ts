/**
 * server.heap_growth_percent (src/heap-growth.ts): the key's bounds, and that the setting really
 * holds V8's old generation closer to what is live. Each setting runs in a child process of its own
 * that keeps about 50,000 objects for good and a ring of 300,000 that each live long enough to be
 * promoted and then die, so old space fills with garbage at a fixed rate; the child reports the
 * largest heap it saw. With 10 % V8 collects long before the heap reaches what 400 % lets it grow to.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../../src/util/index.js';
import { defaultConfig, parseConfig } from '../../src/config/index.js';

const MODULE = fileURLToPath(new URL('../../src/heap-growth.js', import.meta.url));

const CHILD = `
import { getHeapStatistics } from 'node:v8';
const { applyHeapGrowth } = await import(process.argv[1]);
applyHeapGrowth(Number(process.argv[2]));
const kept = [];
for (let i = 0; i < 50_000; i++) kept.push({ i, s: 'kept-' + i });
const ring = new Array(300_000);
let peak = 0;
for (let n = 0; n < 3_000_000; n++) {
  ring[n % ring.length] = { n, s: 'ring-' + n, a: [n] };
  if ((n & 1023) === 0) peak = Math.max(peak, getHeapStatistics().total_heap_size);
}
process.stdout.write(peak + ' ' + kept.length);
`;

function peakHeapWith(percent: number): number {
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', CHILD, MODULE, String(percent)], { encoding: 'utf8', timeout: 60_000 });
  return Number(out.split(" ")[0]);
}

test('server.heap_growth_percent: 50 by default, an integer 0..1000', () => {
  assert.equal(defaultConfig().server.heap_growth_percent, 50);
  assert.equal(parseConfig('server: { heap_growth_percent: 0 }\n', 'test.yaml').server.heap_growth_percent, 0);
  for (const bad of ['-1', '1001', '2.5', 'lots']) {
    assert.throws(() => parseConfig(`server: { heap_growth_percent: ${bad} }\n`, 'test.yaml'), (e: unknown) =>
      e instanceof ConfigError && e.key === 'server.heap_growth_percent' && /^test\.yaml: server\.heap_growth_percent: expected an integer 0\.\.1000/.test(e.message), bad);
  }
});

test('a small growth percent keeps the heap much nearer what is live than a large one', () => {
  const tight = peakHeapWith(10);
  const loose = peakHeapWith(400);
  assert.ok(tight * 1.5 < loose, `peak heap ${(tight / 2 ** 20).toFixed(1)} MiB at 10 %, ${(loose / 2 ** 20).toFixed(1)} MiB at 400 %`);
});
