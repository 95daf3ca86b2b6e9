/**
 * What a cache entry keeps, sized to what it holds (the size estimate in keys.ts counts only that):
 * - record arrays at their length: an array grown by push keeps room for 16 more (152 bytes for one
 *   record, 128 more than it needs), and an entry holds two or more;
 * - byte fields out of the reply they were decoded from: dns-packet's RRSIG signature, DNSKEY key,
 *   DS digest, TXT strings... are views into the datagram, so one kept field keeps the whole reply
 *   alive outside the heap.
 */
import type { Record } from '../wire/index.js';

/** The records as an array of their own length, each holding no view into a larger buffer. */
export function compactRecords(records: readonly Record[]): Record[] {
  return records.map(compactRecord);
}

function compactRecord(rr: Record): Record {
  const data = (rr as { data?: unknown }).data;
  const own = owned(data);
  return own === data ? rr : ({ ...rr, data: own } as Record);
}

/** `v` with every Buffer that shares a larger backing store replaced by a copy; `v` itself when there is none. */
function owned(v: unknown): unknown {
  if (Buffer.isBuffer(v)) {
    if (v.byteLength === v.buffer.byteLength) return v;
    // Not Buffer.from: small copies come from Node's shared 8 KiB pool, which one kept copy keeps whole.
    const copy = Buffer.allocUnsafeSlow(v.length);
    v.copy(copy);
    return copy;
  }
  if (Array.isArray(v)) {
    let out: unknown[] | undefined;
    for (let i = 0; i < v.length; i++) {
      const o = owned(v[i]);
      if (o !== v[i]) (out ??= [...v])[i] = o;
    }
    return out ?? v;
  }
  if (v !== null && typeof v === 'object') {
    let out: { [k: string]: unknown } | undefined;
    for (const [k, x] of Object.entries(v)) {
      const o = owned(x);
      if (o !== x) (out ??= { ...v })[k] = o;
    }
    return out ?? v;
  }
  return v;
}
