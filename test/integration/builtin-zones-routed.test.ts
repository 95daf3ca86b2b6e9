/**
 * Built-in special-use zones and configured forward and stub zones, on the wire with scripted
 * servers: home.arpa forwarded to a home router and onion stubbed to another server are answered
 * by them (RFC 8375 §5 and RFC 7686 §2 zones otherwise answered NXDOMAIN locally), while a forward
 * zone for localhost changes nothing (RFC 6761 §6.3) and names of invalid. stay local.
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
    router.script = serveZones(['home.arpa', 'localhost'], rrs(
      'home.arpa. SOA router.home.arpa. h.home.arpa. 1 3600 900 604800 60', 'home.arpa. NS router.home.arpa.',
      `router.home.arpa. A ${router.address}`, 'printer.home.arpa. A 192.168.1.20',
      'localhost. SOA localhost. h.localhost. 1 3600 900 604800 60', 'localhost. A 10.9.9.9',
    ));
    tor.script = serveZones(['onion'], rrs('onion. SOA ns.onion. h.onion. 1 3600 900 604800 60', 'onion. NS ns.onion.', 'abc.onion. A 10.192.0.1'));
    const w = await world.ward((c) => {
      c.forward_zones = [
        { name: 'home.arpa.', addresses: [router.address], hosts: [], tls: false, first: false },
        { name: 'localhost.', addresses: [router.address], hosts: [], tls: false, first: false },
      ];
      c.stub_zones = [{ name: 'onion.', addresses: [tor.address], hosts: [], first: false }];
    });
    try {
      assert.deepEqual(answerTexts(await w.ask('printer.home.arpa', 'A')), ['printer.home.arpa A 192.168.1.20'], 'from the router');
      assert.deepEqual(answerTexts(await w.ask('abc.onion', 'A')), ['abc.onion A 10.192.0.1'], 'from the stub server');
      assert.deepEqual(answerTexts(await w.ask('localhost', 'A')), ['localhost A 127.0.0.1'], 'answered locally');
      assert.equal(router.count('localhost', 'A'), 0, 'localhost never forwarded');
      assert.equal(rcodeName(await w.ask('x.invalid', 'A')), 'NXDOMAIN');
    } finally {
      await w.stop();
    }
  });
});
