/** The zones the resolver unit tests resolve through (root, test., example.test., net., ...). */
import type { Record } from '../../src/wire/index.js';
import type { Server } from './resolver-fake-net.js';
import { ROOT, rootZone, zone } from './resolver-fake-net.js';

/** The test. zone served at 10.0.1.1: its SOA, NS and address, then `records` (the delegations a test needs). */
export function testZoneWith(records: string): Record[] {
  return zone(`
  test. 86400 SOA ns.test. host. 1 2 3 4 300
  test. 86400 NS ns.test.
  ns.test. 86400 A 10.0.1.1
  ${records}`);
}

export const TEST_ZONE = testZoneWith(`
  example.test. 86400 NS ns1.example.test.
  ns1.example.test. 86400 A 10.0.3.1
  other.test. 86400 NS ns.example.net.`);

export const EXAMPLE_TEST = zone(`
  example.test. 3600 SOA ns1.example.test. host. 1 2 3 4 60
  example.test. 3600 NS ns1.example.test.
  ns1.example.test. 3600 A 10.0.3.1
  www.example.test. 300 A 192.0.2.1
  alias.example.test. 300 CNAME www.other.test.
  dn.example.test. 300 DNAME example.net.
  deep.ent.example.test. 300 A 192.0.2.3`);

export const NET_ZONE = zone(`
  net. 86400 SOA ns.net. host. 1 2 3 4 300
  net. 86400 NS ns.net.
  ns.net. 86400 A 10.0.2.1
  example.net. 86400 NS ns.example.net.
  ns.example.net. 86400 A 10.0.4.1`);

export const EXAMPLE_NET = zone(`
  example.net. 3600 SOA ns.example.net. host. 1 2 3 4 60
  example.net. 3600 NS ns.example.net.
  ns.example.net. 3600 A 10.0.4.1
  www.example.net. 300 A 192.0.2.9`);

export const OTHER_TEST = zone(`
  other.test. 3600 SOA ns.example.net. host. 1 2 3 4 60
  other.test. 3600 NS ns.example.net.
  www.other.test. 300 A 192.0.2.7`);

/** The standard network: root, test., example.test., net., and example.net. + other.test. on one server. */
export function standardServers(): { [addr: string]: Server } {
  return {
    [ROOT]: { zones: [rootZone()] },
    '10.0.1.1': { zones: [TEST_ZONE] },
    '10.0.3.1': { zones: [EXAMPLE_TEST] },
    '10.0.2.1': { zones: [NET_ZONE] },
    '10.0.4.1': { zones: [EXAMPLE_NET, OTHER_TEST] },
  };
}
