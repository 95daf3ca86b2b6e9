/**
 * NAT64 towards authoritative servers on the wire (upstream.nat64), against the lab. There is no
 * NAT64 translator here, so the prefix is ::ffff:0:0/96: the IPv4-embedded form of 127.53.0.1 under
 * it is the IPv4-mapped address ::ffff:7f35:1, which an IPv6 socket of this host delivers to
 * 127.53.0.1 over IPv4 (RFC 4291 §2.5.5.2). With upstream.ipv4 off, Ward sends every query from
 * IPv6 sockets to the synthesised addresses and the lab's IPv4-only NSD, Knot and BIND answer.
 * What this shows: address synthesis for glue, root hints and name server lookups, and that Ward's
 * upstream sockets (UDP and TCP) reach such an address and accept its replies. What it does not
 * show: a real translator (RFC 6146) in between, which ::ffff:0:0/96 never uses.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { BIG_TXT_COUNT, LAB_ADDR } from '../helpers/lab-zones.js';
import { labAppFixture } from '../helpers/lab-app.js';
import { answerView, query } from '../helpers/lab-query.js';

/** Ward under test (DESIGN.md "Lab addresses": 127.0.2.x). */
const ADDRESS = '127.0.2.68';
/** The IPv4-mapped form of a lab address, as RFC 5952 writes it (what Ward asks). */
const mapped = (ipv4: string): string => {
  const o = ipv4.split('.').map(Number);
  return `::ffff:${((o[0] << 8) | o[1]).toString(16)}:${((o[2] << 8) | o[3]).toString(16)}`;
};

describe('NAT64 to the lab through IPv4-mapped addresses', { timeout: 60_000 }, () => {
  const f = labAppFixture('nat64-lab', ADDRESS, {}, (config) => {
    config.server.listen.push({ address: ADDRESS, port: 53, transport: 'tcp' });
    config.upstream = { ...config.upstream, ipv4: false, ipv6: true, tls: 'off', nat64: { enabled: true, prefix: '::ffff:0:0/96' } };
  });

  test('names resolve through the IPv4-only lab with IPv4 off: every query went to a synthesised address', async () => {
    const app = f.app();
    const ask = (name: string): ReturnType<typeof query> => query(ADDRESS, 53, name, 'A', { timeoutMs: 10_000 });
    assert.deepEqual(answerView(await ask('www.glue.test')), { rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] });
    // oob.test's server ns1.hosts.lab comes without glue: its A record is looked up and used through NAT64.
    assert.deepEqual(answerView(await ask('www.oob.test')), { rcode: 'NOERROR', answers: ['www.oob.test A 192.0.2.20'] });
    const asked = app.admin.upstream().servers.map((s) => s.address).sort();
    assert.deepEqual(asked, [LAB_ADDR.nsd, LAB_ADDR.knot, LAB_ADDR.bind].map(mapped).sort(), 'only the synthesised IPv6 forms were asked');
    // The replies come back from the dotted form (::ffff:127.53.0.1) and must still be taken as the asked server's.
    const servers = app.admin.upstream().servers;
    assert.deepEqual(servers.map((s) => s.timeouts), servers.map(() => 0), 'no UDP query timed out');
    assert.ok(servers.every((s) => s.by_transport.udp > 0), 'each server answered over UDP');
  });

  test('a reply too large for UDP is fetched over TCP at the synthesised address', async () => {
    const msg = await query(ADDRESS, 53, 'big.oob.test', 'TXT', { timeoutMs: 10_000, transport: 'tcp' });
    assert.equal(answerView(msg).rcode, 'NOERROR');
    assert.equal(msg.answers.filter((rr) => rr.type === 'TXT').length, BIG_TXT_COUNT);
    const bind = f.app().admin.upstream().servers.find((s) => s.address === mapped(LAB_ADDR.bind));
    assert.ok((bind?.tcp_connections ?? 0) > 0, 'BIND (oob.test) was asked over TCP at its synthesised address');
  });
});
