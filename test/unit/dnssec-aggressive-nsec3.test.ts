/**
 * RFC 8198 aggressive use of validated NSEC3 records through the resolver: after one NXDOMAIN whose
 * NSEC3 records (iterations 0, no salt, RFC 9276) span the zone, other names and types they deny
 * are answered without asking test.'s server, with AD and the proving NSEC3s; names that exist
 * are still asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RCODE, type Record } from '../../src/wire/index.js';
import { nsec3Hash } from '../../src/dnssec/index.js';
import { setupSignedWorld, signed, testKey } from './dnssec-world.js';

/** The zone's NSEC3 chain (hash order), each with its RRSIG. */
function nsec3Chain(names: { [name: string]: string }): Record[] {
  const hashed = Object.entries(names).map(([name, types]) => ({ hash: nsec3Hash(name, Buffer.alloc(0), 0), types }));
  hashed.sort((a, b) => (a.hash < b.hash ? -1 : 1));
  return hashed.flatMap((h, i) => {
    const next = hashed[(i + 1) % hashed.length].hash;
    return signed(`${h.hash}.test. 300 IN NSEC3 1 0 0 - ${next} ${h.types}`, testKey);
  });
}

test('validated NSEC3s answer other names and types they deny without asking (RFC 8198)', async () => {
  const chain = nsec3Chain({ test: 'SOA NS DNSKEY NSEC3PARAM RRSIG', 'ns.test': 'A RRSIG', 'www.test': 'A RRSIG' });
  const soa = signed('test. 300 IN SOA ns.test. h.test. 1 2 3 4 300', testKey);
  const { ask, asked } = setupSignedWorld({
    'nx1.test|A': { flags: RCODE.NXDOMAIN, authorities: [...soa, ...chain] },
    'www.test|A': { answers: signed('www.test. 300 IN A 192.0.2.1', testKey) },
  });
  const first = await ask('nx1.test');
  assert.deepEqual([first.rcode, first.authenticated], [RCODE.NXDOMAIN, true]);
  assert.equal(asked('nx1.test'), 1);

  const other = await ask('nx2.test');
  assert.deepEqual([other.rcode, other.authenticated], [RCODE.NXDOMAIN, true]);
  assert.equal(asked('nx2.test'), 0, 'synthesized from the kept NSEC3s');
  assert.ok(other.authority.some((rr) => rr.type === 'SOA'));
  assert.ok(other.authority.filter((rr) => rr.type === 'NSEC3').length >= 2, 'closest encloser and covering NSEC3s');
  assert.ok(other.authority.some((rr) => rr.type === 'RRSIG'), 'with their signatures for a DO client');

  const deep = await ask('a.b.nx3.test', 'AAAA');
  assert.deepEqual([deep.rcode, deep.authenticated, asked('a.b.nx3.test')], [RCODE.NXDOMAIN, true, 0]);

  const nodata = await ask('ns.test', 'TXT');
  assert.deepEqual([nodata.rcode, nodata.answer.length, nodata.authenticated], [RCODE.NOERROR, 0, true]);
  assert.equal(asked('ns.test'), 0, 'NODATA from the NSEC3 matching ns.test');

  const exists = await ask('www.test');
  assert.deepEqual([exists.rcode, exists.authenticated], [RCODE.NOERROR, true]);
  assert.equal(asked('www.test'), 1, 'an existing name is asked');
});
