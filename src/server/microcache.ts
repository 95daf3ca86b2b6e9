/**
 * The UDP fast path: a response cache keyed by what shapes a reply, storing encoded replies (a packet
 * cache, like PowerDNS Recursor's). A hit skips decode, handler and encode: the stored bytes are
 * copied, the ID patched, the client's question name copied in (its case, RFC 4343 and the 0x20
 * trick) and every TTL lowered by the whole seconds since the reply was stored, so TTLs count down
 * exactly as from the resolver's cache. An entry lives at most 90% of its smallest TTL, and at
 * most `maxAgeMs`; answers from local data (authoritative) keep their TTLs. Only plain queries
 * qualify: one question, no answer or authority records, nothing in additional but one OPT of
 * version 0 (RFC 6891 §6.1.2) ending the message.
 */
import { DO_FLAG, FLAG, skipName } from '../wire/index.js';

/** The cache key of a query and where its question name ends, or null when it must take the slow path. */
export interface FastKey { key: string; nameEnd: number }

const MUST_BE_CLEAR = FLAG.QR | 0x7800 /* OPCODE */ | FLAG.TC;
const KEY_FLAGS = FLAG.RD | FLAG.CD | FLAG.AD;
const OPT_TYPE = 41;
const NON_ASCII = /[^\x00-\x7f]/;

/**
 * The offset just past the uncompressed question name at offset 12, or -1. Only lengths are read
 * (wire/peek.ts peekQuestion also builds the name's text, which this hot path does not need).
 */
function scanName(buf: Buffer): number {
  let off = 12;
  while (off < buf.length) {
    const len = buf[off];
    if (len === 0) return off + 1;
    if (len > 63) return -1;
    off += 1 + len;
    if (off - 12 > 255) return -1;
  }
  return -1;
}

/**
 * Reads the key of a UDP query: lowercased name, type, class, RD/CD/AD, EDNS presence, DO and the
 * reply size limit (the client's EDNS size capped by `udpMaxPayload`).
 */
export function fastKey(buf: Buffer, udpMaxPayload: number): FastKey | null {
  if (buf.length < 17) return null;
  const flags = buf.readUInt16BE(2);
  if ((flags & MUST_BE_CLEAR) !== 0) return null;
  if (buf.readUInt16BE(4) !== 1 || buf.readUInt16BE(6) !== 0 || buf.readUInt16BE(8) !== 0) return null;
  const arcount = buf.readUInt16BE(10);
  if (arcount > 1) return null;
  const nameEnd = scanName(buf);
  if (nameEnd < 0 || nameEnd + 4 > buf.length) return null;
  const end = nameEnd + 4; // past QTYPE and QCLASS
  let edns = 'n';
  if (arcount === 1) {
    const o = end;
    if (o + 11 > buf.length || buf[o] !== 0 || buf.readUInt16BE(o + 1) !== OPT_TYPE) return null;
    if (buf[o + 6] !== 0 /* version */ || o + 11 + buf.readUInt16BE(o + 9) !== buf.length) return null;
    const size = Math.min(Math.max(512, buf.readUInt16BE(o + 3)), udpMaxPayload);
    edns = `${(buf.readUInt16BE(o + 7) & DO_FLAG) !== 0 ? 'D' : 'e'}${size}`;
  } else if (end !== buf.length) {
    return null;
  }
  // The raw name octets (length bytes included, so labels cannot collide); ASCII only, because
  // DNS folds case for ASCII letters alone (RFC 4343 §3) and toLowerCase would fold more.
  const raw = buf.toString('latin1', 12, nameEnd);
  if (NON_ASCII.test(raw)) return null;
  return { key: `${raw.toLowerCase()}|${buf.readUInt32BE(nameEnd)}|${flags & KEY_FLAGS}|${edns}`, nameEnd };
}

/** Offsets of the TTL fields of every record but OPT, with their values; null when the reply does not parse. */
function ttlFields(reply: Buffer): { offsets: number[]; ttls: number[] } | null {
  let off = skipName(reply, 12);
  if (off < 0) return null;
  off += 4; // QTYPE, QCLASS
  const count = reply.readUInt16BE(6) + reply.readUInt16BE(8) + reply.readUInt16BE(10);
  const offsets: number[] = [];
  const ttls: number[] = [];
  for (let i = 0; i < count; i++) {
    off = skipName(reply, off);
    if (off < 0 || off + 10 > reply.length) return null;
    if (reply.readUInt16BE(off) !== OPT_TYPE) {
      offsets.push(off + 4);
      ttls.push(reply.readUInt32BE(off + 4));
    }
    off += 10 + reply.readUInt16BE(off + 8);
  }
  return off === reply.length ? { offsets, ttls } : null;
}

interface Entry {
  bytes: Buffer;
  /** Wall-clock ms when stored. */
  stored: number;
  expires: number;
  /** TTL field offsets and their stored values; empty when TTLs stay as they are. */
  offsets: number[];
  ttls: number[];
}

/** Replies kept when they carry no TTL at all (a truncated reply, a bare error): one second. */
const NO_TTL_AGE_MS = 1_000;

/** Encoded replies by FastKey.key, bounded in count, each kept at most its smallest TTL and `maxAgeMs`. */
export class MicroCache {
  private readonly entries = new Map<string, Entry>();
  hits = 0;

  constructor(private readonly maxEntries = 20_000, private readonly maxAgeMs = 30_000) {}

  get size(): number { return this.entries.size; }

  /**
   * A reply for `query` made from a stored one, or undefined. `now` is wall-clock milliseconds (TTLs
   * are wall-clock time, as in the resolver's cache); a clock that went back drops the entry.
   */
  answer(query: Buffer, k: FastKey, now: number): Buffer | undefined {
    const e = this.entries.get(k.key);
    if (e === undefined) return undefined;
    if (e.expires <= now || now < e.stored) { this.entries.delete(k.key); return undefined; }
    const out = Buffer.allocUnsafe(e.bytes.length);
    e.bytes.copy(out);
    query.copy(out, 0, 0, 2);            // ID
    query.copy(out, 12, 12, k.nameEnd);  // question name with the client's case
    const elapsed = Math.floor((now - e.stored) / 1000);
    if (elapsed > 0) for (let i = 0; i < e.offsets.length; i++) out.writeUInt32BE(e.ttls[i] - elapsed, e.offsets[i]);
    this.hits++;
    return out;
  }

  /**
   * Stores a reply for the key (the question must be the query's, as shapeResponse echoes it).
   * `countDown`: TTLs decrease with age (cached data); false keeps them (local, authoritative data).
   */
  store(k: FastKey, reply: Buffer, now: number, countDown = true): void {
    const fields = ttlFields(reply);
    if (fields === null) return;
    const minTtl = fields.ttls.length === 0 ? undefined : Math.min(...fields.ttls);
    if (minTtl === 0) return; // RFC 1035 §3.2.1: TTL 0 is not to be cached
    // Cached data leaves after 90% of its smallest TTL, so the last tenth reaches the resolver's
    // cache, where a hit can trigger prefetch (cache.prefetch).
    const ageMs = minTtl === undefined ? NO_TTL_AGE_MS : countDown ? Math.min(this.maxAgeMs, minTtl * 900) : this.maxAgeMs;
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.delete(k.key);
    this.entries.set(k.key, {
      bytes: reply, stored: now, expires: now + ageMs,
      offsets: countDown ? fields.offsets : [], ttls: countDown ? fields.ttls : [],
    });
  }

  clear(): void { this.entries.clear(); }
}
