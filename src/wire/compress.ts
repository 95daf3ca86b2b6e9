/**
 * Encoding with name compression (RFC 1035 §4.1.4) in one pass: dns-packet has none and writes every
 * name in full, which makes answers with many records much larger than other servers' and pushes them
 * over UDP limits. The header, questions, owner names and the names inside RDATA of the RFC 1035 types
 * where receivers expect compression (RFC 3597 §4: NS, MD, MF, CNAME, SOA, MB, MG, MR, PTR, MINFO, MX)
 * are written here, compressed; other RDATA by dns-packet's own encoders, in place. RRSIG signers, NSEC
 * next names, SRV and DNAME targets stay whole. A pointer is used only for an earlier name with exactly
 * the same octets, so the letter case of every name (the client's 0x20 question included) is kept.
 * The octets are those dns-packet's encoder writes, with pointers where the names repeat.
 */
import dnsPacket from 'dns-packet';
import { createRequire } from 'node:module';
import { encodeMessage, type Message, type Record } from './message.js';
import { wireType } from './rr-types.js';

const require = createRequire(import.meta.url);
const CLASSES = require('dns-packet/classes.js') as { toClass(name: string): number };

/** RDATA layout of the compressible types: 'n' a name, 'm' a mailbox name, a number a run of fixed octets. */
const COMPRESSIBLE: ReadonlyMap<number, readonly ('n' | 'm' | number)[]> = new Map([
  [2, ['n']], [3, ['n']], [4, ['n']], [5, ['n']], [7, ['n']], [8, ['n']], [9, ['n']], [12, ['n']], // NS MD MF CNAME MB MG MR PTR
  [6, ['n', 'm', 20]],   // SOA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
  [14, ['n', 'n']],      // MINFO
  [15, [2, 'n']],        // MX: PREFERENCE EXCHANGE
]);

const TYPE_OPT = 41;
/** Pointers can reach only the first 16 KiB of a message. */
const MAX_POINTER = 0x3fff;
/** Room left before each record: any record whose RDATA a 16-bit RDLENGTH can count fits. */
const RECORD_ROOM = 256 + 10 + 65535;
/** One scratch buffer for the (synchronous) encoder; messages near it go the uncompressed way. */
const SCRATCH = Buffer.allocUnsafe(3 * 65536);
/** Where dns-packet writes the names the fast path does not take (non-ASCII, mailbox escapes). */
const NAME_SCRATCH = Buffer.allocUnsafe(1024);

/** An encoder of dns-packet's: writes at `offset`, leaves the octet count in `bytes`. */
interface Encoder<T, O = undefined> { (value: T, buf: Buffer, offset: number, opts?: O): Buffer; bytes: number }
/** dns-packet's name and RDATA encoders, which its type declarations leave out. */
const PACKET = dnsPacket as unknown as {
  name: { encode: Encoder<string, { mail: boolean }> };
  record(type: string): { encode: Encoder<unknown> };
};
const NAME = PACKET.name;

/** A name dns-packet would write as something other than a name (empty or long labels); the message goes uncompressed. */
class NotAName extends Error {}

class Writer {
  readonly out = SCRATCH;
  len = 0;
  /** A name suffix, its labels' octets (latin1) joined by '.' → the offset where it was written. */
  private readonly suffixes = new Map<string, number>();
  /** Suffixes with a '.' inside a label (mailbox local parts), keyed by their octets with length octets. */
  private readonly dotted = new Map<string, number>();

  reset(): void {
    this.len = 0;
    this.suffixes.clear();
    if (this.dotted.size > 0) this.dotted.clear();
  }

  u16(v: number): void {
    this.out.writeUInt16BE(v, this.len);
    this.len += 2;
  }

  u32(v: number): void {
    this.out.writeUInt32BE(v, this.len);
    this.len += 4;
  }

  copy(src: Buffer, start: number, end: number): void {
    src.copy(this.out, this.len, start, end);
    this.len += end - start;
  }

