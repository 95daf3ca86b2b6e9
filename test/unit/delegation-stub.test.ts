/**
 * Where iteration starts with stub zones configured (delegation.ts): the closest enclosing
 * configured zone wins over cached delegations above it; one cached below a stub zone is used;
 * of a stub and a forward zone the lower one wins; the root hints when nothing else applies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DnsCache, rankOf } from '../../src/cache/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { delegationFromCache, forwardDelegation, usable } from '../../src/resolver/delegation.js';
import type { Delegation, IterEnv } from '../../src/resolver/iter-types.js';
import type { ForwardZone, StubZone } from '../../src/config/index.js';
import { zone } from './resolver-fake-net.js';

function env(stubZones: StubZone[], forwardZones: ForwardZone[] = [], cached = ''): IterEnv {
  const config = defaultConfig();
  const cache = new DnsCache(config.cache, new ManualClock(Date.UTC(2026, 0, 1)));
  const records = cached.trim() === '' ? [] : zone(cached);
  const owners = [...new Set(records.map((r) => `${r.name}|${r.type}`))];
  for (const key of owners) cache.storeRRset(records.filter((r) => `${r.name}|${r.type}` === key), rankOf('authority', false));
  return {
    cache, log: silentLogger(), config: config.resolver, upstreamConfig: config.upstream,
    rootHints: [{ name: 'a.root', addresses: ['10.0.0.1'] }], forwardZones, stubZones,
    exempt: new Set([...stubZones, ...forwardZones].flatMap((z) => z.addresses)),
  } as unknown as IterEnv;
}

/** Where (name, type) starts, as iterInit chooses: a forward zone, else the cache walk (stub zones on the way). */
function start(e: IterEnv, name: string): Delegation {
  return forwardDelegation(e, name) ?? delegationFromCache(e, name);
}

const show = (dp: Delegation): string => `${dp.source} ${dp.zone || '.'} ${dp.ns.flatMap((t) => t.addrs).join(',')}`;

const STUB: StubZone = { name: 'corp.example.', addresses: ['192.0.2.53'], hosts: [], first: false };
const CACHED = `
  example. 3600 NS ns.example.
  ns.example. 3600 A 10.0.5.1
  sub.corp.example. 3600 NS ns.sub.corp.example.
  ns.sub.corp.example. 3600 A 10.0.6.1`;

test('a stub zone wins over the root hints and over cached delegations above it and at its apex', () => {
  assert.equal(show(start(env([STUB]), 'www.corp.example')), 'stub corp.example 192.0.2.53');
  assert.equal(show(start(env([STUB]), 'corp.example')), 'stub corp.example 192.0.2.53', 'the apex itself');
  assert.equal(show(start(env([STUB], [], CACHED), 'www.corp.example')), 'stub corp.example 192.0.2.53', 'example. cached above');
  const apex = env([STUB], [], `${CACHED}\n  corp.example. 3600 NS ns.other.\n  ns.other. 3600 A 10.0.7.1`);
  assert.equal(show(start(apex, 'www.corp.example')), 'stub corp.example 192.0.2.53', 'Unbound: a not-primed stub replaces the cached apex NS');
});

test('a delegation cached below a stub zone (its servers\' referral) is used as usual; names outside it are not touched', () => {
  const e = env([STUB], [], CACHED);
  assert.equal(show(start(e, 'www.sub.corp.example')), 'cache sub.corp.example 10.0.6.1');
  assert.equal(show(start(e, 'www.example')), 'cache example 10.0.5.1');
  assert.equal(show(start(e, 'www.other')), 'hints . 10.0.0.1');
  assert.equal(show(start(e, 'xcorp.example')), 'cache example 10.0.5.1', 'label boundaries, not string suffixes');
});

test('of a stub and a forward zone enclosing a name, the lower one wins (Unbound iter_stub_fwd_no_cache)', () => {
  const all: ForwardZone = { name: '.', addresses: ['192.0.2.1'], tls: false, hosts: [], first: false };
  const below: ForwardZone = { name: 'lab.corp.example', addresses: ['192.0.2.2'], tls: true, hosts: [], first: false };
  const e = env([STUB], [all, below], CACHED);
  assert.equal(show(start(e, 'www.corp.example')), 'stub corp.example 192.0.2.53', 'the stub below the forward zone for .');
  assert.equal(show(start(e, 'www.sub.corp.example')), 'cache sub.corp.example 10.0.6.1', 'and the stub servers\' referral below it');
  assert.equal(show(start(e, 'www.example')), 'forward . 192.0.2.1', 'outside the stub zone the forward zone applies');
  const lab = start(e, 'a.lab.corp.example');
  assert.deepEqual([show(lab), lab.requireTls], ['forward lab.corp.example 192.0.2.2', true], 'a forward zone below the stub');
});

test('stub servers are exempt from do_not_query_localhost, as forwarders are', () => {
  const e = env([{ name: 'home.arpa', addresses: ['127.0.0.53'], hosts: [], first: false }]);
  assert.equal(usable(e, '127.0.0.53'), true);
  assert.equal(usable(e, '127.0.0.54'), false);
});
