/**
 * RFC 7828 §3.3.2 on loopback: the upstream side keeps a TCP connection to a server no longer than
 * the keepalive timeout the server's reply carried. The server is a tiny DNS responder on raw
 * sockets (UDP answers TC=1, so the ladder goes on to TCP) that sees when the client closes.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createExchanger, type NetExchanger } from '../../src/net/index.js';
import { encodeMessage, FLAG, FrameDecoder, frame, makeOpt, optAsRecord, OPTION, type EdnsOption } from '../../src/wire/index.js';
import { silentLogger } from '../../src/log/index.js';
import { systemClock } from '../../src/util/index.js';
import { defaultConfig } from '../../src/config/index.js';
import { createUpstream, type ManagedUpstream } from '../../src/upstream/index.js';
import { decode, sleep, within } from '../net/net-fixtures.js';

/** Far above every bound below: a connection closed in time was closed by the server's keepalive. */
const IDLE_TIMEOUT_MS = 30_000;
/** How long a test waits for the client to close a connection. */
const CLOSE_BOUND_MS = 3_000;

interface Connection { socket: Socket; acceptedAt: number; closedByClient: Promise<number> }

interface KeepaliveServer { port: number; connections: Connection[]; close(): Promise<void> }

const cleanups: Array<() => Promise<void>> = [];
after(async () => { for (const c of cleanups.reverse()) await c(); });

/** Answers `name A 192.0.2.1` with an OPT record carrying `keepalive` (units of 100 ms, RFC 7828 §3.1). */
function answer(query: Buffer, tc: boolean, keepalive?: number): Buffer {
  const q = decode(query);
  const options: EdnsOption[] = keepalive === undefined ? [] : [{ code: OPTION.KEEPALIVE, timeout: 1 }];
  const bytes = encodeMessage({
    type: 'response', id: q.id, flags: FLAG.AA | (tc ? FLAG.TC : 0), questions: q.questions,
    answers: tc ? [] : [{ name: q.questions[0].name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }],
    authorities: [], additionals: [optAsRecord(makeOpt(1232, false, options))],
  });
  // dns-packet cannot encode a TIMEOUT of 0 (it writes an empty option): the option ends the
  // message (the last one of the last record, the OPT), so its TIMEOUT is the last two octets.
  if (keepalive !== undefined) bytes.writeUInt16BE(keepalive, bytes.length - 2);
  return bytes;
}

async function keepaliveServer(keepalive: number): Promise<KeepaliveServer> {
  const connections: Connection[] = [];
  const tcp = createServer({ allowHalfOpen: true }, (socket) => {
    const decoder = new FrameDecoder(65535);
    const closedByClient = new Promise<number>((resolve) => socket.once('end', () => { resolve(performance.now()); socket.end(); }));
    connections.push({ socket, acceptedAt: performance.now(), closedByClient });
    socket.on('data', (chunk: Buffer) => { for (const f of decoder.push(chunk).frames) socket.write(frame(answer(f, false, keepalive))); });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => tcp.listen(0, '127.0.0.1', r));
  const { port } = tcp.address() as AddressInfo;
  const udp = createSocket('udp4');
  udp.on('message', (msg, from) => udp.send(answer(msg, true), from.port, from.address));
  await new Promise<void>((r) => udp.bind(port, '127.0.0.1', r));
  const close = async (): Promise<void> => {
    for (const c of connections) c.socket.destroy();
    await new Promise<void>((r) => tcp.close(() => r()));
    await new Promise<void>((r) => udp.close(() => r()));
  };
  cleanups.push(close);
  return { port, connections, close };
}

function setup(): { upstream: ManagedUpstream; exchanger: NetExchanger } {
  const exchanger = createExchanger({ log: silentLogger(), limits: { idleTimeoutMs: IDLE_TIMEOUT_MS } });
  cleanups.push(() => exchanger.close());
  const upstream = createUpstream({
    exchanger, clock: systemClock, log: silentLogger(), config: { ...defaultConfig().upstream, tls: 'off', timeout_ms: 2000 },
  });
  return { upstream, exchanger };
}

async function ask(upstream: ManagedUpstream, port: number, name: string): Promise<void> {
  const r = await upstream.query({ name, type: 'A', server: { address: '127.0.0.1', port }, dnssecOk: false, cd: false, rd: false });
  assert.equal(r.kind === 'reply' && r.transport, 'tcp', JSON.stringify(r));
}

test('a keepalive timeout of 200 ms: the client closes the idle connection long before its own idle timeout', async () => {
  const server = await keepaliveServer(2);
  const { upstream, exchanger } = setup();
  await ask(upstream, server.port, 'short.test');
  assert.equal(server.connections.length, 1);
  const [conn] = server.connections;
  const closedAt = await within(conn.closedByClient, CLOSE_BOUND_MS, 'the client closing the connection');
  assert.ok(closedAt - conn.acceptedAt < CLOSE_BOUND_MS);
  assert.equal(exchanger.stats().sessions, 0);
});

test('a keepalive timeout of 0: the client closes the connection once the answer is in, and dials anew', async () => {
  const server = await keepaliveServer(0);
  const { upstream } = setup();
  await ask(upstream, server.port, 'zero.test');
  await within(server.connections[0].closedByClient, CLOSE_BOUND_MS, 'the client closing the connection');
  await ask(upstream, server.port, 'zero2.test');
  assert.equal(server.connections.length, 2, 'no query on a connection the server asked to close');
});

test('a large keepalive timeout: the idle connection is kept and reused', async () => {
  const server = await keepaliveServer(600);
  const { upstream, exchanger } = setup();
  await ask(upstream, server.port, 'long1.test');
  await sleep(500); // longer than the short timeout above
  await ask(upstream, server.port, 'long2.test');
  assert.equal(server.connections.length, 1, 'one connection carried both queries');
  assert.equal(exchanger.stats().sessions, 1, 'and it is still open');
});
