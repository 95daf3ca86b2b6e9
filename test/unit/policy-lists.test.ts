/**
 * The list formats and the policy decision, on excerpts written like the lists people use (Steven
 * Black's hosts, EasyList-style adblock rules, an RPZ feed): malformed lines reported with their
 * line numbers and the good ones kept, Windows line endings, IDN names in punycode and in UTF-8, a
 * name both blocked and allowed, exceptions, $important, wildcards, client groups.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultConfig, type PolicyConfig, type PolicyList } from '../../src/config/index.js';
import { DomainSet, PolicyEngine, parseAdblock, parseDomains, parseHosts, parseRpz } from '../../src/policy/index.js';

const HOSTS = [
  '# Title: StevenBlack/hosts (its 0.0.0.0 0.0.0.0 and localhost lines are idioms, not blocks)',
  '127.0.0.1 localhost',
  '0.0.0.0 0.0.0.0',
  '0.0.0.0 ads.example.com   # trailing comment',
  '0.0.0.0 tracker.example.net metrics.example.net\r',
  '::1 v6.example.org',
  'this is not a hosts line',
  '0.0.0.0 bad_label-.example.com',
  '0.0.0.0 xn--bcher-kva.example',
  '0.0.0.0 bücher.example.de',
  '',
].join('\n');

test('hosts: several names a line, comments, CRLF, IDN in both forms; bad lines reported with their numbers', () => {
  const p = parseHosts(HOSTS);
  assert.deepEqual(p.entries.map((e) => e.name), [
    'ads.example.com', 'tracker.example.net', 'metrics.example.net', 'v6.example.org', 'xn--bcher-kva.example', 'xn--bcher-kva.example.de',
  ]);
  assert.ok(p.entries.every((e) => e.exact && !e.below), 'hosts entries match exactly');
  assert.deepEqual(p.bad.map((b) => b.line), [7, 8], JSON.stringify(p.bad));
});

test('adblock: ||name^ covers the subtree, @@ exceptions, $important, cosmetic and path rules skipped', () => {
  const p = parseAdblock([
    '[Adblock Plus 2.0]', '! Title: EasyList-like', '||doubleclick.example^', '@@||ok.doubleclick.example^',
    '||must.example^$important', '##.ad-banner', 'example.com##.sidebar', '/banner/*/img^', '||cdn.example^$third-party',
    '|https://x.example/', 'plain.example', '||bad name^',
  ].join('\r\n'));
  assert.deepEqual(p.entries.map((e) => [e.name, e.exact, e.below, e.allow ?? false, e.important ?? false]), [
    ['doubleclick.example', true, true, false, false], ['ok.doubleclick.example', true, true, true, false],
    ['must.example', true, true, false, true], ['plain.example', true, true, false, false],
  ]);
  assert.equal(p.skipped, 5);
  assert.deepEqual(p.bad.map((b) => b.line), [12]);
});

test('domains: one name a line, *.name for the names below only', () => {
  const p = parseDomains('example.com\n*.wild.example\n  spaced.example  \nnot a name\n# c\n');
  assert.deepEqual(p.entries.map((e) => [e.name, e.exact, e.below]), [['example.com', true, false], ['wild.example', false, true], ['spaced.example', true, false]]);
  assert.deepEqual(p.bad.map((b) => b.line), [4]);
});

