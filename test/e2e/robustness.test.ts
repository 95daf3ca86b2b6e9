/**
 * Bad input against the real `ward` process (cf. Knot's test_conn_mgmt): random and truncated
 * datagrams, a TCP length prefix that lies, a frame over the limit, TLS garbage before and after
 * the handshake, connections beyond the limit, a client that never reads. After each, a normal query
 * still works and the process's memory stays bounded.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { query } from '../helpers/lab-query.js';
import { frame } from '../../src/wire/index.js';
import { startWard, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.44';
const MAX_CONNECTIONS = 20;
let ward: WardProcess;
let baselineRssKb = 0;

before(async () => {
  ward = await startWard(ADDR, {
    limits: {
      max_connections: MAX_CONNECTIONS, max_frame_bytes: 1024, tcp_idle_timeout_ms: 1_000,
      max_write_queue_bytes: 65_536, tls_handshake_timeout_ms: 1_000,
    },
  });
  baselineRssKb = ward.rssKb();
});
after(async () => { await ward?.stop(); });

/** A normal query over UDP and TCP still gets the right answer, and RSS stays within 64 MB of the start. */
async function stillHealthy(): Promise<void> {
  for (const transport of ['udp', 'tcp'] as const) {
    const m = await query(ADDR, ward.port, 'www.ward.test', 'A', { transport });
    assert.equal((m.answers[0] as { data: string }).data, '192.0.2.80', `${transport} answer`);
  }
  const grownKb = ward.rssKb() - baselineRssKb;
  assert.ok(grownKb < 64 * 1024, `RSS grew by ${grownKb} kB`);
}

const validQuery = (id = 1): Buffer => dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'www.ward.test', type: 'A' }] });

function tcp(port = ward.port): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: ADDR, port }, () => resolve(s));
    s.once('error', reject);
  });
}

/** Resolves with the milliseconds until `s` closes, or rejects after `ms`. */
function closedWithin(s: Socket, ms: number): Promise<number> {
  const t0 = Date.now();
  s.on('error', () => undefined);
  // Read (and drop) whatever comes, so a FIN from the server is seen: a paused socket never ends.
  s.resume();
  if (s.destroyed) return Promise.resolve(0);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`connection still open after ${ms} ms`)), ms);
    s.once('close', () => { clearTimeout(timer); resolve(Date.now() - t0); });
  });
}

test('random bytes and truncated messages over UDP', async () => {
  const sock = createSocket('udp4');
  const q = validQuery();
  for (let i = 0; i < 3_000; i++) {
    const junk = i % 2 === 0 ? randomBytes(i % 600) : q.subarray(0, i % q.length);
    sock.send(junk, ward.port, ADDR);
    if (i % 200 === 0) await new Promise((r) => setImmediate(r));
  }
  await new Promise((r) => setTimeout(r, 200));
  sock.close();
  await stillHealthy();
});

test('a TCP length prefix that lies: too short is closed, too long times out idle', async () => {
  const short = await tcp();
  short.write(Buffer.from([0, 5, 1, 2, 3, 4, 5]));
  await closedWithin(short, 1_000);
  const long = await tcp();
  const body = validQuery();
  const lie = Buffer.alloc(2);
  lie.writeUInt16BE(body.length + 200);
  long.write(Buffer.concat([lie, body]));
  await closedWithin(long, 3_000);
  await stillHealthy();
});

test('a frame over max_frame_bytes closes the connection', async () => {
  const s = await tcp();
  const head = Buffer.alloc(2);
  head.writeUInt16BE(2_000);
  s.write(Buffer.concat([head, randomBytes(100)]));
  assert.ok(await closedWithin(s, 1_000) < 1_000);
  await stillHealthy();
});

test('TLS garbage before and after the handshake', async () => {
  const before = await tcp(ward.tlsPort);
  before.write(randomBytes(2_000));
  await closedWithin(before, 2_000);
  const after = tlsConnect({ host: ADDR, port: ward.tlsPort, rejectUnauthorized: false });
  await new Promise<void>((resolve, reject) => { after.once('secureConnect', resolve); after.once('error', reject); });
  after.write(Buffer.from([0, 3, 0xde, 0xad, 0xbe]));
  await closedWithin(after, 2_000);
  const stalled = await tcp(ward.tlsPort); // never starts the handshake
  await closedWithin(stalled, 3_000);
  await stillHealthy();
});

test('connections beyond max_connections are refused; the server stays usable', async () => {
  const socks: Socket[] = [];
  try {
    for (let i = 0; i < MAX_CONNECTIONS + 5; i++) socks.push(await tcp());
    await new Promise((r) => setTimeout(r, 200));
    const open = socks.filter((s) => !s.destroyed && s.readyState === 'open').length;
    assert.ok(open <= MAX_CONNECTIONS, `${open} connections open`);
    const m = await query(ADDR, ward.port, 'www.ward.test', 'A', { transport: 'udp' });
    assert.equal(m.answers.length, 1);
  } finally {
    socks.forEach((s) => s.destroy());
  }
  await new Promise((r) => setTimeout(r, 100));
  await stillHealthy();
});

test('a client that never reads cannot grow the server without bound', async () => {
  const s = await tcp();
  s.pause();
  const burst = Buffer.concat(Array.from({ length: 500 }, (_, i) => frame(validQuery(i))));
  for (let i = 0; i < 20 && !s.destroyed; i++) {
    s.write(burst);
    await new Promise((r) => setTimeout(r, 20));
  }
  await stillHealthy();
  s.destroy();
});

test('SIGTERM: graceful stop with exit code 0', async () => {
  const code = await ward.stop();
  assert.equal(code, 0, ward.output());
});
