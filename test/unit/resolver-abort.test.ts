/**
 * Resolver.resolve(q, signal): a client whose signal aborts (its connection went away) stops waiting
 * at once, for the mesh or for validation; a mesh task shared with other clients goes on for them,
 * and a task nothing waits for any more is aborted, down to the upstream queries it sent and the
 * sub-queries it waited on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RCODE, type Message } from '../../src/wire/index.js';
import type { UpstreamQuery } from '../../src/upstream/index.js';
import type { Resolution, Resolver } from '../../src/resolver/index.js';
import { ROOT, authoritative, harness, rootZone, show, type FakeNet } from './resolver-fake-net.js';
import { standardServers, testZoneWith } from './resolver-zones.js';
import { TEST_NS, setupSignedWorld, signed, testKey } from './dnssec-world.js';
import { within } from '../net/net-fixtures.js';

/** How long an aborted client may take to get its answer (it is immediate; this only bounds a failure). */
const PROMPT_MS = 1000;

/** A server behaviour that never answers (the query fails 'aborted' when its signal aborts). */
const never = (): Promise<never> => new Promise(() => undefined);

type Sent = FakeNet['log'][number];

function ask(resolver: Resolver, name: string, signal: AbortSignal): Promise<Resolution> {
  return resolver.resolve({ question: { name, type: 'A', class: 'IN' }, flags: { rd: true, cd: false, do: true, ad: false } }, signal);
}

/** Lets the resolver run until `cond` holds (bounded). */
async function until(cond: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000 && !cond(); i++) await new Promise((r) => setImmediate(r));
  assert.ok(cond(), what);
}

function assertGone(r: Resolution): void {
  assert.equal(r.rcode, RCODE.SERVFAIL);
  assert.equal(r.ede?.[0]?.extraText, 'query aborted: the client went away');
}

/**
 * Resolves `name` for a client that goes away once a query `reached` the network, and checks the
 * client gets its SERVFAIL at once; returns that query.
 */
async function abandonWhen(resolver: Resolver, net: FakeNet, name: string, reached: (l: Sent) => boolean, what: string): Promise<Sent> {
  const client = new AbortController();
  const pending = ask(resolver, name, client.signal);
  await until(() => net.log.some(reached), what);
  client.abort();
  assertGone(await within(pending, PROMPT_MS, 'the aborted resolution'));
  return net.log.find(reached) as Sent;
}

test('an aborted client stops waiting for a server that never answers; its task is aborted and asks no other server', async () => {
  // example.test. has two servers: the first never answers, the second would.
  const test = testZoneWith(`
    example.test. 86400 NS mute.example.test.
    example.test. 86400 NS ns1.example.test.
    mute.example.test. 86400 A 10.0.3.9
    ns1.example.test. 86400 A 10.0.3.1`);
  const h = harness({ ...standardServers(), '10.0.1.1': { zones: [test] }, '10.0.3.9': { zones: [], behaviour: never } });
  const mute = await abandonWhen(h.resolver, h.net, 'www.example.test', (l) => l.server === '10.0.3.9', 'the query reached the mute server');
  assert.equal(mute.signal?.aborted, true, 'nothing else waits for the task: its upstream query is aborted');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(h.net.count('www.example.test', 'A', '10.0.3.1'), 0, 'the aborted task asks no other server');
});

test('two clients share a task: the one that aborts stops waiting, the other gets the answer', async () => {
  let open!: () => void;
  const gate = new Promise<void>((r) => { open = r; });
  const root = [rootZone()];
  const h = harness({ ...standardServers(), [ROOT]: { zones: root, behaviour: (q) => gate.then(() => authoritative(root, q)) } });
  const first = new AbortController();
  const second = new AbortController();
  const p1 = ask(h.resolver, 'www.example.test', first.signal);
  const p2 = ask(h.resolver, 'www.example.test', second.signal);
  await until(() => h.net.log.length === 1, 'the query reached the root');
  first.abort();
  assertGone(await within(p1, PROMPT_MS, 'the aborted resolution'));
  assert.equal(h.net.log[0].signal?.aborted, false, 'the shared task goes on for the other client');
  open();
  const r2 = await within(p2, PROMPT_MS, 'the other resolution');
  assert.deepEqual(show(r2.answer), ['www.example.test A 192.0.2.1']);
  assert.equal(h.net.count('www.example.test', 'A'), 1, 'one task served both');
});

test('a task nobody waits for any more aborts the sub-query it waits on', async () => {
  // other.test's server ns.example.net has no glue: its address is a sub-query, held at net.'s server.
  const h = harness({ ...standardServers(), '10.0.2.1': { zones: [], behaviour: never } });
  const sub = await abandonWhen(h.resolver, h.net, 'www.other.test', (l) => l.server === '10.0.2.1', 'the address sub-query reached net.');
  await until(() => sub.signal?.aborted === true, 'the sub-query\'s upstream query is aborted');
});

test('a client that goes away while its answer is validated stops waiting for the key lookup', async () => {
  const { net, resolver } = setupSignedWorld({ 'www.test|A': { answers: signed('www.test. 300 IN A 192.0.2.1', testKey) } });
  const test = net.servers.get(TEST_NS)!;
  const answer = test.behaviour as (q: UpstreamQuery) => Partial<Message>;
  test.behaviour = (q) => (q.type === 'DNSKEY' ? never() : answer(q));
  await abandonWhen(resolver, net, 'www.test', (l) => l.server === TEST_NS && l.type === 'DNSKEY', 'the validator asked for test.\'s keys');
});
