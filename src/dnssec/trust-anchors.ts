/**
 * Trust anchors (RFC 4033 §2 "trust anchor", RFC 4035 §4.4, RFC 7958 for the root's) from zone-file
 * text: DS or DNSKEY records, each entry of the configuration either a file or one inline record;
 * and negative trust anchors (RFC 7646): names below which validation is off. Parsing only; the
 * caller reads files (so errors can name the configuration key).
 */
import type { Record } from '../wire/index.js';
import { isSubdomain, parseZone, normalizeName } from '../wire/index.js';
import { WardError } from '../util/index.js';
import type { TrustAnchors } from './types.js';

/** Whether a configuration entry is an inline record (has blanks and a DS or DNSKEY type) rather than a path. */
export function isInlineAnchor(entry: string): boolean {
  return /\s(DS|DNSKEY)\s/i.test(` ${entry} `) && /\s/.test(entry.trim());
}

/** The DS and DNSKEY records of a zone-file text (anything else is an error: it is not an anchor). */
export function parseAnchorText(text: string): Record[] {
  const records = parseZone(text);
  const bad = records.find((rr) => rr.type !== 'DS' && rr.type !== 'DNSKEY');
  if (bad) throw new WardError('ERR_PRESENTATION', `${bad.name} ${bad.type} is not a DS or DNSKEY record`);
  if (records.length === 0) throw new WardError('ERR_PRESENTATION', 'no DS or DNSKEY record found');
  return records;
}

/** Builds the anchor set from parsed records and negative anchor names. */
export function trustAnchors(records: Record[], negative: string[] = []): TrustAnchors {
  const zones = new Map<string, Record[]>();
  for (const rr of records) {
    const zone = normalizeName(rr.name);
    const list = zones.get(zone);
    if (list) list.push(rr); else zones.set(zone, [rr]);
  }
  return { zones, negative: negative.map(normalizeName) };
}

/** The closest anchored zone at or above `name`, if any. */
export function closestAnchor(anchors: TrustAnchors, name: string): string | undefined {
  let best: string | undefined;
  for (const zone of anchors.zones.keys()) {
    if (isSubdomain(name, zone) && (best === undefined || zone.length > best.length)) best = zone;
  }
  return best;
}

/** RFC 7646 §2: a negative trust anchor at or above `name` turns validation off there. */
export function underNegativeAnchor(anchors: TrustAnchors, name: string): boolean {
  return anchors.negative.some((n) => isSubdomain(name, n));
}