test('RPZ: QNAME triggers and their actions; IP and NSDNAME triggers refused with a message', () => {
  const p = parseRpz([
    '$TTL 300', '@ SOA localhost. root.localhost. 1 3600 600 86400 60', '  NS localhost.',
    'nx.example CNAME .', '*.nx.example CNAME .', 'nodata.example CNAME *.', 'pass.example CNAME rpz-passthru.',
    'drop.example CNAME rpz-drop.', 'local.example A 192.0.2.7', 'local.example TXT "walled garden"', 'alias.example CNAME garden.example.net.',
    '32.1.2.0.192.rpz-ip CNAME .', 'ns.evil.example.rpz-nsdname CNAME .', 'broken.example A not-an-address',
  ].join('\n'));
  const byName = new Map(p.entries.map((e) => [`${e.exact ? '' : '*.'}${e.name}`, e.action]));
  assert.equal(byName.get('nx.example')?.kind, 'nxdomain');
  assert.equal(byName.get('*.nx.example')?.kind, 'nxdomain');
  assert.equal(byName.get('nodata.example')?.kind, 'nodata');
  assert.equal(byName.get('pass.example')?.kind, 'passthru');
  assert.equal(byName.get('drop.example')?.kind, 'drop');
  const local = byName.get('local.example');
  assert.ok(local?.kind === 'local' && local.records.length === 2);
  assert.equal(byName.get('alias.example')?.kind, 'local');
  assert.deepEqual(p.bad.map((b) => b.why.replace(/^line \d+: /, '')).sort(), [
    'NSDNAME triggers are not supported', 'RPZ-IP (response IP) triggers are not supported', 'bad IPv4 address not-an-address',
  ].sort());
});

function policy(lists: Partial<PolicyList>[], extra: Partial<PolicyConfig> = {}): PolicyConfig {
  const base: PolicyList = { name: 'x', path: '/dev/null', url: null, format: 'domains', kind: 'block', action: 'nxdomain', redirect: [], ede: 'blocked', refresh_s: 86400 };
  return { ...defaultConfig().policy, lists: lists.map((l, i) => ({ ...base, name: `l${i}`, ...l })), ...extra };
}

test('the decision: allow wins over block, $important over allow, config order between lists, groups choose lists', () => {
  const engine = new PolicyEngine(policy([{}, { kind: 'allow' }, { format: 'adblock', action: 'nodata' }], {
    allow: ['*.allowed.example', 'Bücher.Example.'],
    groups: [{ name: 'kids', clients: ['10.0.0.0/8'], lists: ['l0', 'l2'] }, { name: 'servers', clients: ['192.0.2.0/24'], lists: [] }],
  }));
  engine.addList(0, parseDomains('both.example\nblocked.example\nx.allowed.example\n*.sub.example\n').entries);
  engine.addList(1, parseDomains('both.example\n').entries);
  engine.addList(2, parseAdblock('||blocked.example^\n||imp.example^$important\n@@||fine.imp.example^\n').entries);
  const d = (name: string, client = '127.0.0.1') => engine.decide(name, engine.groupOf(client));
  assert.equal(d('both.example')?.kind, 'pass', 'a name both blocked and allowed is allowed');
  assert.deepEqual(d('blocked.example'), { kind: 'block', list: 0, name: 'blocked.example', entry: 'blocked.example', action: 'nxdomain' }, 'the first list in config order decides');
  assert.equal((d('a.blocked.example') as { list: number }).list, 2, 'only the adblock list covers the subtree');
  assert.equal(d('x.allowed.example')?.kind, 'pass', 'policy.allow wildcard');
  engine.addList(0, parseDomains('xn--bcher-kva.example\n').entries);
  assert.equal(d('xn--bcher-kva.example')?.kind, 'pass', 'a UTF-8 allow entry matches its punycode form');
  assert.equal(d('fine.imp.example')?.kind, 'block', '$important beats the exception');
  assert.equal(d('sub.example'), undefined, '*.name does not match the name itself');
  assert.equal(d('deep.sub.example')?.kind, 'block');
  assert.equal(d('unlisted.example'), undefined);
  assert.equal(d('both.example', '10.1.2.3')?.kind, 'block', 'kids do not get the allow list');
  assert.equal(d('blocked.example', '192.0.2.9'), undefined, 'servers get no filtering');
  assert.equal(engine.filters(engine.groupOf('192.0.2.9')), false);
});

test('a million names: one Map entry each, a lookup walks the labels (load time and memory: bench/policy.ts)', () => {
  const set = new DomainSet();
  for (let i = 0; i < 1_000_000; i++) set.add(`host${i}.zone${i % 1000}.example`, 0, true, false);
  assert.equal(set.size, 1_000_000);
  assert.deepEqual(set.matches('host77.zone77.example').map((m) => m.entry), ['host77.zone77.example']);
  assert.deepEqual(set.matches('x.host77.zone77.example'), [], 'exact entries do not cover the names below');
});
