/**
 * `server.limits.max_connections` is one cap across all stream listeners: an in-process server with a
 * TCP and a TLS listener and a cap of 4 takes 2 + 2 connections, refuses the fifth on either
 * transport, and takes a new one as soon as one closes (by the client, or by the server).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { startServer, type Answer, type ClientQuery, type RunningServer } from '../../src/server/index.js';
import { defaultConfig, type ServerConfig } from '../../src/config/index.js';
import { createSelfSigned } from '../../src/tls/index.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeMessage, encodeMessage, frame, FLAG, FrameDecoder, MalformedMessage } from '../../src/wire/index.js';

const ADDR = '127.0.2.62';
const CAP = 4;
let server: RunningServer;

function handler(q: ClientQuery): Answer {
  return {
    rcode: 0, authority: [], additional: [], authenticated: false,
    answer: [{ name: q.question.name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }],
  };
}

function serverConfig(): ServerConfig {
  const c = defaultConfig().server;
  c.listen = [{ address: ADDR, port: 0, transport: 'tcp' }, { address: ADDR, port: 0, transport: 'tls' }];
  c.limits.max_connections = CAP;
  c.limits.tcp_idle_timeout_ms = 20_000;
  return c;
}

before(async () => {
  server = await startServer({ server: serverConfig(), handler, log: silentLogger(), tls: createSelfSigned() });
});
after(async () => { await server?.stop(500); });

type Transport = 'tcp' | 'tls';
const port = (t: Transport): number => server.sockets.find((s) => s.transport === t)!.port;

interface Conn { sock: Socket; closed: Promise<void>; answered(id: number): Promise<boolean> }

/** Connects over `t`; resolves once connected (TLS: handshake done) or closed, whichever comes first. */
async function open(t: Transport): Promise<Conn> {
  const sock = t === 'tls'
    ? tlsConnect({ host: ADDR, port: port(t), rejectUnauthorized: false, ALPNProtocols: ['dot'] })
    : connect({ host: ADDR, port: port(t) });
  sock.on('error', () => undefined);
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  const decoder = new FrameDecoder();
  const ids: number[] = [];
  sock.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk).frames) {
      const m = decodeMessage(f);
      if (!(m instanceof MalformedMessage) && m.type === 'response') ids.push(m.id);
    }
  });
  await Promise.race([new Promise((r) => sock.once(t === 'tls' ? 'secureConnect' : 'connect', r)), closed]);
  return {
    sock, closed,
    /** Sends a query with `id`; true when its answer arrives, false when the connection closes first. */
    async answered(id: number) {
      if (sock.destroyed) return false;
      sock.write(frame(encodeMessage({ id, type: 'query', flags: FLAG.RD, questions: [{ name: `c${id}.cap.test`, type: 'A', class: 'IN' }] })));
      const deadline = Date.now() + 3_000;
      while (!ids.includes(id) && !sock.destroyed && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      return ids.includes(id);
    },
  };
}

/** Resolves true when `c` is closed by the server within `ms`. */
async function refused(c: Conn, ms = 2_000): Promise<boolean> {
  c.sock.resume();
  return Promise.race([c.closed.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms))]);
}

async function waitForConnections(n: number): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (server.stats().connections !== n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
  assert.equal(server.stats().connections, n);
}

test('one max_connections cap across the TCP and the TLS listener', async () => {
  const held: Conn[] = [];
  try {
    for (const t of ['tcp', 'tls', 'tcp', 'tls'] as const) held.push(await open(t));
    for (const [i, c] of held.entries()) assert.equal(await c.answered(i + 1), true, `connection ${i + 1} served`);
    await waitForConnections(CAP);

    const overTcp = await open('tcp');
    assert.equal(await refused(overTcp), true, 'a fifth connection over TCP is closed at accept');
    const overTls = await open('tls');
    assert.equal(await refused(overTls), true, 'a fifth connection over TLS is closed at accept');
    assert.equal(server.stats().connections, CAP);
    for (const [i, c] of held.entries()) assert.equal(await c.answered(10 + i), true, `connection ${i + 1} still served`);

    // The client closes a TLS connection: a TCP one gets in, and the cap is reached again.
    held[1].sock.destroy();
    await waitForConnections(CAP - 1);
    const next = await open('tcp');
    assert.equal(await next.answered(20), true, 'a new TCP connection once one closed');
    held[1] = next;
    await waitForConnections(CAP);
    assert.equal(await refused(await open('tls')), true, 'full again');

    // The server closes a TCP connection (a frame too short for a header): a TLS one gets in.
    held[0].sock.write(Buffer.from([0, 3, 0xde, 0xad, 0xbe]));
    await held[0].closed;
    await waitForConnections(CAP - 1);
    const tls = await open('tls');
    assert.equal(await tls.answered(21), true, 'a new TLS connection once the server closed one');
    held[0] = tls;
    await waitForConnections(CAP);
  } finally {
    held.forEach((c) => c.sock.destroy());
  }
  await waitForConnections(0);
});
