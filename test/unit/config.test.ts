/** Config loading: defaults, the shipped files, and errors that name file, key path and expectation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { loadConfig, parseConfig, defaultConfig } from '../../src/config/index.js';
import { ConfigError } from '../../src/util/index.js';
import { REPO_ROOT } from '../helpers/paths.js';

function configError(text: string): ConfigError {
  try {
    parseConfig(text, 'test.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected ConfigError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a ConfigError');
}

test('an empty document gives the defaults', () => {
  assert.deepEqual(parseConfig('', 'empty.yaml'), defaultConfig());
});

test('missing keys take defaults, given keys replace them', () => {
  const c = parseConfig('server:\n  limits: { udp_max_payload: 1400 }\nlog: { level: debug }\n', 'x.yaml');
  assert.equal(c.server.limits.udp_max_payload, 1400);
  assert.equal(c.server.limits.max_connections, defaultConfig().server.limits.max_connections);
  assert.equal(c.log.level, 'debug');
  assert.deepEqual(c.server.listen, defaultConfig().server.listen);
});

test('the shipped config files load', () => {
  const ward = loadConfig(join(REPO_ROOT, 'config/ward.yaml'));
  assert.equal(ward.server.listen.length, 3);
  assert.ok(ward.local_zones.length > 0);
  const prod = loadConfig(join(REPO_ROOT, 'config/production.yaml'));
  assert.ok(prod.server.listen.some((l) => l.port === 853 && l.transport === 'tls'));
  assert.deepEqual(prod.local_zones[1].records, []);
});

test('unknown keys are errors with their path', () => {
  const e = configError('server:\n  listen:\n    - { address: 127.0.0.1, port: 53, transport: udp }\n    - { address: 127.0.0.1, prot: 53, transport: tcp }\n');
  assert.equal(e.file, 'test.yaml');
  assert.equal(e.key, 'server.listen[1].prot');
  assert.match(e.message, /^test\.yaml: server\.listen\[1\]\.prot: expected a known key \(address, port, transport\)/);
  assert.equal(configError('serverr: {}\n').key, 'serverr');
});

test('wrong types name the key and the expected value', () => {
  const port = configError('server:\n  listen:\n    - { address: 127.0.0.1, port: "53", transport: udp }\n');
  assert.equal(port.key, 'server.listen[0].port');
  assert.match(port.expected, /an integer 1\.\.65535, got string "53"/);
  assert.equal(configError('server:\n  listen:\n    - { address: 127.0.0.1, port: 70000, transport: udp }\n').key, 'server.listen[0].port');
  const transport = configError('server:\n  listen:\n    - { address: 127.0.0.1, port: 53, transport: quic }\n');
  assert.match(transport.expected, /one of udp \| tcp \| tls/);
  assert.equal(configError('cache: { serve_stale: yes }\n').key, 'cache.serve_stale');
  const timer = configError('cache: { stale_client_timeout_ms: -1 }\n');
  assert.equal(timer.key, 'cache.stale_client_timeout_ms');
  assert.match(timer.expected, /an integer 0\.\.60000/);
  assert.equal(configError('cache: { stale_max_ttl: 1.5 }\n').key, 'cache.stale_max_ttl');
  assert.equal(configError('cache: { stale_ttl_reset: 1 }\n').key, 'cache.stale_ttl_reset');
  assert.equal(configError('cache: { serve_original_ttl: "no" }\n').key, 'cache.serve_original_ttl');
  assert.equal(configError('server: { listen: 5 }\n').key, 'server.listen');
  assert.equal(configError('local_zones: [ { name: a.test., type: static, records: [ 5 ] } ]\n').key, 'local_zones[0].records[0]');
});

test('addresses and prefixes are checked', () => {
  assert.equal(configError('server:\n  listen:\n    - { address: localhost, port: 53, transport: udp }\n').key, 'server.listen[0].address');
  assert.equal(configError('server: { access_control: [ { prefix: 10.0.0.0/33, action: allow } ] }\n').key, 'server.access_control[0].prefix');
  assert.equal(configError('server: { access_control: [ { prefix: 10.0.0.0/8, action: permit } ] }\n').key, 'server.access_control[0].action');
});

test('required keys in list entries are reported', () => {
  const e = configError('server:\n  listen:\n    - { address: 127.0.0.1, transport: udp }\n');
  assert.equal(e.key, 'server.listen[0].port');
  assert.match(e.expected, /required/);
  assert.equal(configError('server: { tls: { certificate: /x.pem } }\n').key, 'server.tls.key');
});

test('cross-key rules: duplicate sockets, min_ttl above max_ttl', () => {
  const dup = 'server:\n  listen:\n    - { address: 127.0.0.1, port: 53, transport: tcp }\n    - { address: 127.0.0.1, port: 53, transport: tls }\n';
  assert.equal(configError(dup).key, 'server.listen[1]');
  assert.equal(configError('cache: { min_ttl: 10, max_ttl: 5 }\n').key, 'cache.min_ttl');
});

test('stub_zones: name and addresses, below the root, with servers, not configured twice', () => {
  const ok = parseConfig('stub_zones:\n  - { name: corp.example., addresses: [192.0.2.53, "2001:db8::53"] }\n', 'x.yaml');
  assert.deepEqual(ok.stub_zones, [{ name: 'corp.example.', addresses: ['192.0.2.53', '2001:db8::53'], hosts: [], first: false }]);
  const named = parseConfig('stub_zones: [ { name: a.test, hosts: [ns1.example.net] } ]\nforward_zones: [ { name: b.test, hosts: [dns.example.net.], tls: true } ]\n', 'x.yaml');
  assert.deepEqual(named.stub_zones, [{ name: 'a.test', addresses: [], hosts: ['ns1.example.net'], first: false }]);
  assert.deepEqual(named.forward_zones, [{ name: 'b.test', addresses: [], hosts: ['dns.example.net.'], tls: true, first: false }]);
  const first = parseConfig('stub_zones: [ { name: a.test, addresses: [192.0.2.1], first: true } ]\nforward_zones: [ { name: b.test, addresses: [192.0.2.2], first: true } ]\n', 'x.yaml');
  assert.equal(first.stub_zones[0].first, true);
  assert.deepEqual(first.forward_zones, [{ name: 'b.test', addresses: ['192.0.2.2'], hosts: [], tls: false, first: true }]);
  assert.deepEqual(defaultConfig().stub_zones, []);
  const cases: [string, string, RegExp][] = [
    ['stub_zones: [ { name: corp.example } ]', 'stub_zones[0].addresses', /at least one server address \(or a server name in hosts\)/],
    ['forward_zones: [ { name: corp.example } ]', 'forward_zones[0].addresses', /at least one server address \(or a server name in hosts\)/],
    ['stub_zones: [ { name: corp.example, hosts: ["not a name"] } ]', 'stub_zones[0].hosts[0]', /host name like ns1.example.net/],
    ['stub_zones: [ { name: "a..b", addresses: [192.0.2.53] } ]', 'stub_zones[0].name', /domain name/],
    ['stub_zones: [ { name: corp.example, addresses: [ns.corp.example] } ]', 'stub_zones[0].addresses[0]', /IPv4 or IPv6 address/],
    ['stub_zones: [ { name: corp.example, addresses: [192.0.2.53], tls: true } ]', 'stub_zones[0].tls', /known key/],
    ['stub_zones: [ { name: corp.example, addresses: [] } ]', 'stub_zones[0].addresses', /at least one server/],
    ['stub_zones: [ { name: corp.example, addresses: [192.0.2.53], first: maybe } ]', 'stub_zones[0].first', /true or false/],
    ['forward_zones: [ { name: corp.example, addresses: [192.0.2.53], first: 1 } ]', 'forward_zones[0].first', /true or false/],
    ['stub_zones: [ { name: ., addresses: [192.0.2.53] } ]', 'stub_zones[0].name', /below the root.*root_hints/],
    ['stub_zones: [ { name: a.test, addresses: [192.0.2.1] }, { name: A.test., addresses: [192.0.2.2] } ]', 'stub_zones[1].name', /already a stub zone/],
    ['forward_zones: [ { name: a.test, addresses: [192.0.2.1] } ]\nstub_zones: [ { name: a.test., addresses: [192.0.2.2] } ]', 'stub_zones[0].name', /already a forward zone/],
  ];
  for (const [text, key, expected] of cases) {
    const e = configError(`${text}\n`);
    assert.deepEqual([e.file, e.key], ['test.yaml', key], text);
    assert.match(e.expected, expected, text);
  }
});

test('YAML syntax errors and duplicate keys name the line', () => {
  assert.match(configError('server:\n  listen: [\n').key, /^line \d+$/);
  assert.match(configError('log: { level: info }\nlog: { level: debug }\n').key, /^line 2$/);
  assert.equal(configError('- just\n- a list\n').key, '(top level)');
});

test('loadConfig reports an unreadable file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-config-'));
  try {
    const missing = join(dir, 'nope.yaml');
    assert.throws(() => loadConfig(missing), (e: unknown) => e instanceof ConfigError && e.file === missing);
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'log: { level: warn }\n');
    assert.equal(loadConfig(file).log.level, 'warn');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('dns64 is off by default, with the Well-Known Prefix and the IPv4-mapped prefix excluded', () => {
  assert.deepEqual(defaultConfig().dns64, { enabled: false, prefix: '64:ff9b::/96', exclude: ['::ffff:0:0/96'] });
  const c = parseConfig('dns64: { enabled: true, prefix: "2001:db8:100::/40" }\n', 'test.yaml');
  assert.deepEqual(c.dns64, { enabled: true, prefix: '2001:db8:100::/40', exclude: ['::ffff:0:0/96'] });
  assert.deepEqual(parseConfig('dns64: { exclude: [] }\n', 'test.yaml').dns64.exclude, []);
});

test('dns64.prefix must be an IPv6 prefix of an RFC 6052 length', () => {
  for (const bad of ['64:ff9b::/80', '64:ff9b::', '192.0.2.0/24', '64:ff9b::/96/1', 'nonsense/96']) {
    const e = configError(`dns64: { prefix: "${bad}" }\n`);
    assert.equal(e.file, 'test.yaml');
    assert.equal(e.key, 'dns64.prefix');
    assert.match(e.message, /^test\.yaml: dns64\.prefix: expected an IPv6 prefix of length 32, 40, 48, 56, 64, 96 like 64:ff9b::\/96 \(RFC 6052 §2\.2\), got string/, bad);
  }
  for (const good of ['2001:db8::/32', '2001:db8:100::/40', '2001:db8:122::/48', '2001:db8:122:300::/56', '2001:db8:122:344::/64', '64:ff9b:1::/96']) {
    assert.equal(parseConfig(`dns64: { prefix: "${good}" }\n`, 'test.yaml').dns64.prefix, good);
  }
});

test('dns64.exclude is a list of IPv6 prefixes; other keys are unknown', () => {
  const e = configError('dns64: { exclude: ["::ffff:0:0/96", "10.0.0.0/8"] }\n');
  assert.equal(e.key, 'dns64.exclude[1]');
  assert.match(e.expected, /an IPv6 prefix like ::ffff:0:0\/96, got string "10\.0\.0\.0\/8"/);
  assert.equal(configError('dns64: { exclude: ["2001:db8::/129"] }\n').key, 'dns64.exclude[0]');
  assert.equal(configError('dns64: { exclude: "::ffff:0:0/96" }\n').key, 'dns64.exclude');
  assert.equal(configError('dns64: { enabled: yes }\n').key, 'dns64.enabled');
  assert.match(configError('dns64: { prefixes: [] }\n').message, /dns64\.prefixes: expected a known key \(enabled, prefix, exclude\)/);
});

test('resolver.private_addresses and private_domains: empty by default, prefixes and domain names', () => {
  const d = defaultConfig().resolver;
  assert.deepEqual([d.private_addresses, d.private_domains], [[], []]);
  const c = parseConfig('resolver: { private_addresses: [10.0.0.0/8, "fe80::/10", 192.0.2.1], private_domains: [home.arpa, lan.example.] }\n', 'test.yaml');
  assert.deepEqual(c.resolver.private_addresses, ['10.0.0.0/8', 'fe80::/10', '192.0.2.1']);
  assert.deepEqual(c.resolver.private_domains, ['home.arpa', 'lan.example.']);
  const e = configError('resolver: { private_addresses: [10.0.0.0/8, 10.0.0.0/33] }\n');
  assert.equal(e.file, 'test.yaml');
  assert.equal(e.key, 'resolver.private_addresses[1]');
  assert.match(e.message, /expected a prefix length 0\.\.32/);
  assert.equal(configError('resolver: { private_addresses: [lan] }\n').key, 'resolver.private_addresses[0]');
  assert.equal(configError('resolver: { private_domains: ["bad..name"] }\n').key, 'resolver.private_domains[0]');
  assert.equal(configError('resolver: { private_domains: home.arpa }\n').key, 'resolver.private_domains');
});

test('upstream.nat64: off by default with the Well-Known Prefix; the prefix is an RFC 6052 one', () => {
  assert.deepEqual(defaultConfig().upstream.nat64, { enabled: false, prefix: '64:ff9b::/96' });
  const c = parseConfig('upstream: { nat64: { enabled: true, prefix: "2001:db8:64::/96" } }\n', 'test.yaml');
  assert.deepEqual(c.upstream.nat64, { enabled: true, prefix: '2001:db8:64::/96' });
  const e = configError('upstream: { nat64: { enabled: true, prefix: "2001:db8::/80" } }\n');
  assert.equal(e.file, 'test.yaml');
  assert.equal(e.key, 'upstream.nat64.prefix');
  assert.match(e.message, /expected an IPv6 prefix of length 32, 40, 48, 56, 64, 96/);
  assert.equal(configError('upstream: { nat64: { enabled: "yes" } }\n').key, 'upstream.nat64.enabled');
  assert.match(configError('upstream: { nat64: { prefixes: [] } }\n').message, /upstream\.nat64\.prefixes: expected a known key \(enabled, prefix\)/);
});

test('server.workers: 1 by default, an integer 1..256 or auto (one per CPU)', async () => {
  const { workerCount } = await import('../../src/config/index.js');
  const { availableParallelism } = await import('node:os');
  assert.equal(defaultConfig().server.workers, 1);
  assert.equal(workerCount(defaultConfig()), 1);
  assert.equal(workerCount(parseConfig('server: { workers: 3 }\n', 'test.yaml')), 3);
  assert.equal(workerCount(parseConfig('server: { workers: auto }\n', 'test.yaml')), availableParallelism());
  for (const bad of ['0', '257', '1.5', 'many', '"2"', 'true']) {
    const e = configError(`server: { workers: ${bad} }\n`);
    assert.equal(e.file, 'test.yaml');
    assert.equal(e.key, 'server.workers');
    assert.match(e.message, /^test\.yaml: server\.workers: expected an integer 1\.\.256 or auto, got /, bad);
  }
});
