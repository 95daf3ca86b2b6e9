/**
 * Typed reads of a record's TTL and data. dns-packet's record type is a union whose OPT member has
 * neither field, so every read elsewhere would be a cast: this is the one place that knows the shape.
 */
import type { Record } from './message.js';

/** A record's TTL as written, undefined when it has none (OPT, records built without one). */
export function declaredTtl(rr: Record): number | undefined {
  return (rr as { ttl?: number }).ttl;
}

/** A record's TTL (0 when it has none). */
export function ttlOf(rr: Record): number {
  return declaredTtl(rr) ?? 0;
}

/** The `data` field of a record (every type but OPT has one). */
export function rdataOf(rr: Record): unknown {
  return (rr as { data?: unknown }).data;
}

/** The data of a record whose data is one name or address (NS, CNAME, DNAME, PTR, A, AAAA) as text. */
export function rdataText(rr: Record): string {
  return String(rdataOf(rr) ?? '');
}

/** The record with another TTL. */
export function withRecordTtl(rr: Record, ttl: number): Record {
  return { ...rr, ttl } as Record;
}

/** How long a negative answer holds by its SOA: the lower of the SOA's TTL and MINIMUM (RFC 2308 §5). */
export function negativeTtl(soa: Record): number {
  return Math.min(ttlOf(soa), Number((rdataOf(soa) as { minimum?: number } | undefined)?.minimum ?? 0));
}
