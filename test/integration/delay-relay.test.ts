/**
 * The delaying relay (test/helpers/delay-relay.ts) on real loopback sockets: UDP datagrams and TCP bytes reach the
 * target and come back, each direction delayed, replies routed to the right client, and close() stops it;
 * on a TLS stream it tells full handshakes from resumed ones (TLS 1.3 and 1.2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { connect as tlsConnect, createServer as createTlsServer, type SecureVersion } from 'node:tls';
import { DelayRelay } from '../helpers/delay-relay.js';
import type { TlsHandshakeKind } from '../helpers/tls-hello.js';
import { createSelfSigned } from '../../src/tls/index.js';

const DELAY = 40;

async function echoServers(): Promise<{ udp: UdpSocket; tcp: Server; port: number }> {
  const udp = createSocket('udp4');
  udp.on('message', (msg, r) => udp.send(Buffer.concat([Buffer.from('echo:'), msg]), r.port, r.address));
  await new Promise<void>((r) => udp.bind(0, '127.0.0.1', () => r()));
  const port = udp.address().port;
  const tcp = createServer((s) => s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d]))));
  await new Promise<void>((r) => tcp.listen(port, '127.0.0.1', () => r()));
  return { udp, tcp, port };
}

function udpRoundTrip(port: number, payload: string, timeoutMs = 2000): Promise<{ reply: string; ms: number }> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const start = performance.now();
    const timer = setTimeout(() => { sock.close(); reject(new Error('timeout')); }, timeoutMs);
    sock.on('message', (m) => {
      clearTimeout(timer);
      sock.close();
      resolve({ reply: m.toString(), ms: performance.now() - start });
    });
    sock.send(payload, port, '127.0.0.1');
  });
}

test('relays UDP and TCP with the delay added in each direction', { timeout: 10_000 }, async () => {
  const echo = await echoServers();
  const relay = await DelayRelay.start({
    listen: { address: '127.0.0.1', port: 0 }, target: { address: '127.0.0.1', port: echo.port }, delayMs: DELAY,
  });
  try {
    const port = relay.address().port;
    const [a, b] = await Promise.all([udpRoundTrip(port, 'one'), udpRoundTrip(port, 'two')]);
    assert.equal(a.reply, 'echo:one');
    assert.equal(b.reply, 'echo:two');
    for (const r of [a, b]) assert.ok(r.ms >= 2 * DELAY - 2 && r.ms < 2 * DELAY + 500, `round trip ${r.ms} ms`);

    const tcpReply = await new Promise<{ reply: string; ms: number }>((resolve, reject) => {
      const start = performance.now();
      const s = connect({ host: '127.0.0.1', port }, () => s.write('three'));
      s.on('data', (d) => { s.destroy(); resolve({ reply: d.toString(), ms: performance.now() - start }); });
      s.on('error', reject);
    });
    assert.equal(tcpReply.reply, 'echo:three');
    assert.ok(tcpReply.ms >= 2 * DELAY - 2, `tcp round trip ${tcpReply.ms} ms`);

    await relay.close();
    await assert.rejects(udpRoundTrip(port, 'after close', 3 * DELAY + 100), /timeout|ECONNREFUSED/);
  } finally {
    await relay.close();
    echo.udp.close();
    echo.tcp.close();
  }
});

test('reports each query with its source, keeps one upstream socket per client, and drops idle ones', { timeout: 10_000 }, async () => {
  const target = createSocket('udp4');
  const upstreamPorts: number[] = [];
  target.on('message', (msg, r) => { upstreamPorts.push(r.port); target.send(msg, r.port, r.address); });
  await new Promise<void>((r) => target.bind(0, '127.0.0.1', () => r()));
  const seen: { text: string; from: string }[] = [];
  const relay = await DelayRelay.start({
    listen: { address: '127.0.0.1', port: 0 }, target: { address: '127.0.0.1', port: target.address().port },
    delayMs: 5, clientIdleMs: 100, onQuery: (msg, from) => seen.push({ text: msg.toString(), from }),
  });
  const client = createSocket('udp4');
  await new Promise<void>((r) => client.bind(0, '127.0.0.1', () => r()));
  const ask = (text: string): Promise<string> => new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timeout')), 2000);
    client.once('message', (m) => { clearTimeout(timer); resolve(m.toString()); });
    client.send(text, relay.address().port, '127.0.0.1');
  });
  try {
    assert.equal(await ask('a'), 'a');
    assert.equal(await ask('b'), 'b');
    assert.equal(upstreamPorts[0], upstreamPorts[1], 'one upstream socket for one client');
    await new Promise((r) => setTimeout(r, 1300)); // idle past clientIdleMs, and the once-a-second sweep ran
    assert.equal(await ask('c'), 'c');
    assert.notEqual(upstreamPorts[2], upstreamPorts[0], 'the idle client\'s socket was closed; a new one relays');
    assert.deepEqual(seen, ['a', 'b', 'c'].map((text) => ({ text, from: '127.0.0.1' })));
    assert.equal(relay.stats().udpQueries, 3);
  } finally {
    client.close();
    await relay.close();
    target.close();
  }
});

/** Connects through `port` with TLS (resuming `session` when given); resolves with the session to resume next. */
function tlsRoundTrip(port: number, maxVersion: SecureVersion, session?: Buffer): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const s = tlsConnect({ host: '127.0.0.1', port, rejectUnauthorized: false, maxVersion, session });
    s.on('session', (t: Buffer) => { ticket = t; });
    s.once('secureConnect', () => s.write('ping'));
    s.once('data', () => { s.end(); });
    s.once('close', () => resolve(ticket ?? s.getSession()));
    s.once('error', reject);
  });
}

test('counts TLS handshakes on a stream, full and resumed, by source', { timeout: 10_000 }, async () => {
  const { cert, key } = createSelfSigned();
  const server = createTlsServer({ cert, key }, (s) => s.on('data', () => s.write('pong')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const seen: { kind: TlsHandshakeKind; from: string }[] = [];
  const relay = await DelayRelay.start({
    listen: { address: '127.0.0.1', port: 0 }, target: { address: '127.0.0.1', port: (server.address() as { port: number }).port },
    delayMs: 5, countFrames: false, onTlsHandshake: (kind, from) => seen.push({ kind, from }),
  });
  try {
    for (const version of ['TLSv1.3', 'TLSv1.2'] as const) {
      const session = await tlsRoundTrip(relay.address().port, version);
      assert.ok(session, `${version}: a session to resume`);
      await tlsRoundTrip(relay.address().port, version, session);
    }
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(seen.map((x) => x.kind), ['full', 'resumed', 'full', 'resumed']);
    assert.ok(seen.every((x) => x.from === '127.0.0.1'));
    assert.equal(relay.stats().tcpConnections, 4);
  } finally {
    await relay.close();
    server.close();
  }
});
