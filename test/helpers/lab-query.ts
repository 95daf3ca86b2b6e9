/**
 * A minimal DNS client for lab tests and readiness probes: one query over UDP, TCP (RFC 1035 §4.2) or
 * TLS (RFC 7858, certificate not checked: the lab's are self-signed),
 * bounded by a timeout, and a normalised view of an answer (rcode plus a sorted set of answer records,
 * TTLs ignored) so answers from different resolvers can be compared.
 */
import { createSocket } from 'node:dgram';
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  decodeMessage, encodeMessage, frame, FrameDecoder, FLAG, MalformedMessage, makeOpt, optAsRecord, rcodeOf,
  type Message, type Record, type RRType,
} from '../../src/wire/index.js';
import { randomId } from '../../src/util/index.js';

export interface QueryOptions {
  transport?: 'udp' | 'tcp' | 'tls';
  timeoutMs?: number;
  /** Recursion desired (default true: the lab asks resolvers; authoritative probes may set false). */
  rd?: boolean;
  /** EDNS UDP payload size to advertise (default 1232); 0 sends no OPT record. */
  ednsSize?: number;
  /** Set the DO bit (RFC 3225: DNSSEC records wanted). */
  dnssecOk?: boolean;
  /** Set the CD bit (RFC 4035 §3.2.2: checking disabled, the client validates). */
  checkingDisabled?: boolean;
}

/** Sends one query to `address:port` and resolves with the decoded response; rejects on timeout or garbage. */
export function query(
  address: string, port: number, name: string, type: RRType, opts: QueryOptions = {},
): Promise<Message> {
  const id = randomId();
  const ednsSize = opts.ednsSize ?? 1232;
  const wire = encodeMessage({
    id,
    type: 'query',
    flags: (opts.rd === false ? 0 : FLAG.RD) | (opts.checkingDisabled === true ? FLAG.CD : 0),
    questions: [{ name, type, class: 'IN' }],
    additionals: ednsSize > 0 ? [optAsRecord(makeOpt(ednsSize, opts.dnssecOk === true))] : [],
  });
  const timeoutMs = opts.timeoutMs ?? 3000;
  const what = `${name} ${type} @${address}:${port}`;
  if (opts.transport === undefined || opts.transport === 'udp') return queryUdp(address, port, wire, id, timeoutMs, what);
  const tls = opts.transport === 'tls';
  const open = (): Socket => (tls ? tlsConnect({ host: address, port, rejectUnauthorized: false }) : connect({ host: address, port }));
  return queryStream(open, tls ? 'secureConnect' : 'connect', wire, id, timeoutMs, what);
}

function accept(buf: Buffer, id: number): Message | undefined {
  const msg = decodeMessage(buf);
  if (msg instanceof MalformedMessage || msg.id !== id) return undefined;
  return msg;
}

function queryUdp(address: string, port: number, wire: Buffer, id: number, timeoutMs: number, what: string): Promise<Message> {
  return new Promise((resolve, reject) => {
    const sock = createSocket('udp4');
    const finish = (err: Error | null, msg?: Message): void => {
      clearTimeout(timer);
      sock.close();
      if (err) reject(err); else resolve(msg as Message);
    };
    const timer = setTimeout(() => finish(new Error(`timeout: ${what}`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on('message', (buf) => {
      const msg = accept(buf, id);
      if (msg) finish(null, msg);
    });
    sock.send(wire, port, address);
  });
}

function queryStream(
  open: () => Socket, ready: 'connect' | 'secureConnect', wire: Buffer, id: number, timeoutMs: number, what: string,
): Promise<Message> {
  return new Promise((resolve, reject) => {
    const sock = open();
    const decoder = new FrameDecoder();
    const finish = (err: Error | null, msg?: Message): void => {
      clearTimeout(timer);
      sock.destroy();
      if (err) reject(err); else resolve(msg as Message);
    };
    const timer = setTimeout(() => finish(new Error(`timeout: ${what}`)), timeoutMs);
    sock.on('error', (err) => finish(err));
    sock.on(ready, () => sock.write(frame(wire)));
    sock.on('data', (chunk) => {
      const { frames, error } = decoder.push(chunk);
      if (error) return finish(new Error(`bad frame (${error}): ${what}`));
      for (const f of frames) {
        const msg = accept(f, id);
        if (msg) return finish(null, msg);
      }
    });
    sock.on('end', () => finish(new Error(`closed without an answer: ${what}`)));
  });
}

/** RCODE names for the lab's expectations (RFC 1035 §4.1.1). */
const RCODE_NAMES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED'];

/** The response code of `msg` as a name ("NOERROR", "NXDOMAIN", ...). */
export function rcodeName(msg: Message): string {
  const code = rcodeOf(msg.flags);
  return RCODE_NAMES[code] ?? `RCODE${code}`;
}

function rdataText(rr: Record): string {
  const data = (rr as { data?: unknown }).data;
  if (rr.type === 'TXT') {
    const parts = Array.isArray(data) ? data : [data];
    return parts.map((p) => JSON.stringify(Buffer.isBuffer(p) ? p.toString('utf8') : String(p))).join(' ');
  }
  if (typeof data === 'string') return ['CNAME', 'DNAME', 'NS', 'PTR'].includes(rr.type) ? data.toLowerCase() : data;
  return JSON.stringify(data);
}

/** One record as "owner TYPE rdata" (owner lower-cased, no trailing dot, TTL left out). */
export function recordText(rr: Record): string {
  return `${rr.name.toLowerCase().replace(/\.$/, '')} ${rr.type} ${rdataText(rr)}`;
}

/** What a comparison looks at: the rcode and the answer section as a sorted set of records. */
export interface AnswerView { rcode: string; answers: string[] }

/** Normalises a response for comparison (RRSIGs left out: the lab does not validate). */
export function answerView(msg: Message): AnswerView {
  const answers = [...new Set(msg.answers.filter((rr) => rr.type !== 'RRSIG').map(recordText))].sort();
  return { rcode: rcodeName(msg), answers };
}
