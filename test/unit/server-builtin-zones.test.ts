import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LocalZones, type ClientQuery } from '../../src/server/index.js';
import { RCODE } from '../../src/wire/index.js';

function ask(zones: LocalZones, name: string, type = 'A') {
  const q: ClientQuery = {
    question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false },
    peer: { address: '127.0.0.1', port: 1, transport: 'udp' },
  };
  return zones.answer(q);
}

test('localhost and its reverse names are answered locally (RFC 6761 §6.3)', () => {
  const zones = new LocalZones([]);
  const a = ask(zones, 'LocalHost.');
  assert.equal(a?.rcode, RCODE.NOERROR);
  assert.equal(a?.aa, true);
  assert.deepEqual(a?.answer.map((r) => (r as { data: string }).data), ['127.0.0.1']);
  assert.deepEqual(ask(zones, 'localhost', 'AAAA')?.answer.map((r) => (r as { data: string }).data), ['::1']);
  assert.deepEqual(ask(zones, '1.0.0.127.in-addr.arpa', 'PTR')?.answer.map((r) => (r as { data: string }).data), ['localhost']);
  assert.equal(ask(zones, `1.${'0.'.repeat(31)}ip6.arpa`, 'PTR')?.answer.length, 1);
  assert.equal(ask(zones, 'other.localhost')?.rcode, RCODE.NXDOMAIN);
});

test('invalid, onion and home.arpa never reach the resolver', () => {
  const zones = new LocalZones([]);
  for (const name of ['x.invalid', 'abc.onion', 'printer.home.arpa']) {
    const a = ask(zones, name);
    assert.equal(a?.rcode, RCODE.NXDOMAIN, name);
    assert.equal(a?.authority[0]?.type, 'SOA', `${name}: SOA for negative caching`);
  }
  assert.equal(ask(zones, 'www.example.com'), undefined, 'other names pass on');
});

test('a configured zone of the same name replaces the built-in one', () => {
  const zones = new LocalZones([{ name: 'onion.', type: 'transparent', records: [] },
    { name: 'localhost', type: 'static', records: ['localhost. 60 IN A 127.0.0.2'] }]);
  assert.equal(ask(zones, 'abc.onion'), undefined, 'transparent: passed on to the resolver');
  assert.deepEqual(ask(zones, 'localhost')?.answer.map((r) => (r as { data: string }).data), ['127.0.0.2']);
});

test('a forward or stub zone at or below a built-in zone gets its names, except the loopback ones', () => {
  const zones = new LocalZones([{ name: 'corp.invalid', type: 'static', records: [] }], 'config',
    ['home.arpa.', 'tor.onion', 'localhost', '127.in-addr.arpa', 'corp.invalid', 'example.com', '.']);
  assert.equal(ask(zones, 'printer.home.arpa'), undefined, 'home.arpa forwarded: passed on to the resolver');
  assert.equal(ask(zones, 'home.arpa', 'SOA'), undefined, 'the apex too');
  assert.equal(ask(zones, 'abc.tor.onion'), undefined, 'below a built-in zone: that subtree is passed on');
  assert.equal(ask(zones, 'abc.onion')?.rcode, RCODE.NXDOMAIN, 'the rest of the built-in zone stays');
  assert.deepEqual(ask(zones, 'localhost')?.answer.map((r) => (r as { data: string }).data), ['127.0.0.1'], 'RFC 6761 §6.3');
  assert.equal(ask(zones, '1.0.0.127.in-addr.arpa', 'PTR')?.answer.length, 1);
  assert.equal(ask(zones, 'x.corp.invalid')?.rcode, RCODE.NXDOMAIN, 'a configured local zone is not overridden');
  assert.equal(ask(zones, 'x.invalid')?.rcode, RCODE.NXDOMAIN);
});

test('reverse zones of private and special addresses are answered locally (RFC 6303 §4, RFC 7793)', () => {
  const zones = new LocalZones([]);
  const v6 = (prefix: string): string => `${'1.'.repeat(32 - prefix.split('.').length + 2)}${prefix}`;
  for (const name of ['1.0.0.10.in-addr.arpa', '1.0.16.172.in-addr.arpa', '1.0.31.172.in-addr.arpa', '1.1.168.192.in-addr.arpa',
    '1.0.64.100.in-addr.arpa', '1.0.127.100.in-addr.arpa', '1.0.254.169.in-addr.arpa', '1.2.0.192.in-addr.arpa', '255.255.255.255.in-addr.arpa',
    v6('d.f.ip6.arpa'), v6('8.e.f.ip6.arpa'), v6('b.e.f.ip6.arpa'), v6('8.b.d.0.1.0.0.2.ip6.arpa'), `${'0.'.repeat(32)}ip6.arpa`]) {
    assert.equal(ask(zones, name, 'PTR')?.rcode, RCODE.NXDOMAIN, name);
  }
  for (const name of ['1.0.15.172.in-addr.arpa', '1.0.32.172.in-addr.arpa', '1.0.128.100.in-addr.arpa', '8.8.8.8.in-addr.arpa', v6('c.f.ip6.arpa')]) {
    assert.equal(ask(zones, name, 'PTR'), undefined, `${name}: a public address, resolved`);
  }
});
