/**
 * `forward_zones[].tls` on loopback: the resolver, the upstream and the real net core, with a DoT
 * server from the core's own Listener. Queries for the zone go over DoT only, whatever
 * `upstream.tls` says; when DoT does not work they fail closed (SERVFAIL + EDE), never in cleartext.
 * Every exchange the upstream asks of the core is recorded, so "nothing over UDP or TCP" is checked
 * at the one place all upstream traffic passes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createExchanger, type ExchangeRequest, type Exchanger } from '../../src/net/index.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/util/index.js';
import { RCODE } from '../../src/wire/index.js';
import { defaultConfig, type UpstreamTlsPolicy } from '../../src/config/index.js';
import { createUpstream } from '../../src/upstream/index.js';
import { createResolver, type Resolution } from '../../src/resolver/index.js';
import { closedPort, responder, serve, within } from '../net/net-fixtures.js';

const log = silentLogger();
const cleanups: Array<() => Promise<void> | void> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** A resolver forwarding `fwd.test` over DoT to 127.0.0.1 at `dotPort`; `sent` gets every exchange. */
function forwarding(dotPort: number, mode: UpstreamTlsPolicy): { sent: ExchangeRequest[]; ask(name: string): Promise<Resolution> } {
  const config = defaultConfig();
  config.resolver.root_priming = false;
  const net = createExchanger({ log });
  const sent: ExchangeRequest[] = [];
  const exchanger: Exchanger = { exchange: (req) => { sent.push(req); return net.exchange(req); }, close: () => net.close() };
  const upstream = createUpstream({ exchanger, clock: systemClock, log, dotPort, config: { ...config.upstream, tls: mode, timeout_ms: 2000 } });
  const resolver = createResolver({
    upstream, clock: systemClock, log, resolver: config.resolver, cache: config.cache, upstreamConfig: config.upstream,
    rootHints: [{ name: 'a.root', addresses: ['192.0.2.53'] }],
    forwardZones: [{ name: 'fwd.test', addresses: ['127.0.0.1'], tls: true, hosts: [], first: false }],
  });
  cleanups.push(() => resolver.close(), () => exchanger.close(), () => upstream.settle());
  const ask = (name: string): Promise<Resolution> => within(resolver.resolve({
    question: { name, type: 'A', class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false },
  }), 5000, `resolving ${name}`);
  return { sent, ask };
}

for (const mode of ['off', 'opportunistic'] as const) {
  test(`upstream.tls ${mode}: a forward zone with tls: true is asked over DoT only`, async () => {
    const dot = responder();
    const listener = await serve('tls', dot.sink);
    cleanups.push(() => listener.close());
    const { sent, ask } = forwarding(listener.address().port, mode);
    const r = await ask(`www.${mode}.fwd.test`);
    assert.equal(r.rcode, RCODE.NOERROR, JSON.stringify(r));
    assert.deepEqual(r.answer.map((rr) => (rr as { data?: unknown }).data), ['192.0.2.1']);
    assert.deepEqual(dot.seen, [`www.${mode}.fwd.test`], 'the query arrived at the DoT server');
    assert.deepEqual(sent.map((s) => `${s.transport} ${s.to.host}:${s.to.port}`), [`tls 127.0.0.1:${listener.address().port}`],
      'nothing went over UDP or TCP');
  });
}

test('a forward zone with tls: true whose server does no DoT fails closed: SERVFAIL + EDE, no cleartext', async () => {
  const { sent, ask } = forwarding(await closedPort(), 'opportunistic');
  const r = await ask('www.closed.fwd.test');
  assert.equal(r.rcode, RCODE.SERVFAIL);
  assert.match(r.ede?.[0]?.extraText ?? '', /over DoT/, JSON.stringify(r.ede));
  assert.ok(sent.length > 0, 'DoT was tried');
  assert.deepEqual(sent.filter((s) => s.transport !== 'tls'), [], 'nothing went over UDP or TCP');
});
