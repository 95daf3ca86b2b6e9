/**
 * The policy stage on the wire, against a real `ward` process: over UDP, TCP and DoT a blocked name
 * gets its list's action with EDE 15 naming the list (RFC 8914); a null-address list answers
 * 0.0.0.0; a CNAME into a blocked name is blocked; a name on the allow list resolves; a client of a
 * group without lists gets the real answer; an RPZ list fetched from a loopback HTTP server (ETag
 * kept) changes answers on `ward reload` without a restart, and a reload whose download fails keeps
 * the last copy.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { makeTempDir } from '../helpers/lab-process.js';
import { query, rcodeName, recordText } from '../helpers/lab-query.js';
import { findOpt, OPTION, readEde, type Message, type RRType } from '../../src/wire/index.js';
import { E2E_ZONE, freePort, runCommand, startWard, wardCli, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.57';
const tmp = makeTempDir('ward-policy');
let ward: WardProcess;
let http: Server;
let rpzBody = '';
let rpzRequests = 0;
let notModified = 0;

const POLICY_ZONE = {
  name: 'policy.test.', type: 'static' as const,
  records: [
    'policy.test. 300 IN SOA ns.policy.test. h.policy.test. 1 3600 900 604800 300',
    ...['ads', 'tracker', 'both', 'redir', 'rpz-nx', 'rpz-local', 'later'].map((n) => `${n}.policy.test. 300 IN A 192.0.2.10`),
    'ads.policy.test. 300 IN AAAA 2001:db8::10',
  ],
};

function rpz(triggers: string[]): string {
  return ['$TTL 60', '@ SOA rpz.invalid. h.rpz.invalid. 1 3600 600 86400 60', '  NS localhost.', ...triggers, ''].join('\n');
}

before(async () => {
  writeFileSync(join(tmp.dir, 'ads.txt'), '# plain domain list\nads.policy.test\nboth.policy.test\nwww.ward.test\r\n');
  writeFileSync(join(tmp.dir, 'hosts.txt'), '0.0.0.0 tracker.policy.test\nnot a hosts line\n');
  writeFileSync(join(tmp.dir, 'allow.txt'), 'both.policy.test\n');
  writeFileSync(join(tmp.dir, 'redirect.txt'), 'redir.policy.test\n');
  rpzBody = rpz(['rpz-nx.policy.test CNAME .', 'rpz-local.policy.test A 192.0.2.99']);
  http = createServer((req, res) => {
    rpzRequests++;
    const etag = `"${createHash('sha256').update(rpzBody).digest('hex').slice(0, 16)}"`;
    if (req.headers['if-none-match'] === etag) { notModified++; res.writeHead(304).end(); return; }
    res.writeHead(200, { etag, 'content-type': 'text/plain' }).end(rpzBody);
  });
  const httpPort = await freePort(ADDR);
  await new Promise<void>((resolve) => http.listen(httpPort, ADDR, resolve));
  ward = await startWard(ADDR, {}, {
    local_zones: [E2E_ZONE, POLICY_ZONE],
    policy: {
      lists: [
        { name: 'allowed', path: join(tmp.dir, 'allow.txt'), format: 'domains', kind: 'allow' },
        { name: 'ads', path: join(tmp.dir, 'ads.txt'), format: 'domains', action: 'nxdomain' },
        { name: 'trackers', path: join(tmp.dir, 'hosts.txt'), format: 'hosts', action: 'null_address', ede: 'filtered' },
        { name: 'redirects', path: join(tmp.dir, 'redirect.txt'), format: 'domains', action: 'redirect', redirect: ['192.0.2.250'] },
        { name: 'feed', url: `http://${ADDR}:${httpPort}/feed.rpz`, format: 'rpz' },
      ],
      groups: [{ name: 'servers', clients: ['127.0.0.9/32'], lists: [] }],
      blocked_ttl: 30,
    },
  });
});

after(async () => {
  await ward?.stop();
  await new Promise((resolve) => http?.close(resolve));
  tmp.remove();
});

function ede(m: Message): { code: number; text?: string }[] {
  return (findOpt(m)?.options ?? []).filter((o) => o.code === OPTION.EDE).map((o) => readEde(o)).filter((e) => e !== undefined)
    .map((e) => ({ code: e.infoCode, text: e.extraText }));
}

const ask = (name: string, type: RRType = 'A', transport: 'udp' | 'tcp' | 'tls' = 'udp'): Promise<Message> =>
  query(ADDR, transport === 'tls' ? ward.tlsPort : ward.port, name, type, { transport, timeoutMs: 5_000 });
const answers = (m: Message): string[] => (m.answers ?? []).map(recordText);


test('a blocked name gets the list action and EDE 15 naming the list, over UDP, TCP and DoT', async () => {
  for (const transport of ['udp', 'tcp', 'tls'] as const) {
    const m = await ask('ads.policy.test', 'A', transport);
    assert.equal(rcodeName(m), 'NXDOMAIN', transport);
    assert.deepEqual(ede(m), [{ code: 15, text: 'blocked by list ads' }], transport);
    assert.equal(m.authorities?.[0]?.type, 'SOA', 'the SOA gives the negative TTL');
    assert.equal((m.authorities?.[0] as { ttl?: number }).ttl, 30, 'policy.blocked_ttl');
  }
  const aaaa = await ask('ads.policy.test', 'AAAA');
  assert.equal(rcodeName(aaaa), 'NXDOMAIN', 'every type of a blocked name');
});

test('null address (EDE 17 Filtered) and redirect lists', async () => {
  const a = await ask('tracker.policy.test');
  assert.deepEqual(answers(a), ['tracker.policy.test A 0.0.0.0']);
  assert.deepEqual(ede(a), [{ code: 17, text: 'blocked by list trackers' }]);
  assert.deepEqual(answers(await ask('tracker.policy.test', 'AAAA')), ['tracker.policy.test AAAA ::']);
  assert.deepEqual(answers(await ask('redir.policy.test')), ['redir.policy.test A 192.0.2.250']);
  const noV6 = await ask('redir.policy.test', 'AAAA');
  assert.equal(rcodeName(noV6), 'NOERROR');
  assert.deepEqual(answers(noV6), [], 'no IPv6 redirect address: NODATA');
});

test('a CNAME into a blocked name is blocked; an allowed name resolves; a client without lists gets the real answer', async () => {
  const viaCname = await ask('web.ward.test');
  assert.equal(rcodeName(viaCname), 'NXDOMAIN', 'web.ward.test is a CNAME to the blocked www.ward.test');
  assert.deepEqual(ede(viaCname), [{ code: 15, text: 'blocked by list ads' }]);
  assert.deepEqual(answers(await ask('both.policy.test')), ['both.policy.test A 192.0.2.10'], 'the allow list wins');
  const dig = await runCommand('dig', [`@${ADDR}`, '-p', String(ward.port), '-b', '127.0.0.9', '+short', 'ads.policy.test', 'A']);
  assert.equal(dig.stdout.trim(), '192.0.2.10', `the servers group has no lists: ${dig.stderr}`);
  const other = await runCommand('dig', [`@${ADDR}`, '-p', String(ward.port), '-b', '127.0.0.8', '+short', 'ads.policy.test', 'A']);
  assert.equal(other.stdout.trim(), '', 'another client of the default group is blocked');
});

test('an RPZ list from a URL: its actions, a refresh on reload changes answers, a failed refresh keeps the last copy', async () => {
  assert.equal(rcodeName(await ask('rpz-nx.policy.test')), 'NXDOMAIN');
  assert.deepEqual(answers(await ask('rpz-local.policy.test')), ['rpz-local.policy.test A 192.0.2.99'], 'RPZ local data');
  assert.deepEqual(answers(await ask('later.policy.test')), ['later.policy.test A 192.0.2.10']);

  rpzBody = rpz(['later.policy.test CNAME .']);
  const reload = await wardCli(['reload', '--config', ward.configFile]);
  assert.equal(reload.code, 0, reload.stderr);
  assert.equal(rcodeName(await ask('later.policy.test')), 'NXDOMAIN', 'the refreshed list is in use');
  assert.deepEqual(answers(await ask('rpz-nx.policy.test')), ['rpz-nx.policy.test A 192.0.2.10'], 'the old trigger is gone');

  const unchanged = await wardCli(['reload', '--config', ward.configFile]);
  assert.equal(unchanged.code, 0, unchanged.stderr);
  assert.equal(notModified, 1, 'an unchanged list is asked for with its ETag and not sent again');
  assert.equal(rcodeName(await ask('later.policy.test')), 'NXDOMAIN');

  const before = rpzRequests;
  await new Promise((resolve) => http.close(resolve));
  const again = await wardCli(['reload', '--config', ward.configFile]);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(rpzRequests, before, 'the server was down');
  assert.equal(rcodeName(await ask('later.policy.test')), 'NXDOMAIN', 'the last good copy is kept');
  assert.match(ward.output(), /list download failed: the last copy is used/);

  // Each blocked query is counted, repeats too (blocked answers are not reused from the microcache).
  const before2 = JSON.parse((await wardCli(['stats', '--json', '--config', ward.configFile])).stdout).policy.by_list.ads;
  for (let i = 0; i < 3; i++) await ask('ads.policy.test');
  const stats = JSON.parse((await wardCli(['stats', '--json', '--config', ward.configFile])).stdout);
  assert.equal(stats.policy.by_list.ads, before2 + 3);
  assert.ok(stats.policy.blocked >= 8, JSON.stringify(stats.policy));
  assert.ok(stats.policy.by_list.ads >= 5 && stats.policy.blocked_via_cname >= 1, JSON.stringify(stats.policy));
  assert.match(ward.output(), /"line":2,"text":"not a hosts line"/, 'the bad line is reported with file and line');
});
