/**
 * The lab with added round-trip time (LabOptions.rttMs): authorities on ports 53 and 853 answer through
 * delaying relays (UDP, TCP, DoT) that count queries, and a resolver (Unbound) still resolves through the
 * slower tree.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startLab } from '../helpers/lab.js';
import { answerView, query } from '../helpers/lab-query.js';
import { startUnbound } from '../helpers/lab-unbound.js';
import { LAB_ADDR, LAB_CASES } from '../helpers/lab-zones.js';

const RTT = 40;

test('authorities answer through delaying relays', { timeout: 60_000 }, async () => {
  const lab = await startLab({ rttMs: RTT });
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      const start = performance.now();
      const msg = await query(LAB_ADDR.bind, 53, 'www.lab', 'A', { rd: false, transport });
      const ms = performance.now() - start;
      assert.deepEqual(answerView(msg).answers, ['www.lab A 192.0.2.3']);
      assert.ok(ms >= RTT - 2, `${transport} answer after ${ms} ms`);
    }
    const dot = await query(LAB_ADDR.nsd, 853, 'www.glue.test', 'A', { rd: false, transport: 'tls' });
    assert.deepEqual(answerView(dot).answers, ['www.glue.test A 192.0.2.10']);
    const seen = lab.traffic();
    assert.deepEqual(seen[LAB_ADDR.bind], { udpQueries: 1, tcpConnections: 1, tcpQueries: 1, dotConnections: 0 });
    assert.deepEqual(seen[LAB_ADDR.nsd], { udpQueries: 0, tcpConnections: 0, tcpQueries: 0, dotConnections: 1 });
    const unbound = await startUnbound({ address: '127.0.3.4', rootHintsFile: lab.rootHintsFile });
    try {
      const chain = LAB_CASES.find((c) => c.what.startsWith('CNAME chain'));
      assert.ok(chain);
      const start = performance.now();
      const msg = await query(unbound.address, unbound.port, chain.name, chain.type, { transport: 'tcp', timeoutMs: 15_000 });
      assert.deepEqual(answerView(msg), { rcode: chain.rcode, answers: chain.answers });
      assert.ok(performance.now() - start >= 3 * RTT, 'a cold chain costs several round trips');
    } finally {
      await unbound.stop();
    }
  } finally {
    await lab.stop();
  }
});
