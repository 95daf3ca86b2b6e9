/** Cache keys (lowercased owner, type, class) and the byte-size estimate the LRU bounds memory with. */
import { normalizeName, rdataOf, type Record } from '../wire/index.js';

export function rrsetKey(name: string, type: string, cls = 'IN'): string {
  return `r|${normalizeName(name)}|${type}|${cls}`;
}

export function nxdomainKey(name: string): string {
  return `x|${normalizeName(name)}`;
}

export function nodataKey(name: string, type: string): string {
  return `d|${normalizeName(name)}|${type}`;
}

/** The owner (and type, for RRset and NODATA keys) a key was made from. */
export function parseKey(key: string): { owner: string; type?: string } {
  const parts = key.split('|');
  return { owner: parts[1], type: parts[2] };
}

/*
 * The size model, calibrated against V8's heap (node --expose-gc, heapUsed after a full GC, 50,000 to
 * 100,000 entries each of one to four A records, NS pairs, TXT, RRSIG): a record object with its
 * fields costs about 160 bytes, an ASCII string 16 plus one byte a character, a Buffer about 100 plus
 * its length, and an entry (its object, record and signature arrays, lru-cache's per-key slots)
 * about 380 plus its key. test/unit/cache-size.test.ts checks the estimate stays within 20% of the heap.
 */
const RECORD_BYTES = 160;
const STRING_BYTES = 16;
const BUFFER_BYTES = 100;
const OBJECT_BYTES = 100;
export const ENTRY_BYTES = 380;

/** A record's size in memory: fixed overhead plus its name and data. */
export function recordSize(rr: Record): number {
  return RECORD_BYTES + rr.name.length + dataSize(rdataOf(rr));
}

function dataSize(data: unknown): number {
  if (data === undefined || data === null) return 0;
  if (typeof data === 'string') return STRING_BYTES + data.length;
  if (Buffer.isBuffer(data)) return BUFFER_BYTES + data.length;
  if (Array.isArray(data)) return data.reduce((n: number, d) => n + dataSize(d), 16 + 8 * data.length);
  if (typeof data === 'object') {
    let n = OBJECT_BYTES;
    for (const v of Object.values(data)) n += typeof v === 'number' ? 8 : dataSize(v);
    return n;
  }
  return 8;
}

/** A record's class ('IN' when absent). */
export function classOf(rr: Record): string {
  return (rr as { class?: string }).class ?? 'IN';
}
