/**
 * cache.max_bytes bounds real memory: the LRU's size estimate (src/cache/keys.ts) must stay close to
 * what the entries take in V8's heap (heapUsed after a full GC), or a configured 64 MiB cache could
 * hold twice that. Memory, not time: deterministic on a shared machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { DnsCache, RANK } from '../../src/cache/index.js';
import type { Record } from '../../src/wire/index.js';
import { ManualClock } from '../../src/util/index.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const clock = new ManualClock(1_700_000_000_000);
const A = (name: string, i: number): Record => ({ name, type: 'A', class: 'IN', ttl: 3600, data: `198.18.${(i >> 8) & 255}.${i & 255}` }) as Record;

/** Heap bytes, and with `external` the Buffers' backing stores too. */
function used(external: boolean): number {
  const m = process.memoryUsage();
  return m.heapUsed + (external ? m.arrayBuffers : 0);
}

function heapPerEstimate(count: number, make: (i: number) => [Record[], Record[]], external = false): number {
  gc();
  const before = used(external);
  const cache = new DnsCache({ max_bytes: 2 ** 40, min_ttl: 0, max_ttl: 86_400, serve_stale: false, stale_reply_ttl: 30, stale_client_timeout_ms: 1800, stale_max_ttl: 86_400, stale_ttl_reset: false, serve_original_ttl: false, prefetch: false }, clock);
  for (let i = 0; i < count; i++) {
    const [records, sigs] = make(i);
    cache.storeRRset(records, RANK.AUTH_ANSWER, sigs);
  }
  gc();
  const real = used(external) - before;
  assert.equal(cache.entries, count);
  return real / cache.bytes;
}

const shapes: [string, (i: number) => [Record[], Record[]]][] = [
  ['one A record', (i) => [[A(`h${i}.z.example`, i)], []]],
  ['four A records, long name', (i) => [[0, 1, 2, 3].map((k) => A(`host-number-${i}.a-longer-zone-name.example`, i + k)), []]],
  ['two NS records', (i) => [[1, 2].map((k) => ({ name: `zone${i}.example`, type: 'NS', class: 'IN', ttl: 3600, data: `ns${k}.zone${i}.example` }) as Record), []]],
  ['TXT of 100 octets', (i) => [[{ name: `t${i}.example`, type: 'TXT', class: 'IN', ttl: 3600, data: [Buffer.alloc(100, 97)] } as Record], []]],
  ['A with an RRSIG', (i) => [[A(`s${i}.example`, i)], [{
    name: `s${i}.example`, type: 'RRSIG', class: 'IN', ttl: 3600,
    data: { typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 3600, expiration: 2, inception: 1, keyTag: 1, signersName: 'example', signature: Buffer.alloc(64, 1) },
  } as Record]]],
];

/**
 * An A record with its RRSIG as the resolver has them from a reply: arrays grown by push (room for 16
 * more each) and the signature a view into the 512-octet datagram it came in. The entry must cost
 * what the estimate says in the heap and outside it: the arrays trimmed, the datagram not kept.
 */
const decoded = (i: number): [Record[], Record[]] => {
  const datagram = Buffer.alloc(512, 1);
  const records: Record[] = [];
  records.push(A(`d${i}.example`, i));
  const sigs: Record[] = [];
  sigs.push({
    name: `d${i}.example`, type: 'RRSIG', class: 'IN', ttl: 3600,
    data: { typeCovered: 'A', algorithm: 13, labels: 2, originalTTL: 3600, expiration: 2, inception: 1, keyTag: 1, signersName: 'example', signature: datagram.subarray(400, 464) },
  } as Record);
  return [records, sigs];
};

test("the cache's size estimate is within 20% of the memory a decoded signed record takes, heap and Buffers' backing stores", () => {
  const ratio = heapPerEstimate(20_000, decoded, true);
  assert.ok(ratio > 0.8 && ratio < 1.2, `memory / estimate = ${ratio.toFixed(2)}`);
});

for (const [label, make] of shapes) {
  test(`the cache's size estimate is within 20% of the heap it takes: ${label}`, () => {
    const ratio = heapPerEstimate(20_000, make);
    assert.ok(ratio > 0.8 && ratio < 1.2, `heap / estimate = ${ratio.toFixed(2)}`);
  });
}
