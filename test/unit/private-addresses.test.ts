/**
 * resolver.private_addresses where answers leave the resolver (src/resolver/private-addresses.ts):
 * the additional section is filtered too, a set that lost records loses its RRSIG and its AD, an
 * answer left without its type is SERVFAIL with EDE 15, and other answers pass untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Record } from '../../src/wire/index.js';
import { RCODE } from '../../src/wire/index.js';
import { PrivateAddresses, servedWithoutPrivateAddresses } from '../../src/resolver/private-addresses.js';
import type { ChainResult } from '../../src/resolver/chain-result.js';

const filter = new PrivateAddresses(['10.0.0.0/8', '192.168.0.0/16', 'fc00::/7', '::ffff:0:0/96'], ['home.example']);
const a = (name: string, data: string): Record => ({ name, type: 'A', class: 'IN', ttl: 300, data } as Record);
const aaaa = (name: string, data: string): Record => ({ name, type: 'AAAA', class: 'IN', ttl: 300, data } as Record);
const sig = (name: string, typeCovered: string): Record => ({ name, type: 'RRSIG', class: 'IN', ttl: 300, data: { typeCovered } } as unknown as Record);
const answer = (records: Record[], additional: Record[] = [], security: ChainResult['security'] = 'secure'): ChainResult =>
  ({ rcode: RCODE.NOERROR, answer: records, authority: [], additional, security });

test('a set that lost a record keeps the rest, loses its RRSIG and is no longer secure', () => {
  const r = servedWithoutPrivateAddresses(answer([a('www.example', '10.1.2.3'), a('www.example', '192.0.2.1'), sig('www.example', 'A')]), 'A', filter);
  assert.deepEqual(r.answer, [a('www.example', '192.0.2.1')]);
  assert.equal(r.security, 'insecure');
});

test('the additional section is filtered without failing the answer; the answer keeps its AD', () => {
  const ns = { name: 'example', type: 'NS', class: 'IN', ttl: 300, data: 'ns1.example' } as Record;
  const r = servedWithoutPrivateAddresses(answer([ns], [a('ns1.example', '192.168.0.53'), aaaa('ns1.example', '2001:db8::53')]), 'NS', filter);
  assert.deepEqual([r.rcode, r.answer, r.additional, r.security], [RCODE.NOERROR, [ns], [aaaa('ns1.example', '2001:db8::53')], 'secure']);
});

test('an answer left without its type is SERVFAIL with EDE 15; a private domain keeps its addresses', () => {
  const r = servedWithoutPrivateAddresses(answer([aaaa('nas.example', 'fd00::1')]), 'AAAA', filter);
  assert.deepEqual([r.rcode, r.answer, r.ede?.map((e) => e.infoCode)], [RCODE.SERVFAIL, [], [15]]);
  const home = answer([a('nas.home.example', '192.168.1.2')]);
  assert.equal(servedWithoutPrivateAddresses(home, 'A', filter), home);
});

test('an IPv4-mapped AAAA is matched as IPv6 under ::ffff:0:0/96, and IPv6 prefixes never catch A records', () => {
  assert.equal(servedWithoutPrivateAddresses(answer([aaaa('m.example', '::ffff:192.0.2.1')]), 'AAAA', filter).rcode, RCODE.SERVFAIL);
  const v4 = answer([a('v4.example', '192.0.2.1')]);
  assert.equal(servedWithoutPrivateAddresses(v4, 'A', filter), v4);
});

test('SERVFAIL and REFUSED pass untouched', () => {
  const failed: ChainResult = { rcode: RCODE.SERVFAIL, answer: [a('x.example', '10.0.0.1')], authority: [], security: 'indeterminate' };
  assert.equal(servedWithoutPrivateAddresses(failed, 'A', filter), failed);
});