  /** Writes the name `text` (dns-packet's form; `mail`: an SOA RNAME with `\.` escapes), compressed. */
  name(text: string, mail: boolean): void {
    // dns-packet strips one leading and one trailing dot (its /^\.|\.$/gm, so line breaks take the slow way).
    const start = text.charCodeAt(0) === 46 ? 1 : 0;
    const end = text.length > start && text.charCodeAt(text.length - 1) === 46 ? text.length - 1 : text.length;
    let label = start;
    for (let i = start; i < end; i++) {
      const c = text.charCodeAt(i);
      if (c >= 0x80 || c === 10 || c === 13 || (mail && c === 92)) { this.slowName(text, mail); return; }
      if (c === 46) { checkLabel(i - label, i - start + 1); label = i + 1; }
    }
    if (end > start) checkLabel(end - label, end - start + 1);
    for (let at = start; at < end;) {
      const key = text.slice(at, end);
      if (this.pointTo(this.suffixes, key)) return;
      const dot = text.indexOf('.', at);
      const stop = dot < 0 || dot > end ? end : dot;
      const lenAt = this.len++;
      for (let i = at; i < stop; i++) this.out[this.len++] = text.charCodeAt(i);
      this.out[lenAt] = stop - at;
      at = stop + 1;
    }
    this.out[this.len++] = 0;
  }

  /** Names with non-ASCII letters or mailbox escapes: dns-packet's octets for them, compressed. */
  private slowName(text: string, mail: boolean): void {
    NAME.encode(text, NAME_SCRATCH, 0, { mail });
    // Longer than any name (255 octets and the root's): not one, and maybe cut at the scratch's end.
    if (NAME.encode.bytes > 256) throw new NotAName();
    this.wireName(NAME_SCRATCH, 0, NAME.encode.bytes);
  }

  /** Writes the uncompressed name `buf[off, end)` compressed; NotAName when it is not exactly one name. */
  wireName(buf: Buffer, off: number, end: number): void {
    const starts: number[] = [];
    for (let at = off; ; at += buf[at] + 1) {
      if (at >= end) throw new NotAName();
      if (buf[at] === 0) { if (at + 1 !== end) throw new NotAName(); break; }
      checkLabel(buf[at], at + buf[at] + 1 - off);
      starts.push(at);
    }
    for (let i = 0; i < starts.length; i++) {
      let key = '';
      let dotted = false;
      for (let j = i; j < starts.length; j++) {
        const label = buf.toString('latin1', starts[j] + 1, starts[j] + 1 + buf[starts[j]]);
        dotted ||= label.includes('.');
        key += j === i ? label : `.${label}`;
      }
      if (dotted ? this.pointTo(this.dotted, buf.toString('latin1', starts[i], end)) : this.pointTo(this.suffixes, key)) return;
      this.copy(buf, starts[i], starts[i] + buf[starts[i]] + 1);
    }
    this.out[this.len++] = 0;
  }

  /** Writes a pointer to an earlier `key` and returns true, or notes that `key` starts here. */
  private pointTo(seen: Map<string, number>, key: string): boolean {
    const at = seen.get(key);
    if (at !== undefined) {
      this.u16(0xc000 | at);
      return true;
    }
    if (this.len <= MAX_POINTER) seen.set(key, this.len);
    return false;
  }
}

/** A label of `octets` ending `total` octets into its name is what a name may hold (RFC 1035 §2.3.4). */
function checkLabel(octets: number, total: number): void {
  if (octets === 0 || octets > 63 || total > 255) throw new NotAName();
}

const WRITER = new Writer();

/**
 * `msg` encoded with its names compressed. A message with something dns-packet writes that is not a
 * name where one belongs, or too large for the scratch buffer, is encoded uncompressed by dns-packet
 * (which throws the errors its encoders throw).
 */
export function encodeCompressed(msg: Message): Buffer {
  const w = WRITER;
  w.reset();
  try {
    if (writeMessage(w, msg)) return Buffer.from(w.out.subarray(0, w.len));
  } catch {
    // NotAName, a record too large for the scratch, or an error dns-packet's encoder throws again below.
  }
  return encodeMessage(msg);
}

function writeMessage(w: Writer, msg: Message): boolean {
  w.u16(msg.id || 0);
  w.u16((msg.flags || 0) & 0x7fff | (msg.type === 'response' ? 0x8000 : 0));
  w.u16(msg.questions.length);
  w.u16(msg.answers.length);
  w.u16(msg.authorities.length);
  w.u16(msg.additionals.length);
  for (const q of msg.questions) {
    if (w.len + 256 + 4 > w.out.length) return false;
    w.name(q.name, false);
    w.u16(wireType(q.type));
    w.u16(classNumber(q.class));
  }
  for (const section of [msg.answers, msg.authorities, msg.additionals]) {
    for (const rr of section) {
      if (w.len + RECORD_ROOM > w.out.length || !writeRecord(w, rr)) return false;
    }
  }
  return true;
}

