/** Transport policy: tls off / opportunistic (RFC 9539 probe, remember, fall back) / strict (RFC 8310). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findOpt, findOption, OPTION } from '../../src/wire/index.js';
import { DOT_FAILED_TTL_MS, DOT_OK_TTL_MS } from '../../src/upstream/index.js';
import { FakeExchanger, fail, makeUpstream, q, reply } from '../upstream/fake-exchanger.js';
import type { ExchangeRequest, ExchangeResult, NetErrorCode } from '../../src/net/index.js';
import type { Message } from '../../src/wire/index.js';

const S = { address: '192.0.2.53', port: 53 };
const DOT_PORT = 8853;

/**
 * Do53 always answers; DoT answers while `dot` is undefined, else fails with that code. DoT answers
 * wait for `hold` when one is given (a slow probe).
 */
function network(hold?: Promise<void>): { ex: FakeExchanger; dotFails: (code: NetErrorCode | undefined) => void } {
  let dot: NetErrorCode | undefined;
  const ex = new FakeExchanger(async (req: ExchangeRequest, query: Message): Promise<ExchangeResult> => {
    if (req.transport !== 'tls') return reply(req, query);
    await hold;
    return dot ? fail(dot) : reply(req, query);
  });
  return { ex, dotFails: (code) => { dot = code; } };
}

test("tls 'off': Do53 only, never a DoT probe", async () => {
  const { ex } = network();
  const { upstream } = makeUpstream(ex, { tls: 'off' }, { dotPort: DOT_PORT });
  for (let i = 0; i < 3; i++) await upstream.query(q(`n${i}.test`));
  await upstream.settle();
  assert.deepEqual(ex.transports(), ['udp', 'udp', 'udp']);
  assert.equal(upstream.serverInfo(S).dot.state, 'unknown');
});

test('opportunistic: Do53 first with a background probe, then DoT once known good', async () => {
  let releaseProbe!: () => void;
  const { ex } = network(new Promise<void>((r) => { releaseProbe = r; }));
  const { upstream, clock } = makeUpstream(ex, { tls: 'opportunistic' }, { dotPort: DOT_PORT });
  const first = await upstream.query({ ...q('a.test'), server: { ...S, name: 'ns1.test' } });
  assert.equal(first.kind === 'reply' && first.transport, 'udp', 'the query is not held up by the probe');
  assert.equal(upstream.serverInfo(S).dot.state, 'probing');
  await upstream.query(q('b.test'));
  assert.equal(upstream.serverInfo(S).dot.state, 'probing');
  releaseProbe();
  await upstream.settle();
  assert.deepEqual(ex.transports().sort(), ['tls', 'udp', 'udp'], 'one probe only');
  const probe = ex.seen.find((s) => s.req.transport === 'tls')!;
  assert.deepEqual(probe.req.to, { host: S.address, port: DOT_PORT });
  // Unauthenticated DoT sends no SNI (the NS name would go in clear) and so pools per address.
  assert.deepEqual(probe.req.tls, { authenticate: false });
  const dot = upstream.serverInfo(S).dot;
  assert.equal(dot.state, 'ok');
  if (dot.state === 'ok') assert.equal(dot.until, clock.now() + DOT_OK_TTL_MS);

  ex.seen.length = 0;
  const res = await upstream.query(q('c.test'));
  assert.equal(res.kind === 'reply' && res.transport, 'tls');
  assert.deepEqual(ex.transports(), ['tls'], 'no cleartext to a server known good over DoT');
  const { req, query } = ex.seen[0];
  // Padding to 128-octet blocks is the net core's job (checked on the wire in test/upstream/loopback);
  // here the query must carry the OPT record that padding goes into.
  assert.ok(findOpt(query), 'DoT queries carry EDNS so the core can pad them (RFC 8467)');
  assert.ok(findOption(findOpt(query), OPTION.KEEPALIVE));
  assert.equal(req.tls?.authenticate, false);
});

test('opportunistic: DoT failing to connect marks it failed and falls back to Do53 in the same query', async () => {
  const { ex, dotFails } = network();
  const { upstream, clock } = makeUpstream(ex, { tls: 'opportunistic' }, { dotPort: DOT_PORT });
  await upstream.query(q('a.test'));
  await upstream.settle();
  assert.equal(upstream.serverInfo(S).dot.state, 'ok');
  dotFails('connect-refused');
  ex.seen.length = 0;
  const res = await upstream.query(q('b.test'));
  assert.equal(res.kind === 'reply' && res.transport, 'udp');
  assert.deepEqual(ex.transports(), ['tls', 'udp']);
  const dot = upstream.serverInfo(S).dot;
  assert.equal(dot.state, 'failed');
  if (dot.state === 'failed') assert.equal(dot.until, clock.now() + DOT_FAILED_TTL_MS);

  // damped: no DoT and no probe while failed
  ex.seen.length = 0;
  await upstream.query(q('c.test'));
  await upstream.settle();
  assert.deepEqual(ex.transports(), ['udp']);
  // after the damping period a new probe runs; DoT works again
  dotFails(undefined);
  clock.advance(DOT_FAILED_TTL_MS + 1);
  ex.seen.length = 0;
  await upstream.query(q('d.test'));
  await upstream.settle();
  assert.deepEqual(ex.transports().sort(), ['tls', 'udp']);
  assert.equal(upstream.serverInfo(S).dot.state, 'ok');
});

