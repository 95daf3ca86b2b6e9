/**
 * A burst of malformed datagrams sent at once, as Deckard's iter_badraw does: the UDP socket buffer
 * (limits.udp_socket_buffer_bytes) must hold the burst so the real query behind it is answered.
 * Its own Ward process, so the burst does not disturb robustness.test.ts's memory baseline.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { randomBytes } from 'node:crypto';
import dnsPacket from 'dns-packet';
import { query } from '../helpers/lab-query.js';
import { startWard, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.46';
let ward: WardProcess;

before(async () => { ward = await startWard(ADDR); });
after(async () => { await ward?.stop(); });

const validQuery = (id: number): Buffer => dnsPacket.encode({ id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name: 'www.ward.test', type: 'A' }] });

test('a burst of 3,000 malformed datagrams sent at once does not crowd out the query behind it', async () => {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', r));
  const answered = new Promise<Buffer>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the query after the burst got no answer')), 10_000);
    sock.on('message', (m) => { if (m.readUInt16BE(0) === 0xbeef && m.length > 12) { clearTimeout(timer); resolve(m); } });
  });
  try {
    await burstThenQuery(sock, answered);
  } finally {
    sock.close();
  }
  const again = await query(ADDR, ward.port, 'www.ward.test', 'A', { transport: 'udp' });
  assert.equal((again.answers[0] as { data: string }).data, '192.0.2.80');
});

async function burstThenQuery(sock: ReturnType<typeof createSocket>, answered: Promise<Buffer>): Promise<void> {
  const sends: Promise<void>[] = [];
  for (let i = 0; i < 3_000; i++) {
    const junk = randomBytes(20 + (i % 200));
    junk.writeUInt16BE(i % 0xbeef, 0);
    sends.push(new Promise((r) => sock.send(junk, ward.port, ADDR, () => r())));
  }
  sends.push(new Promise((r) => sock.send(validQuery(0xbeef), ward.port, ADDR, () => r())));
  await Promise.all(sends);
  const reply = dnsPacket.decode(await answered);
  assert.equal((reply.answers?.[0] as { data: string }).data, '192.0.2.80');
}

