/**
 * The fast path: a response cache keyed by what shapes a reply, storing encoded replies (a packet
 * cache, like PowerDNS Recursor's). A hit skips decode, handler and encode: the stored bytes are
 * copied, the ID patched, the client's question name copied in (its case, RFC 4343 and the 0x20
 * trick) and every TTL lowered by the whole seconds since the reply was stored, so TTLs count down
 * exactly as from the resolver's cache. An entry lives at most 90% of its smallest TTL, and at
 * most `maxAgeMs`; answers from local data (authoritative) keep their TTLs. Only plain queries
 * qualify: one question, no answer or authority records, nothing in additional but one OPT of
 * version 0 (RFC 6891 §6.1.2) ending the message.
 */
import { randomBytes } from 'node:crypto';
import { answerStart, DO_FLAG, FLAG, recordCount, recordEnd, recordFields } from '../wire/index.js';

/**
 * The cache key of a query: a seeded hash of the lowercased question and of `meta` (RD/CD/AD, EDNS
 * presence, DO and the reply size limit), where the question name ends, and `meta` itself. A hit is
 * confirmed against the stored reply's question (hashes can collide), so a number keys the map: no
 * string is built per query on this path.
 */
export interface FastKey { hash: number; nameEnd: number; meta: number }

const MUST_BE_CLEAR = FLAG.QR | 0x7800 /* OPCODE */ | FLAG.TC;
const KEY_FLAGS = FLAG.RD | FLAG.CD | FLAG.AD;
const OPT_TYPE = 41;
const EDNS_NONE = 0;
const EDNS_PLAIN = 0x1000;
const EDNS_DO = 0x2000;
/** In `meta`: a stream query (no size limit, never truncated). */
const STREAM = 0x4000;
/** Per-process seed, so nobody outside can aim queries at one hash slot. */
const SEED = randomBytes(4).readUInt32LE(0);

/** ASCII upper case to lower case (RFC 4343 §3: DNS folds ASCII letters only). */
const fold = (c: number): number => (c >= 0x41 && c <= 0x5a ? c | 0x20 : c);

/**
 * Reads the key of a query, or null when it must take the slow path. One pass over the question
 * name reads its length octets, folds its case into an FNV-1a hash and turns away non-ASCII names.
 * Over UDP the key holds the reply size limit (the client's EDNS size capped by `udpMaxPayload`).
 * A stream query (`stream`) qualifies only with no EDNS options at all: its reply would otherwise
 * carry a keepalive option (RFC 7828) or padding (RFC 8467) made for that query.
 */
