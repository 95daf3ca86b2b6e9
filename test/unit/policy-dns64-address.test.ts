/** RFC 6052 §2.2 address embedding for DNS64: the §2.4 examples, the u octet, the text form, reverse names. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addressBytes, embedIpv4, extractIpv4, formatIpv6, ipv4ReverseName, parsePref64, reverseName } from '../../src/wire/index.js';
import { ConfigError } from '../../src/util/index.js';

/** An address in RFC 5952 form, whatever form it was written in. */
function canonical(text: string): string {
  const bytes = addressBytes(text);
  assert.ok(bytes?.length === 16, text);
  return formatIpv6(bytes);
}

/** The ip6.arpa name of an address (RFC 3596 §2.5; the nibble order is checked in local-hosts.test.ts). */
function ip6ArpaName(text: string): string {
  const bytes = addressBytes(text);
  assert.ok(bytes?.length === 16, text);
  return reverseName(bytes);
}

// RFC 6052 §2.4, the table of 192.0.2.33 under each prefix length, and the Well-Known Prefix.
const RFC6052_EXAMPLES: [string, string][] = [
  ['2001:db8::/32', '2001:db8:c000:221::'],
  ['2001:db8:100::/40', '2001:db8:1c0:2:21::'],
  ['2001:db8:122::/48', '2001:db8:122:c000:2:2100::'],
  ['2001:db8:122:300::/56', '2001:db8:122:3c0:0:221::'],
  ['2001:db8:122:344::/64', '2001:db8:122:344:c0:2:2100:0'],
  ['2001:db8:122:344::/96', '2001:db8:122:344::192.0.2.33'],
  ['64:ff9b::/96', '64:ff9b::192.0.2.33'],
];

test('RFC 6052 §2.4: 192.0.2.33 embedded under every prefix length, skipping the u octet', () => {
  for (const [prefix, expected] of RFC6052_EXAMPLES) {
    const p = parsePref64(prefix, 'test.yaml', 'dns64.prefix');
    const embedded = embedIpv4(p, '192.0.2.33');
    assert.equal(embedded, canonical(expected), prefix);
    const bytes = addressBytes(embedded);
    assert.ok(bytes);
    assert.equal(bytes[8], 0, `${prefix}: bits 64..71 are zero`);
    assert.equal(extractIpv4(p, bytes), '192.0.2.33', `${prefix}: extracted again`);
  }
});

test('only addresses with the prefix, a zero u octet and a zero suffix carry an IPv4 address', () => {
  const p40 = parsePref64('2001:db8:100::/40', 'test.yaml', 'dns64.prefix');
  const embedded = addressBytes('2001:db8:1c0:2:21::');
  assert.ok(embedded);
  assert.equal(extractIpv4(p40, embedded), '192.0.2.33');
  for (const other of ['2001:db8:1c0:2:121::', '2001:db8:1c0:2:21::1', '2001:db9:1c0:2:21::']) {
    const bytes = addressBytes(other);
    assert.ok(bytes);
    assert.equal(extractIpv4(p40, bytes), undefined, other);
  }
});

test('RFC 5952 text form: the longest run of zero groups (two or more, the first on a tie) becomes ::', () => {
  const cases: [string, string][] = [
    ['0:0:0:0:0:0:0:0', '::'],
    ['2001:0db8:0:0:0:0:0:1', '2001:db8::1'],
    ['1:0:0:1:0:0:0:1', '1:0:0:1::1'],
    ['1:0:0:1:1:0:0:1', '1::1:1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['1:0:0:0:0:0:0:0', '1::'],
  ];
  for (const [text, expected] of cases) assert.equal(canonical(text), expected, text);
});

test('a prefix with bits past its length, or a /96 with a non-zero u octet, is a config error naming dns64.prefix', () => {
  for (const [bad, why] of [['64:ff9b::1/96', /no bits set past \/96/], ['2001:db8::1:0:0/64', /no bits set past \/64/], ['2001:db8:0:0:100::/96', /bits 64\.\.71 are zero/]] as const) {
    assert.throws(() => parsePref64(bad, 'w.yaml', 'dns64.prefix'), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.file, 'w.yaml');
      assert.equal(err.key, 'dns64.prefix');
      assert.match(err.expected, why);
      return true;
    }, bad);
  }
});

test('RFC 6147 §5.3.1: the ip6.arpa name of an embedded address maps to the in-addr.arpa name of its IPv4 address', () => {
  const wkp = parsePref64('64:ff9b::/96', 'test.yaml', 'dns64.prefix');
  assert.equal(ipv4ReverseName(wkp, ip6ArpaName('64:ff9b::192.0.2.33')), '33.2.0.192.in-addr.arpa');
  assert.equal(ipv4ReverseName(wkp, ip6ArpaName('64:ff9b::192.0.2.33').toUpperCase() + '.'), '33.2.0.192.in-addr.arpa', 'case and a final dot');
  const p56 = parsePref64('2001:db8:122:300::/56', 'test.yaml', 'dns64.prefix');
  assert.equal(ipv4ReverseName(p56, ip6ArpaName('2001:db8:122:3c0:0:221::')), '33.2.0.192.in-addr.arpa');
  assert.equal(ipv4ReverseName(wkp, ip6ArpaName('2001:db8::1')), undefined, 'outside the prefix');
  assert.equal(ipv4ReverseName(wkp, 'b.9.f.f.4.6.0.0.ip6.arpa'), undefined, 'not a whole address');
  assert.equal(ipv4ReverseName(wkp, '33.2.0.192.in-addr.arpa'), undefined);
});