test('opportunistic: a query behind a probe in flight waits for it briefly and goes over DoT once it succeeds', async () => {
  let releaseProbe!: () => void;
  const { ex } = network(new Promise<void>((r) => { releaseProbe = r; }));
  const { upstream } = makeUpstream(ex, { tls: 'opportunistic' }, { dotPort: DOT_PORT });
  await upstream.query(q('a.test'));
  assert.equal(upstream.serverInfo(S).dot.state, 'probing');
  const second = upstream.query(q('b.test'));
  setTimeout(releaseProbe, 20);
  const r = await second;
  assert.equal(r.kind === 'reply' && r.transport, 'tls', 'it waited for the probe instead of going in clear');
  assert.deepEqual(ex.transports().sort(), ['tls', 'tls', 'udp'], 'the probe, the waiting query over DoT, the first over Do53');
});

test('opportunistic: a failed probe marks DoT failed; a DoT timeout falls back to Do53 for that query only', async () => {
  const { ex, dotFails } = network();
  const { upstream } = makeUpstream(ex, { tls: 'opportunistic' }, { dotPort: DOT_PORT });
  dotFails('tls-handshake');
  await upstream.query(q('a.test'));
  await upstream.settle();
  assert.equal(upstream.serverInfo(S).dot.state, 'failed');

  const other = { address: '192.0.2.54', port: 53 };
  dotFails(undefined);
  await upstream.query(q('a.test', 'A', other.address));
  await upstream.settle();
  assert.equal(upstream.serverInfo(other).dot.state, 'ok');
  dotFails('timeout');
  ex.seen.length = 0;
  const res = await upstream.query(q('b.test', 'A', other.address));
  // A server whose DoT session stalls still answers (the lab's NSD does this under load).
  assert.equal(res.kind === 'reply' && res.transport, 'udp');
  assert.deepEqual(ex.transports(), ['tls', 'udp']);
  assert.equal(upstream.serverInfo(other).dot.state, 'ok', 'a timeout is no proof that DoT is broken');
  assert.equal(upstream.report().servers.find((s) => s.address === other.address)?.fallbacks, 1);
});

test('strict: DoT only, authenticated against the NS name; failure is final', async () => {
  const { ex, dotFails } = network();
  const { upstream } = makeUpstream(ex, { tls: 'strict' }, { dotPort: DOT_PORT });
  const server = { ...S, name: 'ns1.test' };
  const res = await upstream.query({ ...q('a.test'), server });
  assert.equal(res.kind === 'reply' && res.transport, 'tls');
  assert.deepEqual(ex.seen[0].req.tls, { servername: 'ns1.test', authenticate: true });
  assert.equal(upstream.serverInfo(S).dot.state, 'ok');

  dotFails('tls-auth');
  ex.seen.length = 0;
  const bad = await upstream.query({ ...q('b.test'), server });
  assert.equal(bad.kind === 'fail' && bad.reason, 'tls-failed');
  assert.deepEqual(ex.transports(), ['tls'], 'never cleartext in strict mode');
  assert.equal(upstream.serverInfo(S).dot.state, 'failed');
  // still DoT-only afterwards
  ex.seen.length = 0;
  await upstream.query({ ...q('c.test'), server });
  assert.deepEqual(ex.transports(), ['tls']);
});

test('address families and source address', async () => {
  const { ex } = network();
  const { upstream } = makeUpstream(ex, { ipv6: false, source_address: '127.0.0.9' });
  const v6 = await upstream.query(q('a.test', 'A', '2001:db8::53'));
  assert.equal(v6.kind === 'fail' && v6.reason, 'network');
  const junk = await upstream.query(q('a.test', 'A', 'not-an-address'));
  assert.equal(junk.kind, 'fail');
  assert.equal(ex.seen.length, 0);
  await upstream.query(q('a.test'));
  assert.equal(ex.seen[0].req.sourceAddress, '127.0.0.9');
  const { upstream: v6only } = makeUpstream(ex, { ipv4: false });
  const v4 = await v6only.query(q('a.test'));
  assert.equal(v4.kind === 'fail' && v4.reason, 'network');
});
