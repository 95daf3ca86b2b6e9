/**
 * The control channel against the resolver's caches, seen from scripted authoritative servers on
 * the wire (the hostile world's honest setting): a cached answer asks nobody; `flush NAME` (also
 * `--type`, `--subtree`, `--all`) makes the next query go upstream again; `cache dump` shows what
 * is cached with remaining TTL and rank; `upstream` counts exactly the queries the servers received;
 * `flush-infra` forgets a server's row. Requests go through the real control socket.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { controlRequest } from '../../src/control/index.js';
import { rrs, serveZones } from '../helpers/hostile-auth.js';
import { answerTexts, useHostileWorld } from '../helpers/hostile-world.js';

describe('control channel: flush, cache dump, upstream', { timeout: 60_000 }, () => {
  const fixture = useHostileWorld(60, 1);
  const zone = (): string[] => [
    'ops.test. SOA ns.ops.test. h.ops.test. 1 3600 900 604800 60', 'ops.test. NS ns.ops.test.',
    `ns.ops.test. A ${fixture.world.servers[0].address}`, 'www.ops.test. A 192.0.2.61', 'www.ops.test. TXT "v1"',
    'deep.www.ops.test. A 192.0.2.62', 'mail.ops.test. A 192.0.2.63',
  ];

  async function setUp(): Promise<{ ask: (name: string, type?: 'A' | 'TXT') => Promise<string[]>; control: (command: string, args?: object) => Promise<any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const s = fixture.world.servers[0];
    const w = await fixture.fresh('ops.test. NS ns.ops.test.', `ns.ops.test. A ${s.address}`);
    s.script = serveZones(['ops.test'], rrs(...zone()));
    const socket = w.app.control;
    assert.ok(socket, 'the in-process Ward has a control socket');
    return {
      ask: async (name, type = 'A') => answerTexts(await w.ask(name, type)),
      control: (command, args) => controlRequest({ socket }, { command: command as never, ...(args ? { args: args as never } : {}) }) as Promise<any>, // eslint-disable-line @typescript-eslint/no-explicit-any
    };
  }

  test('flush NAME, --type and --subtree make the next query go upstream; the rest stays cached', async () => {
    const { ask, control } = await setUp();
    const auth = fixture.world.servers[0];
    for (const n of ['www.ops.test', 'deep.www.ops.test', 'mail.ops.test']) await ask(n);
    await ask('www.ops.test', 'TXT');
    const asked = (n: string, t?: string): number => auth.count(n, t);
    assert.equal(asked('www.ops.test', 'A'), 1);
    await ask('www.ops.test');
    assert.equal(asked('www.ops.test', 'A'), 1, 'a cached answer asks nobody');

    assert.equal((await control('flush', { name: 'www.ops.test', type: 'A' })).removed, 1);
    assert.deepEqual(await ask('www.ops.test'), ['www.ops.test A 192.0.2.61']);
    assert.equal(asked('www.ops.test', 'A'), 2, 'flushed: asked again');
    await ask('www.ops.test', 'TXT');
    assert.equal(asked('www.ops.test', 'TXT'), 1, 'a type flush leaves the other types');

    await control('flush', { name: 'www.ops.test', subtree: true });
    await ask('deep.www.ops.test');
    assert.equal(asked('deep.www.ops.test', 'A'), 2, 'the subtree went too');
    await ask('mail.ops.test');
    assert.equal(asked('mail.ops.test', 'A'), 1, 'a sibling outside the subtree stays');

    const dump = await control('cache-dump', { name: 'ops.test' }) as { kind: string; ttl: number; rank: number; security: string; records: string[] }[];
    const mail = dump.find((e) => e.records.some((r) => r.startsWith('mail.ops.test.')));
    assert.ok(mail, JSON.stringify(dump));
    assert.equal(mail.kind, 'rrset');
    assert.ok(mail.ttl > 0 && mail.ttl <= 3600);
    assert.match(mail.records[0], /^mail\.ops\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.63$/);
    assert.ok(dump.every((e) => e.records.every((r) => /ops\.test\.\s/.test(r))), 'only names at or below ops.test');

    await control('flush', { all: true });
    await ask('mail.ops.test');
    assert.equal(asked('mail.ops.test', 'A'), 2, 'flush --all empties every cache');
  });

  test('upstream counts exactly the queries the servers received; flush-infra forgets the server', async () => {
    const { ask, control } = await setUp();
    for (const n of ['www.ops.test', 'mail.ops.test', 'nothing.ops.test']) await ask(n);
    const w = fixture.world;
    const report = await control('upstream');
    const row = (address: string): { queries: number; by_transport: { udp: number; tls: number }; zones: string[] } | undefined =>
      report.servers.find((s: { address: string }) => s.address === address);
    for (const server of [w.root, w.tld, w.servers[0]]) {
      const r = row(server.address);
      assert.ok(r, `a row for ${server.address}`);
      assert.equal(r.queries, server.received.length, `${server.address}: Ward's count is the server's`);
      assert.equal(r.by_transport.udp, server.received.filter((q) => q.transport === 'udp').length);
    }
    assert.ok(row(w.servers[0].address)!.zones.includes('ops.test'));
    assert.equal(report.encrypted_share, 0, 'upstream.tls is off in this world');
    const total = [w.root, w.tld, w.servers[0]].reduce((n, s) => n + s.received.length, 0);
    assert.equal(report.queries, total);
    const zoneRow = report.zones.find((z: { zone: string }) => z.zone === 'ops.test');
    assert.equal(zoneRow.queries, w.servers[0].received.length);

    assert.equal((await control('flush-infra', { address: w.servers[0].address })).removed, 1);
    assert.equal((await control('upstream')).servers.some((s: { address: string }) => s.address === w.servers[0].address), false);
    await assert.rejects(control('flush', {}), /flush needs a name/);
    await assert.rejects(control('no-such-command'), /unknown command/);
    // The status page's counters (what a primary asks its workers for) need the page on, and a row count.
    await assert.rejects(control('status', { top: 0 }), /status needs top, a positive integer/);
    await assert.rejects(control('status', { top: 20 }), /the status page is off \(http\.listen and http\.status_page\)/);
  });
});

