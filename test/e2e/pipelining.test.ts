/**
 * An in-process server (startServer with a handler that delays one name) talking DoT to node:tls:
 * pipelined queries on one connection are answered as each is ready, out of order (RFC 7766 §6.2.1.1,
 * RFC 7858 §3.3); keepalive (RFC 7828) changes the connection's idle timeout; stop() lets a query in
 * flight finish before the server closes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type TLSSocket } from 'node:tls';
import dnsPacket from 'dns-packet';
import { startServer, type Answer, type ClientQuery, type RunningServer } from '../../src/server/index.js';
import { defaultConfig, type ServerConfig } from '../../src/config/index.js';
import { createSelfSigned } from '../../src/tls/index.js';
import { silentLogger } from '../../src/log/index.js';
import { decodeMessage, frame, FrameDecoder, OPTION, type Message } from '../../src/wire/index.js';

const ADDR = '127.0.2.43';
const SLOW_MS = 400;
let server: RunningServer;

function handler(q: ClientQuery): Promise<Answer> {
  const answer: Answer = {
    rcode: 0, authority: [], additional: [], authenticated: false,
    answer: [{ name: q.question.name, type: 'TXT', class: 'IN', ttl: 60, data: [q.question.name] }],
  };
  const delay = q.question.name.startsWith('slow') ? SLOW_MS : 0;
  return new Promise((resolve) => setTimeout(() => resolve(answer), delay));
}

function serverConfig(): ServerConfig {
  const c = defaultConfig().server;
  c.listen = [{ address: ADDR, port: 0, transport: 'tls' }, { address: ADDR, port: 0, transport: 'tcp' }];
  c.limits.tcp_idle_timeout_ms = 300;
  c.limits.keepalive_timeout_ms = 1_500;
  return c;
}

before(async () => {
  server = await startServer({ server: serverConfig(), handler, log: silentLogger(), tls: createSelfSigned() });
});
after(async () => { await server?.stop(1_000); });

function port(transport: 'tls' | 'tcp'): number {
  return server.sockets.find((s) => s.transport === transport)!.port;
}

interface Client { sock: TLSSocket; messages: Message[]; closed: Promise<void>; next(n: number): Promise<Message[]> }
async function dot(): Promise<Client> {
  const sock = connect({ host: ADDR, port: port('tls'), rejectUnauthorized: false, ALPNProtocols: ['dot'] });
  await new Promise<void>((resolve, reject) => { sock.once('secureConnect', resolve); sock.once('error', reject); });
  const decoder = new FrameDecoder();
  const messages: Message[] = [];
  let waiters: (() => void)[] = [];
  sock.on('data', (chunk: Buffer) => {
    for (const f of decoder.push(chunk).frames) messages.push(decodeMessage(f) as Message);
    waiters.forEach((w) => w());
    waiters = [];
  });
  const closed = new Promise<void>((resolve) => sock.once('close', () => resolve()));
  return {
    sock, messages, closed,
    async next(n: number) {
      const deadline = Date.now() + 5_000;
      while (messages.length < n && Date.now() < deadline) await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 100); });
      return messages.slice(0, n);
    },
  };
}

function q(id: number, name: string, options: object[] = []): Buffer {
  return frame(dnsPacket.encode({
    id, type: 'query', flags: dnsPacket.RECURSION_DESIRED, questions: [{ name, type: 'TXT', class: 'IN' }],
    additionals: [{ type: 'OPT', name: '.', udpPayloadSize: 1232, options } as unknown as dnsPacket.Answer],
  }));
}

test('pipelined queries on one DoT connection: fast answers overtake the slow one, all correct', async () => {
  const c = await dot();
  try {
    c.sock.write(Buffer.concat([q(1, 'slow.pipe.test'), q(2, 'fast1.pipe.test'), q(3, 'fast2.pipe.test'), q(4, 'fast3.pipe.test')]));
    const got = await c.next(4);
    assert.equal(got.length, 4);
    assert.deepEqual(got.map((m) => m.id), [2, 3, 4, 1], 'the slow answer comes last');
    for (const m of got) {
      const txt = (m.answers[0] as { data: Buffer[] }).data[0].toString();
      assert.equal(txt, m.questions[0].name, `answer ${m.id} belongs to its question`);
    }
  } finally {
    c.sock.destroy();
  }
});

test('idle connections close after tcp_idle_timeout_ms; keepalive extends it to keepalive_timeout_ms', async () => {
  const plain = await dot();
  const ka = await dot();
  try {
    plain.sock.write(q(10, 'a.idle.test'));
    ka.sock.write(q(11, 'b.idle.test', [{ code: OPTION.KEEPALIVE }]));
    await plain.next(1);
    const [kaReply] = await ka.next(1);
    const opt = kaReply.additionals.find((r) => r.type === 'OPT') as { options: { code: number; timeout?: number }[] };
    assert.equal(opt.options.find((o) => o.code === OPTION.KEEPALIVE)?.timeout, 15);
    const t0 = Date.now();
    await plain.closed;
    assert.ok(Date.now() - t0 < 1_000, 'plain connection closed by the idle timeout');
    assert.equal(ka.sock.destroyed, false, 'keepalive connection still open');
    await ka.closed;
    assert.ok(Date.now() - t0 >= 900, 'keepalive connection lived about keepalive_timeout_ms');
  } finally {
    plain.sock.destroy();
    ka.sock.destroy();
  }
});

test('stop() finishes a query in flight, then refuses new connections', async () => {
  const c = await dot();
  c.sock.write(q(20, 'slow.stop.test'));
  await new Promise((r) => setTimeout(r, 50));
  const stopped = server.stop(3_000);
  const [reply] = await c.next(1);
  assert.equal(reply?.id, 20, 'the in-flight query was answered');
  await stopped;
  await assert.rejects(dot());
  c.sock.destroy();
});
