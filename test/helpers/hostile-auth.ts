/**
 * A scripted authoritative server for hostile-server tests: UDP and TCP (RFC 1035 §4.2, RFC 7766
 * framing) on one loopback address, port 53. Every query is recorded, then handed to the current
 * script, which returns the reply (bytes, a Message, or nothing to stay silent). `serveZones` is an
 * honest authoritative engine (answers, referrals with glue, NXDOMAIN/NODATA with SOA) that scripts
 * build on, and `reply` makes a response to a query. `UdpSink` plays many dead servers and counts.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import {
  decodeMessage, encodeMessage, findOpt, frame, FrameDecoder, FLAG, MalformedMessage, normalizeName, isSubdomain, parseZone,
  type Message, type Record,
} from '../../src/wire/index.js';

export type AuthTransport = 'udp' | 'tcp';
export interface Remote { address: string; port: number }
/** `raw`: bytes written as they are, without the TCP length prefix (to break the framing). */
export type ScriptReply = Buffer | Message | { raw: Buffer } | undefined;
/** Decides the reply to one query; may be async (to delay, or to let another socket answer first). */
export type Script = (q: Message, transport: AuthTransport, remote: Remote) => ScriptReply | Promise<ScriptReply>;
/** `edns`: the query carried an OPT record. */
export interface Received { name: string; type: string; transport: AuthTransport; edns: boolean }

const silent: Script = () => undefined;

export class HostileAuth {
  script: Script = silent;
  readonly received: Received[] = [];
  private readonly sockets = new Set<Socket>();
  private closed = false;

  private constructor(readonly address: string, private readonly udp: UdpSocket, private readonly tcp: Server) {}

  /** Binds UDP and TCP on address:53. */
  static async start(address: string): Promise<HostileAuth> {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve, reject) => { udp.once('error', reject); udp.bind(53, address, () => resolve()); });
    const tcp = createServer();
    await new Promise<void>((resolve, reject) => { tcp.once('error', reject); tcp.listen(53, address, () => resolve()); });
    const auth = new HostileAuth(address, udp, tcp);
    udp.on('error', () => undefined); // e.g. ICMP errors reported late; the server keeps going
    udp.on('message', (buf, rinfo) => {
      void auth.handle(buf, 'udp', { address: rinfo.address, port: rinfo.port }).then((out) => {
        if (out) auth.sendUdp(out.bytes, { address: rinfo.address, port: rinfo.port });
      });
    });
    tcp.on('connection', (sock) => auth.serveStream(sock));
    return auth;
  }

  /** Sends a datagram from this server's UDP socket (to answer on behalf of another server). */
  sendUdp(bytes: Buffer, to: Remote): void {
    if (!this.closed) this.udp.send(bytes, to.port, to.address);
  }

  /** Queries received for `name` (any type when `type` is left out). */
  count(name: string, type?: string): number {
    const n = normalizeName(name);
    return this.received.filter((r) => r.name === n && (type === undefined || r.type === type)).length;
  }

  /** Forgets the queries received and goes back to silence. */
  reset(script: Script = silent): void {
    this.received.length = 0;
    this.script = script;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.tcp.close(() => resolve()));
    await new Promise<void>((resolve) => this.udp.close(() => resolve()));
  }

  private serveStream(sock: Socket): void {
    this.sockets.add(sock);
    sock.on('close', () => this.sockets.delete(sock));
    sock.on('error', () => sock.destroy());
    const decoder = new FrameDecoder();
    sock.on('data', (chunk) => {
      const { frames, error } = decoder.push(chunk);
      if (error) { sock.destroy(); return; }
      for (const f of frames) {
        void this.handle(f, 'tcp', { address: sock.remoteAddress ?? '', port: sock.remotePort ?? 0 }).then((out) => {
          if (out && !sock.destroyed) sock.write(out.framed ? frame(out.bytes) : out.bytes);
        });
      }
    });
  }

  private async handle(buf: Buffer, transport: AuthTransport, remote: Remote): Promise<{ bytes: Buffer; framed: boolean } | undefined> {
    const q = decodeMessage(buf);
    if (q instanceof MalformedMessage || q.questions.length !== 1) return undefined;
    this.received.push({ name: normalizeName(q.questions[0].name), type: q.questions[0].type, transport, edns: findOpt(q) !== undefined });
    let out: ScriptReply;
    try {
      out = await this.script(q, transport, remote);
    } catch {
      return undefined;
    }
    if (out === undefined) return undefined;
    if (Buffer.isBuffer(out)) return { bytes: out, framed: true };
    if ('raw' in out) return { bytes: out.raw, framed: false };
    return { bytes: encodeMessage(out), framed: true };
  }
}

