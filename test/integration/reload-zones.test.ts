/**
 * Reload and the cache below forward and stub zones, on the wire with scripted authoritative servers:
 * a name answered through a stub zone's server is answered through the delegation from the root once
 * a reload removes the stub zone (and the reverse for a forward zone added), instead of from what the
 * cache kept from the old path; names outside the zones stay cached.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import YAML from 'yaml';
import { rrs, serveZones } from '../helpers/hostile-auth.js';
import { answerTexts, HostileWorld, type Ward } from '../helpers/hostile-world.js';

describe('reload flushes the cache below forward and stub zones it changes', { timeout: 60_000 }, () => {
  let world: HostileWorld;
  before(async () => { world = await HostileWorld.start(100, 3); });
  after(async () => { await world.close(); });

  const zone = (name: string, ns: string, address: string): string[] => [
    `${name}. SOA ns.${name}. h.${name}. 1 3600 900 604800 60`, `${name}. NS ns.${name}.`, `ns.${name}. A ${ns}`, `www.${name}. A ${address}`,
  ];
  const editConfig = (w: Ward, edit: (c: { stub_zones: unknown[]; forward_zones: unknown[] }) => void): void => {
    const c = YAML.parse(readFileSync(w.configFile, 'utf8'));
    edit(c);
    writeFileSync(w.configFile, YAML.stringify(c));
  };

  test('a stub zone removed, then a forward zone added: the next answer comes by the new path', async () => {
    world.reset();
    const [real, stub, forwarder] = world.servers;
    // The delegation from the root leads to `real`; the stub zone points at `stub`, which says otherwise.
    world.delegate('moved.test. NS ns.moved.test.', `ns.moved.test. A ${real.address}`, 'kept.test. NS ns.kept.test.', `ns.kept.test. A ${real.address}`);
    real.script = serveZones(['moved.test', 'kept.test'], rrs(...zone('moved.test', real.address, '192.0.2.1'), ...zone('kept.test', real.address, '192.0.2.9')));
    stub.script = serveZones(['moved.test'], rrs(...zone('moved.test', stub.address, '192.0.2.2')));
    forwarder.script = serveZones(['moved.test'], rrs(...zone('moved.test', forwarder.address, '192.0.2.3')));
    const w = await world.ward((c) => { c.stub_zones = [{ name: 'moved.test.', addresses: [stub.address], hosts: [], first: false }]; });
    try {
      assert.deepEqual(answerTexts(await w.ask('www.moved.test', 'A')), ['www.moved.test A 192.0.2.2'], 'through the stub zone');
      assert.deepEqual(answerTexts(await w.ask('www.kept.test', 'A')), ['www.kept.test A 192.0.2.9']);
      const keptAsked = real.count('www.kept.test', 'A');

      editConfig(w, (c) => { c.stub_zones = []; });
      const { applied } = await w.app.admin.reload();
      assert.ok(applied.includes('cache at and below moved.test flushed'), applied.join('; '));
      assert.deepEqual(answerTexts(await w.ask('www.moved.test', 'A')), ['www.moved.test A 192.0.2.1'], 'through the delegation from the root');
      assert.deepEqual(answerTexts(await w.ask('www.kept.test', 'A')), ['www.kept.test A 192.0.2.9']);
      assert.equal(real.count('www.kept.test', 'A'), keptAsked, 'a name outside the changed zone stays cached');

      editConfig(w, (c) => { c.forward_zones = [{ name: 'moved.test.', addresses: [forwarder.address] }]; });
      const second = await w.app.admin.reload();
      assert.ok(second.applied.includes('cache at and below moved.test flushed'), second.applied.join('; '));
      assert.deepEqual(answerTexts(await w.ask('www.moved.test', 'A')), ['www.moved.test A 192.0.2.3'], 'through the forwarder');

      // A reload that changes nothing under the zones flushes nothing.
      const third = await w.app.admin.reload();
      assert.ok(!third.applied.some((a) => a.startsWith('cache at and below')), third.applied.join('; '));
      assert.equal(forwarder.count('www.moved.test', 'A'), 1);
      await w.ask('www.moved.test', 'A');
      assert.equal(forwarder.count('www.moved.test', 'A'), 1, 'still cached after a reload without changes');
    } finally {
      await w.stop();
    }
  });
});
