/**
 * RRsets (RFC 2181 §5): the records of one owner, type and class. An RRSIG goes with the RRset of
 * the type it covers (RFC 4034 §3.1.1), so one key serves the data and the signatures over it.
 */
import type { Record } from './message.js';
import { normalizeName } from './name.js';
import { rdataOf } from './record.js';

/** The type an RRSIG covers, or the record's own type. */
export function setType(rr: Record): string {
  return rr.type === 'RRSIG' ? String((rdataOf(rr) as { typeCovered?: string } | undefined)?.typeCovered) : rr.type;
}

/** The key of the RRset of (owner, type, class): "owner|type|class", owner lowercased. */
export function rrsetKeyFor(owner: string, type: string, cls = 'IN'): string {
  return `${normalizeName(owner)}|${type}|${cls}`;
}

/** The RRset `rr` belongs to (rrsetKeyFor), an RRSIG by the type it covers. */
export function rrsetKeyOf(rr: Record): string {
  return rrsetKeyFor(rr.name, setType(rr), (rr as { class?: string }).class ?? 'IN');
}

/** One RRset of a list: its data records and the RRSIGs covering them (either may be empty). */
export interface RRsetGroup { key: string; data: Record[]; sigs: Record[] }

/** `records` grouped by RRset, in order of first appearance. */
export function groupRRsets(records: Record[]): RRsetGroup[] {
  const groups = new Map<string, RRsetGroup>();
  for (const rr of records) {
    const key = rrsetKeyOf(rr);
    let g = groups.get(key);
    if (g === undefined) groups.set(key, (g = { key, data: [], sigs: [] }));
    (rr.type === 'RRSIG' ? g.sigs : g.data).push(rr);
  }
  return [...groups.values()];
}
