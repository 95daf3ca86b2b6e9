/**
 * The operations pieces that need no sockets: cache flush by name, type and subtree, and the
 * resize of a reload; the upstream tracker's counts and encrypted share; TLS rule matching; the
 * config rules of the new keys; the `ward` command line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, RANK } from '../../src/cache/index.js';
import { defaultConfig, parseConfig } from '../../src/config/index.js';
import { ManualClock, ConfigError } from '../../src/util/index.js';
import { parseArgs, UsageError } from '../../src/cli/index.js';
import { subtractCounters } from '../../src/control/index.js';
import { rr } from './resolver-fake-net.js';
import { UpstreamTracker, encryptedShare } from '../../src/upstream/tracker.js';
import { TlsRules } from '../../src/upstream/tls-rules.js';

function cache(maxBytes = 1 << 24): DnsCache {
  return new DnsCache({ ...defaultConfig().cache, max_bytes: maxBytes }, new ManualClock(1_700_000_000_000));
}

const soa = rr('ex.test. 300 SOA ns.ex.test. h.ex.test. 1 2 3 4 60');

test('flush drops a name (or one type, or a subtree) and nothing else', () => {
  const c = cache();
  for (const line of ['www.ex.test. 300 A 192.0.2.1', 'www.ex.test. 300 TXT "t"', 'a.www.ex.test. 300 A 192.0.2.2', 'mail.ex.test. 300 A 192.0.2.3', 'wwwx.ex.test. 300 A 192.0.2.4']) {
    c.storeRRset([rr(line)], RANK.AUTH_ANSWER);
  }
  c.storeNegative('nxdomain', 'gone.www.ex.test', 'A', [soa], RANK.AUTH_AUTHORITY);
  assert.equal(c.flush('WWW.ex.test', { type: 'A' }), 1);
  assert.equal(c.getRRset('www.ex.test', 'A'), undefined);
  assert.ok(c.getRRset('www.ex.test', 'TXT'), 'other types stay');
  assert.equal(c.flush('www.ex.test', { subtree: true }), 3, 'TXT, the name below and its NXDOMAIN');
  assert.equal(c.getRRset('a.www.ex.test', 'A'), undefined);
  assert.equal(c.getNegative('gone.www.ex.test', 'A'), undefined);
  assert.ok(c.getRRset('wwwx.ex.test', 'A'), 'a name that only shares a prefix is not below');
  assert.ok(c.getRRset('mail.ex.test', 'A'));
  assert.equal(c.flush('.', { subtree: true }), 2, 'the root subtree is everything');
  assert.equal(c.entries, 0);
});

test('cache dump lists entries at or below a name with TTL and rank; reconfigure resizes keeping the recent', () => {
  const c = cache();
  for (let i = 0; i < 50; i++) c.storeRRset([rr(`n${i}.ex.test. 300 A 192.0.2.${i}`)], RANK.AUTH_ANSWER);
  c.getRRset('n0.ex.test', 'A');
  const one = c.dump('n7.ex.test');
  assert.equal(one.length, 1);
  assert.equal(one[0].ttl, 300);
  assert.equal(one[0].rank, RANK.AUTH_ANSWER);
  assert.equal(one[0].security, 'unchecked');
  assert.equal(c.dump().length, 50);
  const bytes = c.bytes;
  c.reconfigure({ ...defaultConfig().cache, max_bytes: Math.floor(bytes / 2) });
  assert.ok(c.entries < 50 && c.entries > 0, `${c.entries} entries after halving`);
  assert.ok(c.getRRset('n0.ex.test', 'A'), 'the most recently used entry is kept');
  assert.ok(c.getRRset('n49.ex.test', 'A'));
  assert.equal(c.getRRset('n1.ex.test', 'A'), undefined, 'the least recently used went');
});

test('the tracker counts every try per server and zone; the encrypted share is TLS over all', () => {
  const t = new UpstreamTracker();
  const s = { address: '192.0.2.53', port: 53 };
  const reply = (reused: boolean) => ({ kind: 'reply', bytes: Buffer.alloc(0), rttMs: 1, transport: 'tls', reused }) as const;
  t.sent(s, 'ex.test', 'udp', { kind: 'fail', code: 'timeout', elapsedMs: 1 });
  t.opened(s, 'tls', false);
  t.sent(s, 'ex.test', 'tls', reply(false));
  t.sent(s, 'ex.test', 'tls', reply(true));
  t.opened(s, 'tls', true);
  t.sent(s, 'other.test', 'tls', reply(false));
  // A refused connection carried nothing: not a query.
  t.sent(s, 'other.test', 'tls', { kind: 'fail', code: 'connect-refused', elapsedMs: 1 });
  t.fellBack(s);
  const snap = t.snapshot();
  assert.equal(snap.queries, 4);
  assert.equal(snap.connect_failures, 1);
  assert.deepEqual(snap.by_transport, { udp: 1, tcp: 0, tls: 3 });
  assert.equal(snap.timeouts, 1);
  const row = snap.servers[0];
  assert.deepEqual([row.tls_connections, row.tls_full, row.tls_resumed, row.fallbacks], [2, 1, 1, 1]);
  assert.deepEqual(row.zones, ['ex.test', 'other.test']);
  assert.equal(encryptedShare(row), 0.75);
  assert.deepEqual(snap.zones.map((z) => [z.zone, z.queries, z.queries_tls]), [['ex.test', 3, 2], ['other.test', 1, 1]]);
  t.forget('192.0.2.53');
  assert.equal(t.snapshot().servers.length, 0);
  assert.equal(encryptedShare({ queries: 0, queries_tls: 0 }), 0);
});

test('stats since reset subtract every counter of the tree', () => {
  assert.deepEqual(subtractCounters({ a: 5, b: { c: 3, d: { e: 2 } }, f: { X: 1 } }, { a: 2, b: { c: 3, d: { e: 0 } }, f: {} }),
    { a: 3, b: { c: 0, d: { e: 2 } }, f: { X: 1 } });
});

test('TLS rules: an address rule wins, else the closest zone rule; other servers get none', () => {
  const base = { pins: [], mode: 'strict' as const };
  const rules = new TlsRules([{ ...base, zone: 'example.' }, { ...base, zone: 'deep.example.', mode: 'off' }, { ...base, address: '192.0.2.1', mode: 'opportunistic' }]);
  const s = (address: string) => ({ address, port: 53 });
  assert.equal(rules.match(s('192.0.2.1'), 'deep.example')?.mode, 'opportunistic');
  assert.equal(rules.match(s('192.0.2.2'), 'a.deep.example')?.mode, 'off');
  assert.equal(rules.match(s('192.0.2.2'), 'example')?.mode, 'strict');
  assert.equal(rules.match(s('192.0.2.2'), 'example.net'), undefined);
  assert.equal(rules.match(s('192.0.2.2'), undefined), undefined);
});

test('config: metrics and control listeners stay on loopback; a TCP control listener needs a token; tls_rules are checked', () => {
  const bad = (yaml: string, key: RegExp): void => {
    assert.throws(() => parseConfig(yaml, 'w.yaml'), (err: unknown) => err instanceof ConfigError && key.test(err.message), yaml);
  };
  bad('http: { listen: { address: 192.0.2.1, port: 9153 } }', /http\.listen\.address: expected a loopback address/);
  assert.equal(parseConfig('http: { listen: { address: 192.0.2.1, port: 9153 }, allow_remote: true }', 'w.yaml').http.listen?.port, 9153);
  bad('control: { listen: { address: 127.0.0.1, port: 9000 } }', /control\.token_file/);
  bad('control: { listen: { address: 192.0.2.1, port: 9000 }, token_file: t }', /control\.listen\.address/);
  bad('upstream: { tls_rules: [ { mode: strict } ] }', /upstream\.tls_rules\[0\]: expected exactly one of zone or address/);
  bad('upstream: { tls_rules: [ { zone: example., pins: [nope] } ] }', /upstream\.tls_rules\[0\]\.pins\[0\]: expected a base64 SHA-256 SPKI pin/);
  bad('upstream: { tls_rules: [ { zone: example., mode: opportunistic, pins: ["' + 'A'.repeat(43) + '="] } ] }', /tls_rules\[0\]\.mode: expected strict/);
  bad('log: { queries: { enabled: yes-please } }', /log\.queries\.enabled: expected true or false/);
  const c = parseConfig('upstream: { tls_rules: [ { address: 192.0.2.1 } ] }', 'w.yaml');
  assert.deepEqual(c.upstream.tls_rules[0], { zone: null, address: '192.0.2.1', mode: 'strict', pins: [], ca_file: null, name: null });
});

test('ward command line: control commands, their arguments and usage errors', () => {
  assert.deepEqual(parseArgs(['flush', 'www.example.', '--type', 'aaaa', '--subtree', '-c', 'x.yaml']),
    { command: 'flush', config: 'x.yaml', json: false, reset: false, subtree: true, all: false, name: 'www.example.', type: 'AAAA' });
  assert.equal(parseArgs(['cache', 'dump', 'example.', '--json']).name, 'example.');
  assert.equal(parseArgs(['stats', '--reset']).reset, true);
  assert.equal(parseArgs(['flush-infra', '192.0.2.1']).address, '192.0.2.1');
  assert.equal(parseArgs([]).command, 'run');
  for (const argv of [['flush'], ['flush', '--all', 'x.'], ['cache'], ['flush-infra'], ['stats', 'extra'], ['frobnicate'], ['--type']]) {
    assert.throws(() => parseArgs(argv), UsageError, argv.join(' '));
  }
});
