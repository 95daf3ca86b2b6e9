/**
 * Hot-path readers over raw message bytes, without a full decode: the header, the first question,
 * and the walk over the sections' records (answerStart, recordFields, recordEnd) that every
 * byte-level reader of records shares. Used to match replies to queries (ID + question, RFC 5452 §9.1) and by cache fast paths.
 */

/** The message ID, or -1 when the buffer is shorter than a header. */
export function peekId(buf: Buffer): number {
  return buf.length >= 2 ? buf.readUInt16BE(0) : -1;
}

/** Writes `id` into the header of `buf` in place. */
export function setId(buf: Buffer, id: number): void {
  buf.writeUInt16BE(id, 0);
}

/** The offset just past a (possibly compressed) name at `off`, or -1 when it runs off the buffer. */
export function skipName(buf: Buffer, off: number): number {
  while (off < buf.length) {
    const len = buf[off];
    if (len === 0) return off + 1;
    if ((len & 0xc0) === 0xc0) return off + 2;
    if (len > 63) return -1;
    off += 1 + len;
  }
  return -1;
}

/** Where the answer section starts (just past every question), or -1 when the header or a question runs off the buffer. */
export function answerStart(buf: Buffer): number {
  if (buf.length < 12) return -1;
  let off = 12;
  for (let q = buf.readUInt16BE(4); q > 0; q--) {
    off = skipName(buf, off);
    if (off < 0 || off + 4 > buf.length) return -1;
    off += 4; // QTYPE, QCLASS
  }
  return off;
}

/** The records after the questions: ANCOUNT + NSCOUNT + ARCOUNT. */
export function recordCount(buf: Buffer): number {
  return buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
}

/**
 * For the record starting at `off`: where its TYPE field is (just past the owner name), or -1 when
 * its fixed fields (TYPE, CLASS, TTL, RDLENGTH: 10 octets) run off the buffer. The record ends at
 * `at + 10 + RDLENGTH` (recordEnd), which the caller checks against the buffer as it needs.
 */
export function recordFields(buf: Buffer, off: number): number {
  const at = skipName(buf, off);
  return at < 0 || at + 10 > buf.length ? -1 : at;
}

/** The end of the record whose TYPE field is at `at` (recordFields). */
export function recordEnd(buf: Buffer, at: number): number {
  return at + 10 + buf.readUInt16BE(at + 8);
}

export interface RawQuestion {
  /** The name as on the wire, labels joined by '.', case kept, no trailing dot ('' for the root). */
  name: string;
  type: number;
  class: number;
  /** Offset just past the question (where the answer section starts). */
  end: number;
}

/**
 * Reads the first question of a message without decompression support beyond rejecting pointers
 * (a question name in a query has no earlier name to point at). Returns null when malformed or
 * when QDCOUNT is 0.
 */
export function peekQuestion(buf: Buffer): RawQuestion | null {
  if (buf.length < 12 || buf.readUInt16BE(4) === 0) return null;
  let off = 12;
  let name = '';
  for (;;) {
    if (off >= buf.length) return null;
    const len = buf[off];
    if (len === 0) { off += 1; break; }
    if (len > 63 || off + 1 + len > buf.length) return null;
    const label = buf.toString('latin1', off + 1, off + 1 + len);
    name = name.length === 0 ? label : name + '.' + label;
    off += 1 + len;
    if (off - 12 > 255) return null;
  }
  if (off + 4 > buf.length) return null;
  return { name, type: buf.readUInt16BE(off), class: buf.readUInt16BE(off + 2), end: off + 4 };
}

/**
 * A 32-bit FNV-1a hash of the first question's name with ASCII case folded (RFC 4343: names compare
 * case-insensitively), read off the wire octets without making a string: a cheap key for counting
 * names on every query. Null when peekQuestion would be (malformed, compressed, QDCOUNT 0).
 */
export function peekQnameHash(buf: Buffer): number | null {
  if (buf.length < 12 || buf.readUInt16BE(4) === 0) return null;
  let h = 0x811c9dc5;
  let off = 12;
  for (;;) {
    if (off >= buf.length || off - 12 > 255) return null;
    const len = buf[off];
    if (len === 0) break;
    if (len > 63 || off + 1 + len > buf.length) return null;
    for (let i = off; i <= off + len; i++) {
      const c = buf[i];
      h = Math.imul(h ^ (c >= 0x41 && c <= 0x5a ? c | 0x20 : c), 16777619);
    }
    off += 1 + len;
  }
  return off + 5 > buf.length ? null : h | 0;
}

/** One EDNS option as it sits on the wire: its code and the length of its data. */
export interface RawOption { code: number; length: number }

/** An option and where its data starts in the message. */
export interface OptionAt extends RawOption { at: number }

/**
 * The options of the OPT record (RFC 6891 §6.1.2) in a message, read off the wire without a decode:
 * [] when there is no OPT record, null when the message is malformed. Walks every section, since
 * the OPT record sits in the additional section after any answer and authority records.
 */
export function peekEdnsOptions(buf: Buffer): RawOption[] | null {
  return peekEdnsOptionsAt(buf)?.map(({ code, length }) => ({ code, length })) ?? null;
}

/** The timeout a keepalive option among `options` (read from `buf`) carries (RFC 7828 §3.1, in units of 100 ms); null without one, or when it has none. */
export function keepaliveTimeoutOf(buf: Buffer, options: OptionAt[]): number | null {
  const o = options.find((x) => x.code === KEEPALIVE_CODE && x.length === 2);
  return o ? buf.readUInt16BE(o.at) : null;
}

/** The keepalive option code (RFC 7828 §3.1); OPTION.KEEPALIVE in edns.ts, which imports this file. */
const KEEPALIVE_CODE = 11;

/** As peekEdnsOptions, each option with where its data starts. */
export function peekEdnsOptionsAt(buf: Buffer): OptionAt[] | null {
  let off = answerStart(buf);
  if (off < 0) return null;
  for (let r = recordCount(buf); r > 0; r--) {
    const at = recordFields(buf, off);
    if (at < 0) return null;
    const end = recordEnd(buf, at);
    if (end > buf.length) return null;
    if (buf.readUInt16BE(at) === 41) return readOptions(buf, at + 10, end);
    off = end;
  }
  return [];
}

function readOptions(buf: Buffer, off: number, end: number): OptionAt[] | null {
  const out: OptionAt[] = [];
  while (off < end) {
    if (off + 4 > end) return null;
    const length = buf.readUInt16BE(off + 2);
    out.push({ code: buf.readUInt16BE(off), length, at: off + 4 });
    off += 4 + length;
  }
  return off === end ? out : null;
}
