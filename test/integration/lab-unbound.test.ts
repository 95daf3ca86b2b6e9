/**
 * Validates the authoritative lab (test/helpers/lab.ts) against real software: the authorities answer as
 * designed (AA, REFUSED when lame, TC over UDP for the big answer), and Unbound resolving through the
 * private root gets every LAB_CASES answer, and Ward gives the same answers as Unbound on each of them.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startLab, type Lab } from '../helpers/lab.js';
import { answerView, query, rcodeName, recordText } from '../helpers/lab-query.js';
import { startUnbound, type Unbound } from '../helpers/lab-unbound.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { LAB_ADDR, LAB_CASES } from '../helpers/lab-zones.js';
import { FLAG } from '../../src/wire/index.js';

interface ResolverUnderTest { name: string; address: string; port: number }

describe('lab: authorities, Unbound and Ward through the private root', { timeout: 60_000 }, () => {
  let lab: Lab | undefined;
  let unbound: Unbound | undefined;
  let ward: WardProcess | undefined;
  const resolvers: ResolverUnderTest[] = [];

  before(async () => {
    lab = await startLab();
    unbound = await startUnbound({ address: '127.0.3.2', rootHintsFile: lab.rootHintsFile });
    resolvers.push({ name: 'unbound', address: unbound.address, port: unbound.port });
    ward = await startWard({ dir: lab.dir, address: '127.0.2.2', rootHints: lab.rootHints });
    resolvers.push({ name: 'ward', address: ward.address, port: ward.port });
  });

  after(async () => {
    await ward?.stop();
    await unbound?.stop();
    await lab?.stop();
  });

  test('authorities answer authoritatively for their zones', async () => {
    const www = await query(LAB_ADDR.nsd, 53, 'www.glue.test', 'A', { rd: false });
    assert.ok(www.flags & FLAG.AA);
    assert.deepEqual(answerView(www).answers, ['www.glue.test A 192.0.2.10']);
    const referral = await query(LAB_ADDR.knot, 53, 'www.oob.test', 'A', { rd: false });
    assert.equal(referral.flags & FLAG.AA, 0, 'a referral is not authoritative');
    assert.deepEqual(referral.authorities.map(recordText), ['oob.test NS ns1.hosts.lab']);
    assert.equal(referral.additionals.filter((rr) => rr.type === 'A').length, 0, 'out-of-bailiwick NS has no glue');
  });

  test('the lame server refuses and the big answer is truncated over UDP', async () => {
    const lame = await query(LAB_ADDR.bind, 53, 'www.lame.test', 'A', { rd: false });
    assert.equal(rcodeName(lame), 'REFUSED');
    const big = await query(LAB_ADDR.bind, 53, 'big.oob.test', 'TXT', { rd: false, ednsSize: 1232 });
    assert.ok(big.flags & FLAG.TC, 'TC set over UDP');
    const bigTcp = await query(LAB_ADDR.bind, 53, 'big.oob.test', 'TXT', { rd: false, transport: 'tcp' });
    assert.equal(bigTcp.answers.length, 40);
  });

  test('NSD and BIND also answer over DNS over TLS on port 853', async () => {
    assert.ok(lab);
    const dotAddresses: string[] = lab.software.bind === 'bind' ? [LAB_ADDR.nsd, LAB_ADDR.bind] : [LAB_ADDR.nsd];
    assert.deepEqual(lab.dotAddresses, dotAddresses);
    const expected: [string, string, string][] = [
      [LAB_ADDR.nsd, 'www.glue.test', 'www.glue.test A 192.0.2.10'],
      [LAB_ADDR.bind, 'www.lab', 'www.lab A 192.0.2.3'],
    ];
    for (const [address, name, answer] of expected) {
      if (!lab.dotAddresses.includes(address)) continue;
      const msg = await query(address, 853, name, 'A', { rd: false, transport: 'tls' });
      assert.deepEqual(answerView(msg).answers, [answer], `DoT ${address}`);
    }
  });

  for (const c of LAB_CASES) {
    test(`${c.what}: ${c.name} ${c.type}`, async () => {
      assert.ok(resolvers.length > 0);
      for (const r of resolvers) {
        const msg = await query(r.address, r.port, c.name, c.type, { transport: 'tcp', timeoutMs: 15_000 });
        assert.deepEqual(answerView(msg), { rcode: c.rcode, answers: c.answers }, `${r.name}: ${c.name} ${c.type}`);
      }
    });
  }
});
