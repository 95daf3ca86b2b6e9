/**
 * What sharing an answer between workers costs (server.share_cache_between_workers), per answer of
 * the signed benchmark's shape (an A record and its ECDSA RRSIG): encoding it in the resolving
 * worker (cache/shared-entry.ts), one structured-clone round trip of a batch of 256 (what the IPC
 * channel's 'advanced' serialization does in the sender and the receiver, the pipe itself not
 * counted), and in the worker that is asked for it, decoding it and keeping it in the RRset cache
 * (resolver/keep-shared.ts); then the CPU of one IPC message on a real channel ('advanced'
 * serialization, a child forked here sending 20,000 messages of one answer each): what each message
 * costs its sender and its reader, the price a batch spreads over its answers. Run with
 * `npm run build && node dist/bench/worker-share-cost.js`.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { deserialize, serialize } from 'node:v8';
import { decodeShared, DnsCache, encodeShared, type SharedAnswer, type SharedQuestion } from '../src/cache/index.js';
import { defaultConfig } from '../src/config/index.js';
import { keepInCache } from '../src/resolver/keep-shared.js';
import { systemClock } from '../src/util/index.js';
import { rrs } from '../test/unit/dnssec-fixtures.js';

const ANSWERS = 20_000;
const BATCH = 256;

/** Microseconds per item of `count` spent in `body`. */
function perItem(count: number, body: () => void): number {
  const t0 = process.hrtime.bigint();
  body();
  return Number(process.hrtime.bigint() - t0) / 1000 / count;
}

/** The child's side: 20,000 one-answer messages, 100 a turn; then its CPU per message. */
function sendMessages(): void {
  const value = Buffer.alloc(185, 1);
  const started = process.cpuUsage();
  let sent = 0;
  const step = (): void => {
    for (let k = 0; k < 100 && sent < ANSWERS; k++, sent++) process.send!({ ward: 'share', keys: ['n.big.scale|A|IN'], values: [value] });
    if (sent < ANSWERS) { setImmediate(step); return; }
    const used = process.cpuUsage(started);
    process.send!({ done: (used.user + used.system) / ANSWERS });
  };
  step();
}

/** CPU µs per IPC message for the sender and the reader. */
function ipcCost(): Promise<{ send: number; read: number }> {
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), ['child'], { serialization: 'advanced' });
    const started = process.cpuUsage();
    let read = 0;
    const timer = setTimeout(() => { child.kill(); reject(new Error('the child did not finish in 60 s')); }, 60_000);
    child.on('message', (m: { done?: number }) => {
      if (m.done === undefined) { read++; return; }
      const used = process.cpuUsage(started);
      clearTimeout(timer);
      child.kill();
      resolve({ send: m.done, read: (used.user + used.system) / read });
    });
  });
}

async function main(): Promise<void> {
  const signature = Buffer.alloc(64, 7).toString('base64');
  const question = (i: number): SharedQuestion => ({ name: `n${i}.big.scale`, type: 'A', class: 'IN' });
  const answers: SharedAnswer[] = Array.from({ length: ANSWERS }, (_, i) => ({
    rcode: 0, authority: [], additional: [], security: 'secure',
    answer: rrs(`n${i}.big.scale. 3600 IN A 192.0.2.1\nn${i}.big.scale. 3600 IN RRSIG A 13 3 3600 20270101000000 20260101000000 12345 big.scale. ${signature}`),
  }));
  const now = Date.now();
  let encoded: Buffer[] = [];
  const encode = perItem(ANSWERS, () => { encoded = answers.map((a, i) => encodeShared(question(i), a, now)!); });
  const clone = perItem(ANSWERS, () => {
    for (let i = 0; i < ANSWERS; i += BATCH) {
      const values = encoded.slice(i, i + BATCH);
      deserialize(serialize({ ward: 'share', keys: values.map((_, j) => `n${i + j}.big.scale|A|IN`), values }));
    }
  });
  const cache = new DnsCache(defaultConfig().cache, systemClock);
  const keep = perItem(ANSWERS, () => {
    for (let i = 0; i < ANSWERS; i++) {
      const a = decodeShared(question(i), encoded[i], now);
      if (typeof a !== 'string') keepInCache(cache, question(i).name, 'A', a);
    }
  });
  const ipc = await ipcCost();
  process.stdout.write([
    `${ANSWERS} answers of ${encoded[0].length} octets each (A + ECDSA RRSIG), Node.js ${process.version}`,
    `encode (resolving worker): ${encode.toFixed(1)} µs per answer`,
    `structured clone out and back, batches of ${BATCH}: ${clone.toFixed(1)} µs per answer`,
    `decode and keep in the RRset cache (a hit in the other worker): ${keep.toFixed(1)} µs per answer`,
    `one IPC message of one answer: ${ipc.send.toFixed(1)} µs CPU to send, ${ipc.read.toFixed(1)} µs to read`,
    '',
  ].join('\n'));
}

if (process.argv[2] === 'child') sendMessages(); else main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exitCode = 1; });