/** A class as dns-packet writes it (IN when there is none). */
function classNumber(klass: string | undefined): number {
  return klass === undefined || klass === 'IN' ? 1 : CLASSES.toClass(klass);
}

/** Record fields as dns-packet's answer.encode reads them. */
interface RecordFields {
  name: string; type: string; class?: string; flush?: boolean; ttl?: number; data?: unknown;
  udpPayloadSize?: number; extendedRcode?: number; ednsVersion?: number; flags?: number; options?: unknown[];
}

/** One record; false when dns-packet's RDATA encoder wrote more than an RDLENGTH can count. */
function writeRecord(w: Writer, record: Record): boolean {
  const rr = record as unknown as RecordFields;
  const type = wireType(rr.type);
  // As answer.encode: the OPT layout by the type's name (UNKNOWN_41 stays opaque), owned by the root only.
  const opt = type === TYPE_OPT && rr.type.toUpperCase() === 'OPT';
  if (opt && rr.name !== '.') throw new NotAName();
  w.name(rr.name, false);
  w.u16(type);
  if (opt) {
    w.u16(rr.udpPayloadSize || 4096);
    w.out[w.len++] = rr.extendedRcode || 0;
    w.out[w.len++] = rr.ednsVersion || 0;
    w.u16(rr.flags || 0);
    return writeWith(w, 'OPT', rr.options || []);
  }
  w.u16(classNumber(rr.class) | (rr.flush ? 0x8000 : 0));
  w.u32(rr.ttl || 0);
  const layout = COMPRESSIBLE.get(type);
  if (layout === undefined) return writeWith(w, rr.type, rr.data);
  const rdlengthAt = w.len;
  w.len += 2;
  if (Buffer.isBuffer(rr.data)) writeOpaqueNames(w, layout, rr.data);
  else writeNames(w, type, rr.data);
  w.out.writeUInt16BE(w.len - rdlengthAt - 2, rdlengthAt);
  return true;
}

/** RDATA (with its RDLENGTH) by dns-packet's encoder for `type`, in place. */
function writeWith(w: Writer, type: string, data: unknown): boolean {
  const enc = PACKET.record(type);
  enc.encode(data, w.out, w.len);
  w.len += enc.encode.bytes;
  return enc.encode.bytes <= 2 + 65535;
}

/** The RDATA of the compressible types dns-packet decodes into fields (NS, CNAME, PTR, SOA, MX). */
function writeNames(w: Writer, type: number, data: unknown): void {
  if (type === 6) {
    const soa = data as { mname: string; rname: string; serial?: number; refresh?: number; retry?: number; expire?: number; minimum?: number };
    w.name(soa.mname, false);
    w.name(soa.rname, true);
    for (const v of [soa.serial, soa.refresh, soa.retry, soa.expire, soa.minimum]) w.u32(v || 0);
  } else if (type === 15) {
    const mx = data as { preference?: number; exchange: string };
    w.u16(mx.preference || 0);
    w.name(mx.exchange, false);
  } else {
    w.name(data as string, false);
  }
}

/**
 * The RDATA of a compressible type dns-packet keeps opaque (MD, MF, MB, MG, MR, MINFO): its names
 * compressed when it holds exactly the layout with uncompressed names, otherwise copied as it is.
 */
function writeOpaqueNames(w: Writer, layout: readonly ('n' | 'm' | number)[], data: Buffer): void {
  const parts: [number, number][] = [];
  let off = 0;
  for (const part of layout) {
    const end = typeof part === 'number' ? off + part : nameEnd(data, off);
    if (end < 0 || end > data.length) { w.copy(data, 0, data.length); return; }
    parts.push([off, end]);
    off = end;
  }
  if (off !== data.length) { w.copy(data, 0, data.length); return; }
  parts.forEach(([from, to], i) => { if (typeof layout[i] === 'number') w.copy(data, from, to); else w.wireName(data, from, to); });
}

/** The end of the uncompressed name at `off` in `buf`, or -1 (a pointer, a bad label, past the end). */
function nameEnd(buf: Buffer, off: number): number {
  for (let total = 0; off < buf.length; off += buf[off] + 1) {
    const len = buf[off];
    if (len === 0) return off + 1;
    total += len + 1;
    if (len > 63 || total > 255) return -1;
  }
  return -1;
}