export function fastKey(buf: Buffer, udpMaxPayload: number, stream = false): FastKey | null {
  const len = buf.length;
  if (len < 17) return null;
  const flags = (buf[2] << 8) | buf[3];
  if ((flags & MUST_BE_CLEAR) !== 0) return null;
  if (buf[4] !== 0 || buf[5] !== 1 || buf[6] !== 0 || buf[7] !== 0 || buf[8] !== 0 || buf[9] !== 0 || buf[10] !== 0) return null;
  const arcount = buf[11];
  if (arcount > 1) return null;
  let h = SEED ^ 0x811c9dc5;
  let off = 12;
  for (;;) {
    if (off >= len) return null;
    const labelLen = buf[off];
    if (labelLen > 63) return null;
    h = Math.imul(h ^ labelLen, 0x01000193);
    if (labelLen === 0) break;
    const labelEnd = off + 1 + labelLen;
    if (labelEnd - 12 > 255 || labelEnd > len) return null;
    for (let i = off + 1; i < labelEnd; i++) {
      const c = buf[i];
      if (c > 0x7f) return null;
      h = Math.imul(h ^ fold(c), 0x01000193);
    }
    off = labelEnd;
  }
  const nameEnd = off + 1;
  const end = nameEnd + 4; // past QTYPE and QCLASS
  if (end > len) return null;
  for (let i = nameEnd; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
  let edns = EDNS_NONE;
  let size = 0;
  if (arcount === 1) {
    const o = end;
    if (o + 11 > len || buf[o] !== 0 || buf[o + 1] !== 0 || buf[o + 2] !== OPT_TYPE) return null;
    const optionsLen = (buf[o + 9] << 8) | buf[o + 10];
    if (buf[o + 6] !== 0 /* version */ || o + 11 + optionsLen !== len || (stream && optionsLen !== 0)) return null;
    if (!stream) size = Math.min(Math.max(512, (buf[o + 3] << 8) | buf[o + 4]), udpMaxPayload);
    edns = (((buf[o + 7] << 8) | buf[o + 8]) & DO_FLAG) !== 0 ? EDNS_DO : EDNS_PLAIN;
  } else if (end !== len) {
    return null;
  }
  const meta = size * 0x10000 + (stream ? STREAM : 0) + edns + (flags & KEY_FLAGS);
  h = Math.imul(h ^ meta, 0x01000193) ^ (meta >>> 16);
  // A small integer (31-bit Smi) keys a Map fastest.
  return { hash: h & 0x3fffffff, nameEnd, meta };
}

/** The key within partition `p` (0: the key itself): the same question from another partition never matches. */
export function partitioned(k: FastKey, p: number): FastKey {
  if (p === 0) return k;
  return { hash: Math.imul(k.hash ^ p, 0x01000193) & 0x3fffffff, nameEnd: k.nameEnd, meta: k.meta + p * 2 ** 32 };
}

/** Offsets of the TTL fields of every record but OPT, with their values; null when the reply does not parse. */
function ttlFields(reply: Buffer): { offsets: number[]; ttls: number[] } | null {
  let off = answerStart(reply);
  if (off < 0) return null;
  const offsets: number[] = [];
  const ttls: number[] = [];
  for (let i = recordCount(reply); i > 0; i--) {
    const at = recordFields(reply, off);
    if (at < 0) return null;
    if (reply.readUInt16BE(at) !== OPT_TYPE) {
      offsets.push(at + 4);
      ttls.push(reply.readUInt32BE(at + 4));
    }
    off = recordEnd(reply, at);
  }
  return off === reply.length ? { offsets, ttls } : null;
}

/**
 * Where an entry's octets are: `at` is a position in the arena's virtual byte stream (ever growing;
 * the arena holds its last `arena.length` octets), followed by `length` octets of reply, then
 * `ttlCount` pairs of (TTL field offset: 2 octets, TTL as stored: 4 octets) for the countdown.
 */
interface Entry {
  at: number;
  length: number;
  ttlCount: number;
  nameEnd: number;
  meta: number;
  /** Wall-clock ms when stored. */
  stored: number;
  expires: number;
  /** Whole seconds since `stored` that the TTLs in the arena are lowered by (rewritten at most once a second). */
  age: number;
}

/** Replies kept when they carry no TTL at all (a truncated reply, a bare error): one second. */
const NO_TTL_AGE_MS = 1_000;
const TTL_PAIR = 6;

/**
 * Encoded replies by FastKey.hash, bounded in count (the oldest stored leaves first), each kept at
 * most 90% of its smallest TTL and `maxAgeMs`. The octets live in one arena written as a ring rather
 * than in a Buffer each: with tens of thousands of entries, reaching each reply's own backing store
 * next to the kernel's send was most of a hit's cost. An entry whose octets the ring has overwritten
 * since is a miss.
 */
export class MicroCache {
  private readonly entries = new Map<number, Entry>();
  private readonly arena: Buffer;
  /** The virtual position the next entry is written at. */
  private top = 0;
  hits = 0;

  /** `arenaBytes`: room for the replies; by default 512 octets an entry, from 64 KiB to 16 MiB. */
  constructor(
    private readonly maxEntries = 20_000,
    private readonly maxAgeMs = 30_000,
    arenaBytes = Math.min(16 << 20, Math.max(64 << 10, maxEntries * 512)),
  ) {
    this.arena = Buffer.allocUnsafeSlow(arenaBytes);
  }

  get size(): number { return this.entries.size; }

  /**
   * A reply for `query` made from a stored one, or undefined. `now` is wall-clock milliseconds (TTLs
   * are wall-clock time, as in the resolver's cache); a clock that went back drops the entry. The hit
   * is confirmed while the copy is made: the question must be the stored one, case folded.
   */
  answer(query: Buffer, k: FastKey, now: number): Buffer | undefined {
    const e = this.entries.get(k.hash);
    if (e === undefined || e.meta !== k.meta || e.nameEnd !== k.nameEnd) return undefined;
    const arena = this.arena;
    if (e.expires <= now || now < e.stored || e.at < this.top - arena.length) { this.entries.delete(k.hash); return undefined; }
    const start = e.at % arena.length;
    const age = Math.floor((now - e.stored) / 1000);
    if (age !== e.age) this.lowerTtls(e, start, age);
    const nameEnd = k.nameEnd;
    const out = Buffer.allocUnsafe(e.length);
    arena.copy(out, 0, start, start + e.length);
    // The question name with the client's case (RFC 4343, the 0x20 trick), once it is the same name.
    for (let i = 13; i < nameEnd; i++) {
      const c = query[i];
      if (fold(c) !== fold(out[i])) return undefined;
      out[i] = c;
    }
    if (query.readUInt32BE(nameEnd) !== out.readUInt32BE(nameEnd)) return undefined; // QTYPE, QCLASS
    out[0] = query[0]; // ID
    out[1] = query[1];
    this.hits++;
    return out;
  }

  /**
   * Stores a reply for the key (the question must be the query's, as shapeResponse echoes it).
   * `countDown`: TTLs decrease with age (cached data); false keeps them (local, authoritative data).
   * `reuseForMs`: an upper bound on the entry's life (the resolver's prefetch window starts then).
   */
  store(k: FastKey, reply: Buffer, now: number, countDown = true, reuseForMs = Infinity): void {
    const fields = ttlFields(reply);
    if (fields === null) return;
    let minTtl: number | undefined;
    for (const t of fields.ttls) if (minTtl === undefined || t < minTtl) minTtl = t;
    if (minTtl === 0) return; // RFC 1035 §3.2.1: TTL 0 is not to be cached
    const ttlCount = countDown ? fields.offsets.length : 0;
    const size = reply.length + ttlCount * TTL_PAIR;
    const arena = this.arena;
    if (size > arena.length >> 4) return; // one large reply would push out many small ones
    // Cached data leaves after 90% of its smallest TTL, and before the resolver's prefetch window
    // opens (a reply made from a cache hit has only the rest of the TTL to go by), so the last
    // tenth of the original TTL reaches the resolver's cache, where a hit triggers prefetch.
    const ageMs = minTtl === undefined ? NO_TTL_AGE_MS : countDown ? Math.min(this.maxAgeMs, minTtl * 900, reuseForMs) : this.maxAgeMs;
    if (this.entries.size >= this.maxEntries && !this.entries.has(k.hash)) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    // An entry never wraps around the ring's end: the rest of the ring is skipped instead.
    const tail = arena.length - (this.top % arena.length);
    if (size > tail) this.top += tail;
    const at = this.top;
    this.top += size;
    const start = at % arena.length;
    reply.copy(arena, start);
    for (let i = 0; i < ttlCount; i++) {
      const p = start + reply.length + i * TTL_PAIR;
      arena.writeUInt16BE(fields.offsets[i], p);
      arena.writeUInt32BE(fields.ttls[i], p + 2);
    }
    this.entries.delete(k.hash);
    this.entries.set(k.hash, { at, length: reply.length, ttlCount, nameEnd: k.nameEnd, meta: k.meta, stored: now, expires: now + ageMs, age: 0 });
  }

  /** Rewrites an entry's TTLs in the arena as `age` whole seconds after it was stored. */
  private lowerTtls(e: Entry, start: number, age: number): void {
    const arena = this.arena;
    for (let i = 0; i < e.ttlCount; i++) {
      const p = start + e.length + i * TTL_PAIR;
      arena.writeUInt32BE(arena.readUInt32BE(p + 2) - age, start + arena.readUInt16BE(p));
    }
    e.age = age;
  }

  clear(): void { this.entries.clear(); }
}
