/**
 * A client that resets its TCP connection while its query is being resolved (a FIN alone is a
 * half-close, after which the session still writes the answers in flight): the server's dispatcher
 * aborts the query's signal, the resolver stops waiting, and the mesh task nobody waits
 * for any more aborts the upstream query it sent. An in-process server on 127.0.0.1 (ephemeral port)
 * in front of the resolver over the scripted network of the unit tests, whose root never answers.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from '../../src/server/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { silentLogger } from '../../src/log/index.js';
import { ROOT, harness } from '../unit/resolver-fake-net.js';
import { standardServers } from '../unit/resolver-zones.js';
import { framed, makeQuery, RawClient, sleep } from '../net/net-fixtures.js';

const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** Polls `cond` every 10 ms for at most `ms` (machines are noisy; this only bounds a failure). */
async function eventually(cond: () => boolean, ms: number, what: string): Promise<void> {
  for (const end = Date.now() + ms; !cond() && Date.now() < end;) await sleep(10);
  assert.ok(cond(), what);
}

test('the client resets its connection: the resolution for it stops and its upstream query is aborted', async () => {
  const h = harness({ ...standardServers(), [ROOT]: { zones: [], behaviour: () => new Promise(() => undefined) } });
  const config = defaultConfig().server;
  config.listen = [{ address: '127.0.0.1', port: 0, transport: 'tcp' }];
  const server = await startServer({ server: config, handler: (q, signal) => h.resolver.resolve(q, signal), log: silentLogger() });
  cleanups.push(() => server.stop(500));
  const client = await RawClient.open(server.sockets[0].port);
  client.socket.write(framed(makeQuery('www.example.test')));
  await eventually(() => h.net.log.length === 1, 3000, 'the query reached the root');
  client.socket.resetAndDestroy();
  await eventually(() => h.net.log[0].signal?.aborted === true, 3000, 'the upstream query of the gone client is aborted');
  await eventually(() => server.stats().inflight === 0, 3000, 'and the server has nothing in flight');
});
