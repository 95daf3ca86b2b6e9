/**
 * Queries pipelined over one outbound DoT connection reach the lab's NSD and BIND each in a TLS
 * record of its own: NSD 4.6 reads only the first DNS message of a TLS record until more bytes
 * arrive on the socket (the rest waits inside OpenSSL, SSL_pending), so queries that Ward used to
 * write in one record (several sends in one tick, one writev) went unanswered until they timed out.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createExchanger, type NetExchanger } from '../../src/net/index.js';
import { silentLogger } from '../../src/log/index.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { LAB_ADDR } from '../helpers/lab-zones.js';
import { makeQuery, decode } from '../net/net-fixtures.js';

const BURST = 20;
let lab: Lab | undefined;
let exchanger: NetExchanger | undefined;

before(async () => {
  lab = await startLab();
  exchanger = createExchanger({ log: silentLogger() });
});
after(async () => {
  await exchanger?.close();
  await lab?.stop();
});

for (const [server, zone] of [['nsd', '.'], ['bind', 'lab.']] as const) {
  test(`${server}: a burst of ${BURST} queries in one tick over one DoT connection is answered in full`, { timeout: 20_000 }, async () => {
    assert.ok(lab && exchanger);
    if (!lab.dotAddresses.includes(LAB_ADDR[server])) return;
    const before = exchanger.stats().dials;
    const results = await Promise.all(Array.from({ length: BURST }, (_, i) => exchanger?.exchange({
      to: { host: LAB_ADDR[server], port: 853 }, transport: 'tls', query: makeQuery(zone, { id: i, type: 'SOA' }),
      timeoutMs: 2_000, tls: { authenticate: false },
    })));
    const answered = results.filter((r) => r?.kind === 'reply' && decode(r.bytes).answers.length === 1).length;
    assert.equal(answered, BURST, `answered ${answered} of ${BURST}: ${JSON.stringify(results.filter((r) => r?.kind !== 'reply'))}`);
    assert.equal(exchanger.stats().dials - before, 1, 'one connection');
  });
}
