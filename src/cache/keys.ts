/** Cache keys (lowercased owner, type, class) and the byte-size estimate the LRU bounds memory with. */
import type { Record } from '../wire/index.js';
import { normalizeName } from '../wire/index.js';

export function rrsetKey(name: string, type: string, cls = 'IN'): string {
  return `r|${normalizeName(name)}|${type}|${cls}`;
}

export function nxdomainKey(name: string): string {
  return `x|${normalizeName(name)}`;
}

export function nodataKey(name: string, type: string): string {
  return `d|${normalizeName(name)}|${type}`;
}

/** A rough size of a record in memory: fixed overhead plus its name and data. */
export function recordSize(rr: Record): number {
  return 96 + rr.name.length * 2 + dataSize((rr as { data?: unknown }).data);
}

function dataSize(data: unknown): number {
  if (data === undefined || data === null) return 0;
  if (typeof data === 'string') return data.length * 2;
  if (Buffer.isBuffer(data)) return data.length + 32;
  if (Array.isArray(data)) return data.reduce((n: number, d) => n + dataSize(d), 16);
  if (typeof data === 'object') {
    let n = 32;
    for (const v of Object.values(data)) n += typeof v === 'number' ? 8 : dataSize(v);
    return n;
  }
  return 8;
}

/** A record's TTL (0 when absent, as for OPT). */
export function ttlOf(rr: Record): number {
  return (rr as { ttl?: number }).ttl ?? 0;
}

/** A record's class ('IN' when absent). */
export function classOf(rr: Record): string {
  return (rr as { class?: string }).class ?? 'IN';
}
