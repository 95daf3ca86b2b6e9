/**
 * Stub zones against the lab: an in-process Ward whose root hints lead nowhere (nothing listens at
 * the lab's dead address) and with glue.test. as a stub zone served by the lab's NSD. Names in the
 * stub zone resolve from its server alone, the referral it gives to sub.glue.test. (Knot) is
 * followed, and names outside it fail, since the root path reaches nothing. insecure.test. (Knot) is
 * a stub zone whose server is given by name only (`hosts`: ns1.sub.glue.test., found through the
 * first stub zone and its referral), so its answers prove the name was looked up and asked.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAppFixture } from '../helpers/lab-app.js';
import { answerView, query } from '../helpers/lab-query.js';
import { LAB_ADDR } from '../helpers/lab-zones.js';
import type { RRType } from '../../src/wire/index.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x). */
const ADDRESS = '127.0.2.65';

describe('stub zones against the lab', { timeout: 60_000 }, () => {
  labAppFixture('stub-zone-lab', ADDRESS, {}, (config) => {
    config.resolver.root_hints = [{ name: 'a.root.lab', addresses: [LAB_ADDR.dead] }];
    config.upstream.timeout_ms = 300;
    config.stub_zones = [
      { name: 'glue.test.', addresses: [LAB_ADDR.nsd], hosts: [], first: false },
      { name: 'insecure.test.', addresses: [], hosts: ['ns1.sub.glue.test.'], first: false },
    ];
  });

  const ask = (name: string, type: RRType = 'A'): ReturnType<typeof query> => query(ADDRESS, 53, name, type, { timeoutMs: 10_000 });

  test('a name in the stub zone resolves from its server, the root path being dead', async () => {
    assert.deepEqual(answerView(await ask('www.glue.test')), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
    assert.deepEqual(answerView(await ask('nx.glue.test')), { rcode: 'NXDOMAIN', answers: [] });
  });

  test('the stub server\'s referral to a child zone on another server is followed', async () => {
    assert.deepEqual(answerView(await ask('www.sub.glue.test')), { rcode: 'NOERROR', answers: ['www.sub.glue.test A 192.0.2.12'] });
  });

  test('a stub zone whose server is given by name: the name is looked up, then its server asked', async () => {
    assert.deepEqual(answerView(await ask('www.insecure.test')), { rcode: 'NOERROR', answers: ['www.insecure.test A 192.0.2.70'] });
  });

  test('names outside the stub zone go the root path, which reaches nothing', async () => {
    assert.equal(answerView(await ask('www.lab')).rcode, 'SERVFAIL');
  });
});
