/**
 * NSEC3 opt-out against real signed zones (RFC 5155 §6, §8, §9.2): one opt-out zone on each of NSD,
 * Knot and BIND (signed by dnssec-signzone -A, every NSEC3 with the Opt-Out flag), delegated from the
 * lab's signed tree, and an in-process validating Ward asking with DO. What each server sends is
 * checked too, since that is what decides how strict Ward may be:
 * - an empty non-terminal that exists only above an unsigned delegation has no NSEC3 of its own
 *   (RFC 5155 §7.1); all three servers answer NODATA with the closest encloser's NSEC3 and the
 *   opt-out NSEC3 covering the next closer name, and no NSEC3 for the wildcard at the closest
 *   encloser, although that wildcard exists. Ward answers it insecure (no AD), not bogus: the shape
 *   of Unbound's val_nsec3_b5_wcnodata_nowc, which expects SERVFAIL;
 * - a wildcard NODATA and an NXDOMAIN whose next closer name is covered by an opt-out NSEC3 are
 *   answered without AD (RFC 5155 §9.2: the span may hide an unsigned delegation), as Knot Resolver
 *   and BIND do, where Unbound's val_nsec3_b5_wcnodata and val_nsec3_b1_nameerror expect AD;
 * - a positive answer from the same zones is secure (AD): the zones themselves validate.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { nsec3Hash } from '../../src/dnssec/index.js';
import { FLAG, type Message, type RRType } from '../../src/wire/index.js';
import { LAB_ADDR, LAB_ZONES, type LabServer } from '../helpers/lab-zones.js';
import { labAppFixture } from '../helpers/lab-app.js';
import { answerView, query } from '../helpers/lab-query.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x). */
const ADDRESS = '127.0.2.67';
const SERVERS: LabServer[] = ['nsd', 'knot', 'bind'];
const zoneOf = (server: LabServer): string => `optout-${server}.test.`;

/** An opt-out zone: a wildcard at the apex, one below w., and ent. only above an unsigned delegation. */
function optOutZone(server: LabServer): string {
  const z = zoneOf(server);
  return `$TTL 3600
${z} 3600 IN SOA ns1.${z} hostmaster.${z} 1 3600 600 86400 300
${z} IN NS ns1.${z}
ns1.${z} IN A ${LAB_ADDR[server]}
www.${z} IN A 192.0.2.80
*.${z} IN TXT "apex wildcard"
*.w.${z} IN TXT "w wildcard"
x.ent.${z} IN NS ns1.dead.test.
`;
}

describe('NSEC3 opt-out against NSD, Knot and BIND', { timeout: 90_000 }, () => {
  const [testServer, testText] = LAB_ZONES['test.'];
  const delegations = SERVERS.map((s) => `${zoneOf(s)} IN NS ns1.${zoneOf(s)}\nns1.${zoneOf(s)} IN A ${LAB_ADDR[s]}\n`).join('');
  const zones: Record<string, [LabServer, string]> = { ...LAB_ZONES, 'test.': [testServer, testText + delegations] };
  for (const s of SERVERS) zones[zoneOf(s)] = [s, optOutZone(s)];
  labAppFixture('nsec3-optout-lab', ADDRESS, { zones, dnssec: true, nsec3OptOut: SERVERS.map(zoneOf) });

  const ask = async (name: string, type: RRType): Promise<Message> => query(ADDRESS, 53, name, type, { timeoutMs: 10_000, dnssecOk: true });
  const authenticated = (msg: Message): boolean => (msg.flags & FLAG.AD) !== 0;

  for (const server of SERVERS) {
    const z = zoneOf(server).slice(0, -1);

    test(`${server}: a positive answer from the opt-out zone is secure`, async () => {
      const msg = await ask(`www.${z}`, 'A');
      assert.deepEqual(answerView(msg), { rcode: 'NOERROR', answers: [`www.${z} A 192.0.2.80`] });
      assert.ok(authenticated(msg), 'AD');
    });

    test(`${server}: an empty non-terminal above an unsigned delegation: the server sends no wildcard NSEC3, Ward answers NODATA without AD`, async () => {
      // What the authority itself sends (no RD, with DO).
      const direct = await query(LAB_ADDR[server], 53, `ent.${z}`, 'A', { rd: false, dnssecOk: true, timeoutMs: 2_000 });
      const nsec3 = direct.authorities.filter((rr) => rr.type === 'NSEC3').map((rr) => rr.name.split('.')[0].toLowerCase());
      const hash = (name: string): string => nsec3Hash(name, Buffer.alloc(0), 0);
      assert.deepEqual(answerView(direct), { rcode: 'NOERROR', answers: [] });
      assert.ok(nsec3.includes(hash(z)), `${server} sends the closest encloser's NSEC3 (${nsec3.join(', ')})`);
      assert.ok(!nsec3.includes(hash(`*.${z}`)), `${server} sends no NSEC3 for the wildcard at the closest encloser, which exists`);
      // The closest encloser's NSEC3 and the opt-out one covering the next closer name (one record when it does both).
      assert.ok(nsec3.length <= 2, `only the closest encloser proof (${nsec3.join(', ')})`);
      const msg = await ask(`ent.${z}`, 'A');
      assert.deepEqual(answerView(msg), { rcode: 'NOERROR', answers: [] }, 'not SERVFAIL');
      assert.ok(!authenticated(msg), 'no AD: the NODATA rests on an opt-out span');
    });

    test(`${server}: a wildcard NODATA and an NXDOMAIN under opt-out are answered without AD (RFC 5155 §9.2)`, async () => {
      const nodata = await ask(`a.w.${z}`, 'A');
      assert.deepEqual(answerView(nodata), { rcode: 'NOERROR', answers: [] });
      assert.ok(!authenticated(nodata), 'wildcard NODATA: no AD');
      const nx = await ask(`nope.www.${z}`, 'A');
      assert.deepEqual(answerView(nx), { rcode: 'NXDOMAIN', answers: [] });
      assert.ok(!authenticated(nx), 'NXDOMAIN: no AD');
    });
  }
});
