/**
 * The resolver with the real upstream over an in-memory network (test/helpers/memory-net.ts), when
 * a zone's servers stay silent over UDP: the same client query asks them once more down the ladder
 * (without EDNS, then TCP) before giving up, so a server that only answers over TCP answers the first
 * query; a dead server costs one more UDP timeout and one TCP try, once; a zone with a live server
 * left is unaffected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { createUpstream } from '../../src/upstream/index.js';
import { createResolver, type Resolution } from '../../src/resolver/index.js';
import { encodeMessage, findOpt, RCODE, type Message } from '../../src/wire/index.js';
import type { Transport } from '../../src/net/index.js';
import { MemoryNet, type ScriptAnswer } from '../helpers/memory-net.js';
import { rrs, serveZones, type Script } from '../helpers/hostile-auth.js';

const ROOT = '10.0.0.1';
const TLD = '10.0.1.1';
const S1 = '10.0.2.1';
const S2 = '10.0.2.2';

/** How a scripted server treats each transport: answer, or stay silent. */
type Mode = 'answer' | 'udp-silent' | 'dead';

interface World {
  net: MemoryNet;
  ask(name: string): Promise<Resolution>;
  /** What `address` received: transport, and whether the query had EDNS. */
  seen(address: string): string[];
}

function world(zone: string[], modes: { [address: string]: Mode }): World {
  const scripts: { [address: string]: Script } = {
    [ROOT]: serveZones([''], rrs('test. NS ns.test.', `ns.test. A ${TLD}`)),
    [TLD]: serveZones(['test'], rrs('test. NS ns.test.', `ns.test. A ${TLD}`, ...zone)),
    [S1]: serveZones(['z.test'], rrs('www.z.test. A 192.0.2.1')),
    [S2]: serveZones(['z.test'], rrs('www.z.test. A 192.0.2.1')),
  };
  const seen: { address: string; what: string }[] = [];
  const answer = (query: Message, to: { host: string }, transport: Transport): ScriptAnswer => {
    seen.push({ address: to.host, what: `${transport}${findOpt(query) ? '+edns' : ''}` });
    const mode = modes[to.host] ?? 'answer';
    if (mode === 'dead' || (mode === 'udp-silent' && transport === 'udp')) return { kind: 'drop' };
    const out = scripts[to.host]?.(query, transport === 'udp' ? 'udp' : 'tcp', { address: '10.9.9.9', port: 5353 });
    return out && !(out instanceof Promise) && !Buffer.isBuffer(out) && !('raw' in out) ? { kind: 'reply', bytes: encodeMessage(out) } : { kind: 'drop' };
  };
  const net = new MemoryNet({ answer });
  const config = defaultConfig();
  config.resolver = { ...config.resolver, root_priming: false, do_not_query_localhost: false };
  config.upstream = { ...config.upstream, ipv6: false, tls: 'off', timeout_ms: 40 };
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const upstream = createUpstream({ exchanger: net, clock, log: silentLogger(), config: config.upstream });
  const rootHints = [{ name: 'a.root', addresses: [ROOT] }];
  const resolver = createResolver({
    upstream, clock, log: silentLogger(), resolver: config.resolver, cache: config.cache,
    upstreamConfig: config.upstream, rootHints,
  });
  return {
    net,
    ask: (name) => resolver.resolve({ question: { name, type: 'A', class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false } }),
    seen: (address) => seen.filter((s) => s.address === address).map((s) => s.what),
  };
}

const ONE_SERVER = ['z.test. NS ns1.z.test.', `ns1.z.test. A ${S1}`];
const TWO_SERVERS = [...ONE_SERVER, 'z.test. NS ns2.z.test.', `ns2.z.test. A ${S2}`];

function addresses(r: Resolution): string[] {
  return r.answer.map((rr) => String((rr as { data?: unknown }).data));
}

test('a server silent over UDP that answers over TCP answers the first client query', async () => {
  const w = world(ONE_SERVER, { [S1]: 'udp-silent' });
  const first = await w.ask('www.z.test');
  assert.equal(first.rcode, RCODE.NOERROR);
  assert.deepEqual(addresses(first), ['192.0.2.1']);
  assert.deepEqual(w.seen(S1), ['udp+edns', 'udp', 'tcp+edns'], 'UDP with EDNS, the same without, then TCP');
  const second = await w.ask('other.z.test');
  assert.equal(second.rcode, RCODE.NXDOMAIN);
  // The TCP reply had no OPT: the server is taken not to speak EDNS.
  assert.deepEqual(w.seen(S1).slice(3), ['tcp'], 'remembered: TCP first');
  await w.net.close();
});

test('every server silent over UDP: each is asked once more down the ladder, in the same query', async () => {
  const w = world(TWO_SERVERS, { [S1]: 'udp-silent', [S2]: 'udp-silent' });
  const first = await w.ask('www.z.test');
  assert.deepEqual(addresses(first), ['192.0.2.1']);
  const tries = [...w.seen(S1), ...w.seen(S2)];
  assert.equal(tries.filter((t) => t === 'udp+edns').length, 2, 'each server once over UDP first');
  assert.equal(tries.filter((t) => t.startsWith('tcp')).length, 1, 'the first server asked again answers over TCP');
  await w.net.close();
});

test('a dead server: one more UDP try and one TCP try in the first query, no TCP in later ones', async () => {
  const w = world(ONE_SERVER, { [S1]: 'dead' });
  const first = await w.ask('www.z.test');
  assert.equal(first.rcode, RCODE.SERVFAIL);
  assert.ok(first.ede?.length, 'with an Extended DNS Error');
  assert.deepEqual(w.seen(S1), ['udp+edns', 'udp', 'tcp+edns']);
  const second = await w.ask('www2.z.test');
  assert.equal(second.rcode, RCODE.SERVFAIL);
  // The cached delegation, then the one the parent gives again: each with and without EDNS, no TCP.
  assert.deepEqual(w.seen(S1).slice(3), ['udp+edns', 'udp', 'udp+edns', 'udp'], 'no second TCP try');
  await w.net.close();
});

test('a dead server beside a live one: the live one answers, the dead one is asked once', async () => {
  for (const dead of [S1, S2]) {
    const w = world(TWO_SERVERS, { [dead]: 'dead' });
    const r = await w.ask('www.z.test');
    assert.deepEqual(addresses(r), ['192.0.2.1']);
    assert.ok(w.seen(dead).length <= 1, `the dead server got ${w.seen(dead).join(', ')}`);
    assert.ok(w.seen(dead).every((t) => t === 'udp+edns'));
    await w.net.close();
  }
});