/** UDP sockets on many addresses, port 53, that never answer and count what they receive (dead servers). */
export class UdpSink {
  received = 0;
  private constructor(private readonly sockets: UdpSocket[]) {}

  static async start(addresses: string[]): Promise<UdpSink> {
    const sockets: UdpSocket[] = [];
    const sink = new UdpSink(sockets);
    try {
      for (const address of addresses) {
        const sock = createSocket('udp4');
        sockets.push(sock);
        await new Promise<void>((resolve, reject) => { sock.once('error', reject); sock.bind(53, address, () => resolve()); });
        sock.on('message', () => { sink.received++; });
      }
    } catch (err) {
      await sink.close();
      throw err;
    }
    return sink;
  }

  async close(): Promise<void> {
    await Promise.all(this.sockets.map((s) => new Promise<void>((resolve) => {
      try { s.close(() => resolve()); } catch { resolve(); }
    })));
  }
}

export interface ReplyParts {
  aa?: boolean;
  tc?: boolean;
  rcode?: number;
  answers?: Record[];
  authorities?: Record[];
  additionals?: Record[];
  /** Overrides (for wrong-ID or wrong-question replies). */
  id?: number;
  question?: { name: string; type: string };
}

/** A response to `q`: same ID and question unless overridden, QR set, no EDNS. */
export function reply(q: Message, p: ReplyParts = {}): Message {
  const question = p.question ? [{ name: p.question.name, type: p.question.type, class: 'IN' }] : q.questions;
  return {
    id: p.id ?? q.id,
    type: 'response',
    flags: FLAG.QR | (p.aa ? FLAG.AA : 0) | (p.tc ? FLAG.TC : 0) | (q.flags & FLAG.RD) | (p.rcode ?? 0),
    questions: question,
    answers: p.answers ?? [],
    authorities: p.authorities ?? [],
    additionals: p.additionals ?? [],
  } as Message;
}

/** Records from zone-file lines (absolute names, TTL and class given or defaulted). */
export function rrs(...lines: string[]): Record[] {
  return parseZone(lines.join('\n'), { defaultTtl: 300 });
}

function soaOf(zone: string): Record {
  const suffix = zone === '' ? '' : `${zone}.`;
  return rrs(`${suffix || '.'} 60 IN SOA ns.${suffix} hostmaster.${suffix} 1 3600 600 86400 60`)[0];
}

/**
 * An honest authoritative server for `zones` (their origins) holding `records`: the zone cut closest
 * to the apex at or above the name gives a referral (NS, and glue for the names below the cut, no
 * AA); else the
 * name's records of the type (or its CNAME) with AA; else NODATA or NXDOMAIN with the zone's SOA.
 */
export function serveZones(zones: string[], records: Record[]): Script {
  const origins = zones.map(normalizeName);
  return (q) => {
    const name = normalizeName(q.questions[0].name);
    const type = q.questions[0].type;
    const zone = origins.filter((z) => isSubdomain(name, z)).sort((a, b) => b.length - a.length)[0];
    if (zone === undefined) return reply(q, { rcode: 5 });
    const inZone = records.filter((rr) => isSubdomain(normalizeName(rr.name), zone));
    const cut = cutFor(inZone, name, zone);
    if (cut !== undefined) {
      const ns = inZone.filter((rr) => rr.type === 'NS' && normalizeName(rr.name) === cut);
      const targets = new Set(ns.map((rr) => normalizeName(String((rr as { data?: unknown }).data))));
      const glue = inZone.filter((rr) => (rr.type === 'A' || rr.type === 'AAAA') && targets.has(normalizeName(rr.name))
        && isSubdomain(normalizeName(rr.name), cut));
      return reply(q, { authorities: ns, additionals: glue });
    }
    const here = inZone.filter((rr) => normalizeName(rr.name) === name);
    const data = here.filter((rr) => rr.type === type);
    if (data.length > 0) return reply(q, { aa: true, answers: data });
    const cname = here.filter((rr) => rr.type === 'CNAME');
    if (cname.length > 0) return reply(q, { aa: true, answers: cname });
    const exists = inZone.some((rr) => isSubdomain(normalizeName(rr.name), name));
    return reply(q, { aa: true, rcode: exists ? 0 : 3, authorities: [soaOf(zone)] });
  };
}

/** The delegation below `zone` that `name` falls under (the one closest to the apex). */
function cutFor(records: Record[], name: string, zone: string): string | undefined {
  let best: string | undefined;
  for (const rr of records) {
    const owner = normalizeName(rr.name);
    if (rr.type !== 'NS' || owner === zone || !isSubdomain(name, owner)) continue;
    if (best === undefined || owner.length < best.length) best = owner;
  }
  return best;
}
