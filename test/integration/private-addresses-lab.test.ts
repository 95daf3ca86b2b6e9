/**
 * DNS-rebinding protection against the lab (resolver.private_addresses / private_domains): real
 * NSD, Knot and BIND serve public names with private addresses (the lab's glue.test gets a few
 * more records here), and an in-process Ward with the home/appliance list of the README asks them
 * over the wire. A public name whose only address is private gets SERVFAIL with EDE 15, a set with
 * a public address keeps that one, a name under a private domain keeps its private address, and
 * the lab itself, whose servers all sit on 127.53.0.x (inside 127.0.0.0/8), stays reachable: glue
 * and name server address lookups keep private addresses, which are still not served to clients.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { LAB_ADDR, LAB_ZONES } from '../helpers/lab-zones.js';
import { labAppFixture } from '../helpers/lab-app.js';
import { answerView, query } from '../helpers/lab-query.js';
import { edeCodes } from '../helpers/hostile-world.js';
import { FLAG, type RRType } from '../../src/wire/index.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x). */
const ADDRESS = '127.0.2.66';

/** The README's list for a home or appliance install. */
const HOME_PRIVATE_ADDRESSES = [
  '10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '169.254.0.0/16', '127.0.0.0/8',
  '::1/128', 'fc00::/7', 'fe80::/10', '::ffff:0:0/96',
];

const EXTRA_GLUE_TEST = `
nas.glue.test. IN A 192.168.1.20
cgnat.glue.test. IN A 100.64.3.4
mixed.glue.test. IN A 10.0.0.5
mixed.glue.test. IN A 192.0.2.14
ula.glue.test. IN AAAA fd00::20
printer.home.glue.test. IN A 192.168.1.30
home-alias.glue.test. IN CNAME printer.home.glue.test.
sneaky.glue.test. IN CNAME nas.glue.test.
`;

describe('private addresses against the lab', { timeout: 60_000 }, () => {
  const [server, text] = LAB_ZONES['glue.test.'];
  labAppFixture('private-addresses-lab', ADDRESS, { zones: { ...LAB_ZONES, 'glue.test.': [server, text + EXTRA_GLUE_TEST] } }, (config) => {
    config.resolver = { ...config.resolver, private_addresses: HOME_PRIVATE_ADDRESSES, private_domains: ['home.glue.test'] };
  });

  const ask = (name: string, type: RRType): ReturnType<typeof query> => query(ADDRESS, 53, name, type, { timeoutMs: 10_000 });
  const blocked = async (name: string, type: RRType): Promise<void> => {
    const msg = await ask(name, type);
    assert.deepEqual(answerView(msg), { rcode: 'SERVFAIL', answers: [] }, name);
    assert.deepEqual(edeCodes(msg), [15], `${name}: EDE 15 Blocked`);
  };

  test('public addresses are answered, through servers that all sit on private addresses', async () => {
    assert.deepEqual(answerView(await ask('www.glue.test', 'A')), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
    // oob.test's server ns1.hosts.lab has no glue: its address (127.53.0.3) is looked up, and kept.
    assert.deepEqual(answerView(await ask('www.oob.test', 'A')), { rcode: 'NOERROR', answers: ['www.oob.test A 192.0.2.20'] });
  });

  test('a public name whose only address is private: SERVFAIL with EDE 15, fresh and asked again', async () => {
    await blocked('nas.glue.test', 'A');
    await blocked('cgnat.glue.test', 'A');
    await blocked('ula.glue.test', 'AAAA');
    await blocked('nas.glue.test', 'A');
  });

  test('only the private record of a set goes', async () => {
    assert.deepEqual(answerView(await ask('mixed.glue.test', 'A')), { rcode: 'NOERROR', answers: ['mixed.glue.test A 192.0.2.14'] });
  });

  test('a private domain keeps its private addresses, also as a public name\'s CNAME target', async () => {
    assert.deepEqual(answerView(await ask('printer.home.glue.test', 'A')), { rcode: 'NOERROR', answers: ['printer.home.glue.test A 192.168.1.30'] });
    assert.deepEqual(answerView(await ask('home-alias.glue.test', 'A')), {
      rcode: 'NOERROR', answers: ['home-alias.glue.test CNAME printer.home.glue.test', 'printer.home.glue.test A 192.168.1.30'],
    });
    await blocked('sneaky.glue.test', 'A');
  });

  test('name server addresses Ward used (glue, looked up) are not served to clients', async () => {
    await blocked('ns1.hosts.lab', 'A');
    await blocked('ns1.glue.test', 'A');
    assert.ok(LAB_ADDR.bind.startsWith('127.'), 'the lab is inside 127.0.0.0/8');
  });
});

describe('private addresses against the signed lab', { timeout: 60_000 }, () => {
  const SIGNED_ADDRESS = '127.0.2.69';
  const [server, text] = LAB_ZONES['glue.test.'];
  labAppFixture('private-addresses-signed-lab', SIGNED_ADDRESS, { dnssec: true, zones: { ...LAB_ZONES, 'glue.test.': [server, text + EXTRA_GLUE_TEST] } }, (config) => {
    config.resolver = { ...config.resolver, private_addresses: HOME_PRIVATE_ADDRESSES, private_domains: ['home.glue.test'] };
  });
  const ask = (name: string): ReturnType<typeof query> => query(SIGNED_ADDRESS, 53, name, 'A', { timeoutMs: 10_000, dnssecOk: true });

  test('a signed set that would lose a record is SERVFAIL with EDE 15, not bogus: the server did nothing wrong', async () => {
    const msg = await ask('mixed.glue.test');
    assert.deepEqual(answerView(msg), { rcode: 'SERVFAIL', answers: [] });
    assert.deepEqual(edeCodes(msg), [15], 'EDE 15 Blocked, no DNSSEC error');
    const www = await ask('www.glue.test');
    assert.deepEqual(answerView(www), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
    assert.ok((www.flags & FLAG.AD) !== 0, 'the zone still validates: AD');
    const home = await ask('printer.home.glue.test');
    assert.deepEqual(answerView(home), { rcode: 'NOERROR', answers: ['printer.home.glue.test A 192.168.1.30'] }, 'a private domain keeps its signed private address');
  });
});
