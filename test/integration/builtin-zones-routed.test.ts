/**
 * Built-in special-use zones and configured forward and stub zones, on the wire with scripted
 * servers: home.arpa forwarded to a home router and onion stubbed to another server are answered
 * by them (RFC 8375 §5 and RFC 7686 §2 zones otherwise answered NXDOMAIN locally), while a forward
 * zone for localhost changes nothing (RFC 6761 §6.3) and names of invalid. stay local. Reverse names
 * of private addresses (RFC 6303) are answered locally, never sent to the root, except those of a
 * reverse zone forwarded to the router.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rrs, serveZones } from '../helpers/hostile-auth.js';
import { answerTexts, HostileWorld } from '../helpers/hostile-world.js';
import { rcodeName } from '../helpers/lab-query.js';

describe('forward and stub zones below built-in zones', { timeout: 60_000 }, () => {
  let world: HostileWorld;
  before(async () => { world = await HostileWorld.start(120, 2); });
  after(async () => { await world.close(); });

  test('home.arpa and onion reach their configured servers; localhost and invalid stay local', async () => {
    world.reset();
    const [router, tor] = world.servers;
    router.script = serveZones(['home.arpa', 'localhost', '1.168.192.in-addr.arpa'], rrs(
      'home.arpa. SOA router.home.arpa. h.home.arpa. 1 3600 900 604800 60', 'home.arpa. NS router.home.arpa.',
      `router.home.arpa. A ${router.address}`, 'printer.home.arpa. A 192.168.1.20',
      'localhost. SOA localhost. h.localhost. 1 3600 900 604800 60', 'localhost. A 10.9.9.9',
      '1.168.192.in-addr.arpa. SOA router.home.arpa. h.home.arpa. 1 3600 900 604800 60', '20.1.168.192.in-addr.arpa. PTR printer.home.arpa.',
    ));
    tor.script = serveZones(['onion'], rrs('onion. SOA ns.onion. h.onion. 1 3600 900 604800 60', 'onion. NS ns.onion.', 'abc.onion. A 10.192.0.1'));
    const w = await world.ward((c) => {
      c.forward_zones = [
        { name: 'home.arpa.', addresses: [router.address], hosts: [], tls: false, first: false },
        { name: 'localhost.', addresses: [router.address], hosts: [], tls: false, first: false },
        { name: '1.168.192.in-addr.arpa', addresses: [router.address], hosts: [], tls: false, first: false },
      ];
      c.stub_zones = [{ name: 'onion.', addresses: [tor.address], hosts: [], first: false }];
    });
    try {
      assert.deepEqual(answerTexts(await w.ask('printer.home.arpa', 'A')), ['printer.home.arpa A 192.168.1.20'], 'from the router');
      assert.deepEqual(answerTexts(await w.ask('abc.onion', 'A')), ['abc.onion A 10.192.0.1'], 'from the stub server');
      assert.deepEqual(answerTexts(await w.ask('localhost', 'A')), ['localhost A 127.0.0.1'], 'answered locally');
      assert.equal(router.count('localhost', 'A'), 0, 'localhost never forwarded');
      assert.equal(rcodeName(await w.ask('x.invalid', 'A')), 'NXDOMAIN');
      assert.deepEqual(answerTexts(await w.ask('20.1.168.192.in-addr.arpa', 'PTR')), ['20.1.168.192.in-addr.arpa PTR printer.home.arpa'], 'forwarded reverse zone');
      for (const name of ['5.0.0.10.in-addr.arpa', '9.9.168.192.in-addr.arpa', `1.0.0.0.${'0.'.repeat(28)}d.f.ip6.arpa`]) {
        assert.equal(rcodeName(await w.ask(name, 'PTR')), 'NXDOMAIN', name);
      }
      assert.equal(world.root.count('5.0.0.10.in-addr.arpa') + world.root.count('9.9.168.192.in-addr.arpa'), 0, 'private reverse names never leave');
    } finally {
      await w.stop();
    }
  });
});
