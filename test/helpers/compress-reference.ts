/**
 * The name compressor Ward used before src/wire/compress.ts encoded compressed in one pass: a second
 * pass over dns-packet's uncompressed encoding (RFC 1035 §4.1.4), pointers only to earlier names with
 * exactly the same octets, names in RDATA only for the RFC 1035 types (RFC 3597 §4). Kept, unchanged,
 * as the oracle the one-pass encoder must match octet for octet (test/unit/wire-compress.test.ts).
 */

/** RDATA layout of the compressible types: 'n' a name, a number a run of fixed octets. */
const COMPRESSIBLE: ReadonlyMap<number, readonly ('n' | number)[]> = new Map([
  [2, ['n']], [3, ['n']], [4, ['n']], [5, ['n']], [7, ['n']], [8, ['n']], [9, ['n']], [12, ['n']], // NS MD MF CNAME MB MG MR PTR
  [6, ['n', 'n', 20]],   // SOA: MNAME RNAME SERIAL REFRESH RETRY EXPIRE MINIMUM
  [14, ['n', 'n']],      // MINFO
  [15, [2, 'n']],        // MX: PREFERENCE EXCHANGE
]);

/** Pointers can reach only the first 16 KiB of a message. */
const MAX_POINTER = 0x3fff;

/** One scratch buffer for the (synchronous) pass; large enough for any input re-expanded. */
const SCRATCH = Buffer.allocUnsafe(2 * 65536);

class Overflow extends Error {}

class Writer {
  readonly out = SCRATCH;
  len = 0;
  /** Exact octets of a name suffix (latin1) → offset where it was written. */
  private readonly suffixes = new Map<string, number>();

  private room(n: number): void {
    if (this.len + n > this.out.length) throw new Overflow();
  }

  copy(src: Buffer, start: number, end: number): void {
    this.room(end - start);
    src.copy(this.out, this.len, start, end);
    this.len += end - start;
  }

  /** Writes the name whose labels are `labels` (each with its length octet), compressing a known suffix. */
  name(labels: Buffer[]): void {
    const keys: string[] = [];
    let key = '';
    for (let i = labels.length - 1; i >= 0; i--) {
      key = labels[i].toString('latin1') + key;
      keys[i] = key;
    }
    this.room(256);
    for (let i = 0; i < labels.length; i++) {
      const at = this.suffixes.get(keys[i]);
      if (at !== undefined) {
        this.out.writeUInt16BE(0xc000 | at, this.len);
        this.len += 2;
        return;
      }
      if (this.len <= MAX_POINTER) this.suffixes.set(keys[i], this.len);
      labels[i].copy(this.out, this.len);
      this.len += labels[i].length;
    }
    this.out[this.len++] = 0;
  }
}

/** Reads a name at `off` (following pointers); returns its labels and the offset after it, or null. */
function readName(buf: Buffer, off: number): { labels: Buffer[]; end: number } | null {
  const labels: Buffer[] = [];
  let end = -1;
  let total = 0;
  for (let hops = 0; off < buf.length && hops < 128; hops++) {
    const len = buf[off];
    if (len === 0) return { labels, end: end < 0 ? off + 1 : end };
    if ((len & 0xc0) === 0xc0) {
      if (off + 1 >= buf.length) return null;
      if (end < 0) end = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      continue;
    }
    if (len > 63 || off + 1 + len > buf.length) return null;
    total += len + 1;
    if (total > 255) return null;
    labels.push(buf.subarray(off, off + 1 + len));
    off += 1 + len;
  }
  return null;
}

/** Copies one name from `buf` at `off` into `w`; returns the offset after it, or -1. */
function copyName(buf: Buffer, off: number, w: Writer): number {
  const n = readName(buf, off);
  if (n === null) return -1;
  w.name(n.labels);
  return n.end;
}

/**
 * The same message with names compressed. Returns the input unchanged when it does not parse
 * (compression never turns a message into garbage) or would not shrink.
 */
export function compressMessage(buf: Buffer): Buffer {
  if (buf.length < 12) return buf;
  try {
    return compressInto(new Writer(), buf);
  } catch (err) {
    if (err instanceof Overflow) return buf;
    throw err;
  }
}

function compressInto(w: Writer, buf: Buffer): Buffer {
  w.copy(buf, 0, 12);
  let off = 12;
  for (let i = buf.readUInt16BE(4); i > 0; i--) {
    off = copyName(buf, off, w);
    if (off < 0 || off + 4 > buf.length) return buf;
    w.copy(buf, off, off + 4);
    off += 4;
  }
  const records = buf.readUInt16BE(6) + buf.readUInt16BE(8) + buf.readUInt16BE(10);
  for (let i = 0; i < records; i++) {
    off = copyName(buf, off, w);
    if (off < 0 || off + 10 > buf.length) return buf;
    const type = buf.readUInt16BE(off);
    const rdlen = buf.readUInt16BE(off + 8);
    const rdEnd = off + 10 + rdlen;
    if (rdEnd > buf.length) return buf;
    w.copy(buf, off, off + 8); // TYPE CLASS TTL
    const rdlenAt = w.len;
    w.copy(buf, off + 8, off + 10); // RDLENGTH, rewritten below
    const layout = COMPRESSIBLE.get(type);
    let r = off + 10;
    if (layout !== undefined) {
      for (const part of layout) {
        if (part === 'n') r = copyName(buf, r, w);
        else { if (r + part > rdEnd) return buf; w.copy(buf, r, r + part); r += part; }
        if (r < 0 || r > rdEnd) return buf;
      }
      if (r !== rdEnd) return buf;
    } else {
      w.copy(buf, r, rdEnd);
    }
    w.out.writeUInt16BE(w.len - rdlenAt - 2, rdlenAt);
    off = rdEnd;
  }
  if (off !== buf.length) return buf;
  return w.len < buf.length ? Buffer.from(w.out.subarray(0, w.len)) : buf;
}
