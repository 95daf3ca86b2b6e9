/**
 * The signed lab (LabOptions.dnssec): the authorities serve signatures (RFC 4035 §3.1), and a validating
 * Unbound with the lab's root trust anchor marks secure answers AD (NSEC and NSEC3 zones, RFC 4035 §5,
 * RFC 5155), leaves the unsigned zone insecure, and answers SERVFAIL for the zone with a wrong DS.
 * Ward, given the same trust anchor file, must give the same answers, with EDE 9 (RFC 8914) on the
 * SERVFAIL, and AD only to a client that asked with DO or AD (RFC 6840 §5.8).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { startLab, type Lab } from '../helpers/lab.js';
import { answerView, query } from '../helpers/lab-query.js';
import { startUnbound, type Unbound } from '../helpers/lab-unbound.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { LAB_ADDR } from '../helpers/lab-zones.js';
import { edeCodes } from '../helpers/hostile-world.js';
import { FLAG, rdataOf, type RRType } from '../../src/wire/index.js';

interface SecureCase { name: string; type: 'A' | 'AAAA'; rcode: string; ad: boolean; answers: string[] }

const CASES: SecureCase[] = [
  { name: 'www.glue.test', type: 'A', rcode: 'NOERROR', ad: true, answers: ['www.glue.test A 192.0.2.10'] },
  { name: 'nx.glue.test', type: 'A', rcode: 'NXDOMAIN', ad: true, answers: [] },
  { name: 'www.glue.test', type: 'AAAA', rcode: 'NOERROR', ad: true, answers: [] },
  { name: 'anything.wild.glue.test', type: 'A', rcode: 'NOERROR', ad: true, answers: ['anything.wild.glue.test A 192.0.2.11'] },
  { name: 'www.oob.test', type: 'A', rcode: 'NOERROR', ad: true, answers: ['www.oob.test A 192.0.2.20'] },
  { name: 'nx.oob.test', type: 'A', rcode: 'NXDOMAIN', ad: true, answers: [] },
  { name: 'www.insecure.test', type: 'A', rcode: 'NOERROR', ad: false, answers: ['www.insecure.test A 192.0.2.70'] },
  { name: 'www.bogus.test', type: 'A', rcode: 'SERVFAIL', ad: false, answers: [] },
  // A CNAME from a signed zone into an unsigned one: answered, insecure (RFC 4035 §5.2).
  {
    name: 'tounsigned.glue.test', type: 'A', rcode: 'NOERROR', ad: false,
    answers: ['tounsigned.glue.test CNAME www.insecure.test', 'www.insecure.test A 192.0.2.70'],
  },
  // Another name under NSEC3: from the cached NSEC3s (RFC 8198) or asked, still proven.
  { name: 'nx2.oob.test', type: 'A', rcode: 'NXDOMAIN', ad: true, answers: [] },
];

describe('signed lab: a validating Unbound', { timeout: 60_000 }, () => {
  let lab: Lab | undefined;
  let unbound: Unbound | undefined;
  let ward: WardProcess | undefined;

  before(async () => {
    lab = await startLab({ dnssec: true });
    assert.ok(lab.trustAnchorFile);
    unbound = await startUnbound({ address: '127.0.3.6', rootHintsFile: lab.rootHintsFile, trustAnchorFile: lab.trustAnchorFile });
    ward = await startWard({ dir: lab.dir, address: '127.0.2.7', rootHints: lab.rootHints, trustAnchors: [lab.trustAnchorFile] });
  });

  after(async () => {
    await ward?.stop();
    await unbound?.stop();
    await lab?.stop();
  });

  test('the trust anchor is the root DS and the authorities sign', async () => {
    assert.match(readFileSync(lab!.trustAnchorFile!, 'utf8'), /^\.\s+IN\s+DS\s+\d+ 13 2 [0-9A-F ]+$/m);
    const msg = await query(LAB_ADDR.nsd, 53, 'www.glue.test', 'A', { rd: false, dnssecOk: true });
    assert.deepEqual(msg.answers.map((rr) => rr.type).sort(), ['A', 'RRSIG']);
    const nsec3 = await query(LAB_ADDR.bind, 53, 'nx.oob.test', 'A', { rd: false, dnssecOk: true, transport: 'tcp' });
    assert.ok(nsec3.authorities.some((rr) => rr.type === 'NSEC3'), 'oob.test denies with NSEC3');
  });

  for (const c of CASES) {
    test(`${c.name} ${c.type}: ${c.rcode}${c.ad ? ', AD' : ''}`, async () => {
      const msg = await query(unbound!.address, unbound!.port, c.name, c.type, { transport: 'tcp', dnssecOk: true, timeoutMs: 15_000 });
      assert.deepEqual(answerView(msg), { rcode: c.rcode, answers: c.answers });
      assert.equal((msg.flags & FLAG.AD) !== 0, c.ad, 'AD flag');
    });
  }

  for (const c of CASES) {
    test(`Ward: ${c.name} ${c.type}: ${c.rcode}${c.ad ? ', AD' : ''}`, async () => {
      const msg = await query(ward!.address, ward!.port, c.name, c.type, { transport: 'tcp', dnssecOk: true, timeoutMs: 15_000 });
      assert.deepEqual(answerView(msg), { rcode: c.rcode, answers: c.answers });
      assert.equal((msg.flags & FLAG.AD) !== 0, c.ad, 'AD flag');
      // bogus.test's DS names no key of the zone: RFC 8914 §4.10 EDE 9 DNSKEY Missing.
      if (c.name === 'www.bogus.test') assert.deepEqual(edeCodes(msg), [9]);
      if (c.ad) assert.ok(msg.answers.length === 0 || msg.answers.some((rr) => rr.type === 'RRSIG'), 'RRSIGs with DO');
    });
  }

  test('unknown types (RFC 3597) validate and come back octet for octet, from Unbound and from Ward', async () => {
    const cases: [string, RRType, string][] = [
      ['opaque.glue.test', 'UNKNOWN_65280' as RRType, '0a0b0c0d'], ['_25._tcp.glue.test', 'UNKNOWN_53' as RRType, '0301010203'],
    ];
    for (const [name, type, hex] of cases) {
      for (const [who, addr, port] of [['Unbound', unbound!.address, unbound!.port], ['Ward', ward!.address, ward!.port]] as const) {
        // Twice: the second answer comes from the cache.
        for (const round of [1, 2]) {
          const msg = await query(addr, port, name, type, { transport: 'tcp', dnssecOk: true, timeoutMs: 15_000 });
          const data = msg.answers.filter((rr) => rr.type === type).map((rr) => (rdataOf(rr) as Buffer).toString('hex'));
          assert.deepEqual(data, [hex], `${who} ${name} round ${round}`);
          assert.notEqual(msg.flags & FLAG.AD, 0, `${who} ${name} round ${round}: validated (canonical form of an unknown type)`);
        }
      }
    }
  });

  test('Ward: secure NXDOMAIN answers from the cache keep AD (NSEC and NSEC3)', async () => {
    for (const name of ['nx.glue.test', 'nx.oob.test']) {
      const msg = await query(ward!.address, ward!.port, name, 'A', { transport: 'tcp', dnssecOk: true, timeoutMs: 15_000 });
      assert.deepEqual(answerView(msg), { rcode: 'NXDOMAIN', answers: [] }, name);
      assert.notEqual(msg.flags & FLAG.AD, 0, `${name}: AD from the cache`);
      assert.ok(msg.authorities.some((rr) => rr.type === 'NSEC' || rr.type === 'NSEC3'), `${name}: the proof comes along`);
    }
  });

  test('Ward: DNAMEs that loop end in SERVFAIL, not in a hung query (RFC 6672 §5.3.3)', async () => {
    const msg = await query(ward!.address, ward!.port, 'x.loop1.lab', 'A', { transport: 'tcp', dnssecOk: true, timeoutMs: 15_000 });
    assert.equal(answerView(msg).rcode, 'SERVFAIL');
    assert.equal(msg.flags & FLAG.AD, 0);
  });

  test('Ward: no AD and no RRSIGs for a client without DO', async () => {
    const msg = await query(ward!.address, ward!.port, 'www.glue.test', 'A', { transport: 'udp' });
    assert.deepEqual(answerView(msg), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
    assert.equal(msg.flags & FLAG.AD, 0);
  });
});
