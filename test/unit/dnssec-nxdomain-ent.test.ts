/**
 * An NXDOMAIN for an empty non-terminal (RFC 4035 §3.1.3.2, RFC 8020 §4): the NSEC that comes with it
 * covers the name but its next name lies below it, so it proves the name exists. Such a reply is a
 * NODATA with the wrong rcode: answered as secure NODATA, and the names below stay reachable. A
 * replayed NSEC of that kind can never make a secure NXDOMAIN (nor, by RFC 8020, deny the subtree).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RCODE } from '../../src/wire/index.js';
import { nsecNameError, nsecNoData } from '../../src/dnssec/index.js';
import { rrs } from './dnssec-fixtures.js';
import { setupSignedWorld, signed, testKey } from './dnssec-world.js';

// test. → x.ent.test. → ns.test. → test.: ent.test is an empty non-terminal.
const NSEC_APEX = 'test. 300 IN NSEC x.ent.test. SOA NS DNSKEY RRSIG NSEC';

test('an NSEC whose next name is below the name proves an empty non-terminal, never a name error', () => {
  const proof = rrs(NSEC_APEX);
  assert.equal(nsecNameError(proof, 'ent.test'), false);
  assert.equal(nsecNoData(proof, 'ent.test', 'A'), true);
  // Where the chain really has a gap at the name (and at *.test), the same kind of NSEC denies it.
  assert.equal(nsecNameError(rrs('test. 300 IN NSEC ns.test. SOA NS RRSIG NSEC'), 'ent.test'), true);
});

test('an NXDOMAIN for an empty non-terminal is answered as secure NODATA and denies nothing below it', async () => {
  const soa = signed('test. 300 IN SOA ns.test. h.test. 1 2 3 4 300', testKey);
  const { ask, asked } = setupSignedWorld({
    // The broken server: NXDOMAIN for the empty non-terminal, with the right NSEC.
    'ent.test|A': { flags: RCODE.NXDOMAIN, authorities: [...soa, ...signed(NSEC_APEX, testKey)] },
    'x.ent.test|A': { answers: signed('x.ent.test. 300 IN A 192.0.2.9', testKey) },
  });
  const ent = await ask('ent.test');
  assert.deepEqual([ent.rcode, ent.answer.length, ent.authenticated], [RCODE.NOERROR, 0, true]);
  const again = await ask('ent.test');
  assert.deepEqual([again.rcode, again.authenticated], [RCODE.NOERROR, true], 'cached as NODATA');
  assert.equal(asked('ent.test'), 1);
  const below = await ask('x.ent.test');
  assert.deepEqual([below.rcode, below.authenticated], [RCODE.NOERROR, true]);
  assert.deepEqual(below.answer.filter((rr) => rr.type === 'A').map((rr) => String((rr as { data?: unknown }).data)), ['192.0.2.9']);
  assert.equal(asked('x.ent.test'), 1, 'the name below was asked, not denied');
});
