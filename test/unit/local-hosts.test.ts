/** The local hosts table (src/server/local-hosts.ts) and the shared hosts-file parser. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHosts, parseHostsText, type ClientQuery } from '../../src/server/index.js';
import { addressBytes, reverseName } from '../../src/wire/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { makeTempDir } from '../helpers/lab-process.js';

const PEER = { address: '127.0.0.1', port: 5353, transport: 'udp' } as unknown as ClientQuery['peer'];

function ask(t: LocalHosts, name: string, type: string): ReturnType<LocalHosts['answer']> {
  return t.answer({ question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false }, peer: PEER });
}

function table(entries: string[], extra: Partial<ReturnType<typeof defaultConfig>['local_hosts']> = {}): LocalHosts {
  return new LocalHosts({ ...defaultConfig().local_hosts, entries, ...extra }, 'w.yaml');
}

test('reverse names of IPv4 and IPv6 addresses (RFC 1035 §3.5, RFC 3596 §2.5)', () => {
  assert.equal(reverseName(addressBytes('192.0.2.1')!), '1.2.0.192.in-addr.arpa');
  assert.equal(reverseName(addressBytes('2001:db8::abc')!), `c.b.a.0.${'0.'.repeat(20)}8.b.d.0.1.0.0.2.ip6.arpa`);
});

test('hosts text: comments, aliases, bad addresses and bad names reported by line', () => {
  const p = parseHostsText('# c\n192.0.2.1 a.test b # alias\n\n300.1.1.1 x.test\n192.0.2.2 bad..name ok.test\n192.0.2.3\n');
  assert.deepEqual(p.lines, [{ line: 2, address: '192.0.2.1', names: ['a.test', 'b'] }, { line: 5, address: '192.0.2.2', names: ['ok.test'] }]);
  assert.deepEqual(p.bad.map((b) => b.line), [4, 5, 6]);
});

test('A, AAAA, ANY, NODATA, PTR, and names not listed pass on', () => {
  const t = table(['192.0.2.1 www.hosts.test www', '2001:db8::1 www.hosts.test', '192.0.2.1 other.hosts.test', '192.0.2.9 only4.hosts.test']);
  assert.deepEqual(ask(t, 'WWW.hosts.test', 'A')?.answer, [{ name: 'WWW.hosts.test', type: 'A', class: 'IN', ttl: 5, data: '192.0.2.1' }]);
  assert.deepEqual(ask(t, 'www.hosts.test', 'AAAA')?.answer.map((r) => (r as { data?: unknown }).data), ['2001:db8::1']);
  assert.deepEqual(ask(t, 'www.hosts.test', 'ANY')?.answer.map((r) => r.type), ['A', 'AAAA']);
  const mx = ask(t, 'www.hosts.test', 'MX');
  assert.equal(mx?.rcode, 0);
  assert.deepEqual(mx?.answer, []);
  assert.deepEqual(ask(t, 'only4.hosts.test', 'AAAA')?.answer, []);
  assert.equal(ask(t, 'www.hosts.test', 'A')?.aa, false);
  // The first line giving an address names it.
  assert.deepEqual(ask(t, '1.2.0.192.in-addr.arpa', 'PTR')?.answer.map((r) => (r as { data?: unknown }).data), ['www.hosts.test']);
  assert.deepEqual(ask(t, '1.2.0.192.in-addr.arpa', 'A')?.answer, []);
  assert.equal(ask(t, 'nothere.hosts.test', 'A'), undefined);
  assert.equal(ask(t, '2.2.0.192.in-addr.arpa', 'PTR'), undefined);
  assert.equal(t.answer({ question: { name: 'www.hosts.test', type: 'A', class: 'CH' }, flags: { rd: true, cd: false, do: false, ad: false }, peer: PEER }), undefined);
});

test('reverse: false leaves PTR questions to the resolver; ttl is applied', () => {
  const t = table(['192.0.2.1 www.hosts.test'], { reverse: false, ttl: 300 });
  assert.equal(ask(t, '1.2.0.192.in-addr.arpa', 'PTR'), undefined);
  assert.equal((ask(t, 'www.hosts.test', 'A')?.answer[0] as { ttl?: number }).ttl, 300);
});

test('config errors name the file, the key and the line', () => {
  assert.throws(() => table(['not-an-address www.test']),
    (e: Error) => e.message === 'w.yaml: local_hosts.entries[0]: expected a hosts line "address name [name ...]", got "not-an-address www.test" ("not-an-address" is not an IP address)');
  const tmp = makeTempDir('hosts-unit');
  try {
    const f = join(tmp.dir, 'hosts');
    writeFileSync(f, '192.0.2.1 fine.test\n192.0.2.2 -bad-.test\n');
    assert.throws(() => table([], { files: [f] }), (e: Error) => e.message.startsWith(`${f}: local_hosts.files[0] line 2: expected a hosts line`));
    assert.throws(() => table([], { files: [join(tmp.dir, 'missing')] }), (e: Error) => e.message.startsWith('w.yaml: local_hosts.files[0]: expected a readable hosts file'));
  } finally {
    tmp.remove();
  }
});
