/**
 * `first` on forward and stub zones against the lab (Unbound's forward-first / stub-first): an
 * in-process Ward whose root hints are the lab's root, with glue.test. forwarded and insecure.test.
 * stubbed to the lab's dead address with `first: true`, and lab. stubbed there without it. The first
 * two resolve from the root path after their configured server stays silent; lab. fails.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labAppFixture } from '../helpers/lab-app.js';
import { answerView, query } from '../helpers/lab-query.js';
import { LAB_ADDR } from '../helpers/lab-zones.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x). */
const ADDRESS = '127.0.2.95';

describe('forward and stub zones with first, against the lab', { timeout: 60_000 }, () => {
  labAppFixture('zone-first-lab', ADDRESS, {}, (config) => {
    config.upstream.timeout_ms = 300;
    config.forward_zones = [{ name: 'glue.test.', addresses: [LAB_ADDR.dead], hosts: [], tls: false, first: true }];
    config.stub_zones = [
      { name: 'insecure.test.', addresses: [LAB_ADDR.dead], hosts: [], first: true },
      { name: 'lab.', addresses: [LAB_ADDR.dead], hosts: [], first: false },
    ];
  });

  const ask = (name: string): ReturnType<typeof query> => query(ADDRESS, 53, name, 'A', { timeoutMs: 10_000 });

  test('a forward zone with first: its silent forwarder gives way to the root path', async () => {
    assert.deepEqual(answerView(await ask('www.glue.test')), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
  });

  test('a stub zone with first: its silent server gives way to the root path', async () => {
    assert.deepEqual(answerView(await ask('www.insecure.test')), { rcode: 'NOERROR', answers: ['www.insecure.test A 192.0.2.70'] });
  });

  test('a stub zone without first: the same silence is the client\'s SERVFAIL', async () => {
    assert.equal(answerView(await ask('www.lab')).rcode, 'SERVFAIL');
  });
});
