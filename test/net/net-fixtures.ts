/**
 * Shared pieces for the loopback tests of the connection core: DNS messages, a responder sink
 * (delays by name), a TLS certificate made once per process, raw socket clients that read frames,
 * a port nothing listens on.
 */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { decodeMessage, encodeMessage, makeOpt, optAsRecord, FLAG, MalformedMessage, type Message } from '../../src/wire/index.js';
import { createSelfSigned, type TlsMaterial } from '../../src/tls/index.js';
import { silentLogger } from '../../src/log/index.js';
import { listen, type InboundQuery, type InboundSink, type Listener, type ListenOptions } from '../../src/net/index.js';

export const log = silentLogger();

let material: TlsMaterial | undefined;
/** A self-signed certificate for localhost / 127.0.0.1, made once per test process. */
export function testTls(): TlsMaterial {
  material ??= createSelfSigned();
  return material;
}

/** A query for `name`/A; with `edns` it carries an OPT record. */
export function makeQuery(name: string, opts: { id?: number; edns?: boolean; type?: string } = {}): Buffer {
  return encodeMessage({
    id: opts.id ?? 0x1234, type: 'query', flags: FLAG.RD,
    questions: [{ name, type: (opts.type ?? 'A') as 'A', class: 'IN' }],
    additionals: opts.edns ? [optAsRecord(makeOpt(1232, false))] : [],
  });
}

/** Decodes or throws (tests only). */
export function decode(buf: Buffer): Message {
  const m = decodeMessage(buf);
  if (m instanceof MalformedMessage) throw new Error(m.message);
  return m;
}

/** An answer to `query`: `name A 192.0.2.1` (plus `pad` octets of TXT to make it bigger). */
export function answerFor(query: Buffer, pad = 0): Buffer {
  const q = decode(query);
  const name = q.questions[0].name;
  const answers: Message['answers'] = [{ name, type: 'A', class: 'IN', ttl: 60, data: '192.0.2.1' }];
  for (let left = pad; left > 0; left -= 255) {
    answers.push({ name, type: 'TXT', class: 'IN', ttl: 60, data: ['x'.repeat(Math.min(255, left))] } as Message['answers'][number]);
  }
  return encodeMessage({ id: q.id, type: 'response', flags: FLAG.QR | FLAG.RD | FLAG.RA, questions: q.questions, answers });
}

export interface Responder {
  sink: InboundSink;
  /** Queries seen, in order of arrival. */
  seen: string[];
  /** Queries whose signal was aborted. */
  aborted: number;
}

/** A sink answering every query; names in `delays` are answered after that many ms, names in `silent` never. */
export function responder(delays: Record<string, number> = {}, opts: { silent?: string[]; pad?: number } = {}): Responder {
  const r: Responder = { seen: [], aborted: 0, sink: () => undefined };
  r.sink = (q: InboundQuery) => {
    const name = decode(q.bytes).questions[0].name;
    r.seen.push(name);
    const onAbort = (): void => { r.aborted++; };
    q.signal.addEventListener('abort', onAbort, { once: true });
    if (opts.silent?.includes(name)) return;
    const out = answerFor(q.bytes, opts.pad);
    const send = (): void => { q.signal.removeEventListener('abort', onAbort); q.reply(out); };
    const d = delays[name];
    if (d === undefined) send();
    else setTimeout(send, d);
  };
  return r;
}

/** Starts a listener on 127.0.0.1, ephemeral port. */
export function serve(transport: 'udp' | 'tcp' | 'tls', sink: InboundSink, extra: Partial<ListenOptions> = {}): Promise<Listener> {
  return listen({ transport, address: '127.0.0.1', port: 0, log, tls: transport === 'tls' ? testTls() : undefined, ...extra }, sink);
}

/** A raw TCP client that collects whole frames as they arrive. */
export class RawClient {
  readonly frames: Buffer[] = [];
  private buf = Buffer.alloc(0);
  private waiters: Array<() => void> = [];
  closed = false;
  readonly done: Promise<void>;

  constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      while (this.buf.length >= 2 && this.buf.length >= 2 + this.buf.readUInt16BE(0)) {
        const len = this.buf.readUInt16BE(0);
        this.frames.push(this.buf.subarray(2, 2 + len));
        this.buf = this.buf.subarray(2 + len);
      }
      this.wake();
    });
    socket.on('error', () => undefined);
    // The server's FIN (graceful close) or a reset: either way it will send nothing more.
    this.done = new Promise((resolve) => {
      const finish = (): void => { this.closed = true; this.wake(); resolve(); };
      socket.on('end', finish);
      socket.on('close', finish);
    });
  }

  static open(port: number, host = '127.0.0.1'): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ port, host, allowHalfOpen: true });
      s.once('connect', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  /** Resolves when `n` frames have arrived (or rejects after `ms`, or if the connection closes first). */
  async waitFrames(n: number, ms = 3000): Promise<Buffer[]> {
    const end = Date.now() + ms;
    while (this.frames.length < n) {
      if (this.closed) throw new Error(`closed after ${this.frames.length} of ${n} frames`);
      if (Date.now() > end) throw new Error(`timeout after ${this.frames.length} of ${n} frames`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
    return this.frames.slice(0, n);
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** 2-octet length prefix + message. */
export function framed(msg: Buffer): Buffer {
  const out = Buffer.alloc(msg.length + 2);
  out.writeUInt16BE(msg.length, 0);
  msg.copy(out, 2);
  return out;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Resolves within `ms` when `p` settles, else rejects (keeps a failing test from hanging). */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let t: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(t)),
    new Promise<T>((_, reject) => { t = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms); }),
  ]);
}

/** A loopback TCP port nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
