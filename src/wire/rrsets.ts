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

/** Sets found by a scan of the list; past this many, by a Map. */
const FEW_SETS = 8;

/** `records` grouped by RRset, in order of first appearance. */
export function groupRRsets(records: Record[]): RRsetGroup[] {
  const groups: RRsetGroup[] = [];
  // Most lists (one reply's answer, one RRset and its RRSIGs) hold a set or two: no Map for those.
  let index: Map<string, RRsetGroup> | undefined;
  for (const rr of records) {
    const key = rrsetKeyOf(rr);
    let g = index?.get(key);
    if (!index) for (const o of groups) if (o.key === key) { g = o; break; }
    if (g === undefined) {
      groups.push(g = { key, data: [], sigs: [] });
      if (index) index.set(key, g);
      else if (groups.length > FEW_SETS) index = new Map(groups.map((o) => [o.key, o]));
    }
    (rr.type === 'RRSIG' ? g.sigs : g.data).push(rr);
  }
  return groups;
}
