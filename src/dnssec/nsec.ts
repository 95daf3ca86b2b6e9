/**
 * Denial of existence with NSEC (RFC 4035 §5.4, RFC 4034 §4, RFC 6840 §4.1/§4.3): name errors
 * (an NSEC covering the name plus one covering the wildcard at the closest encloser), NODATA (an
 * NSEC at the name without the type or CNAME, or an empty non-terminal), wildcard NODATA, the
 * "no closer match" part of a wildcard answer, and the absence of DS at a delegation. The NSECs
 * given must already be authenticated. Pure functions on records.
 */
import type { Record } from '../wire/index.js';
import { isSubdomain, labels, normalizeName } from '../wire/index.js';
import { compareNames, dataOf } from './canonical.js';

interface NsecData { nextDomain: string; rrtypes: string[] }

/** The type bitmap of an NSEC or NSEC3 record. */
export function typesOf(rr: Record): Set<string> {
  return new Set(dataOf<{ rrtypes?: string[] }>(rr).rrtypes ?? []);
}

/** Whether an NSEC at an ancestor of `name` is a delegation or DNAME that says nothing about names below (RFC 6840 §4.1). */
function cutAbove(nsec: Record, name: string): boolean {
  const owner = normalizeName(nsec.name);
  if (owner === name || !isSubdomain(name, owner)) return false;
  const t = typesOf(nsec);
  return (t.has('NS') && !t.has('SOA')) || t.has('DNAME');
}

/** RFC 4034 §4.1.1: `nsec` covers `name` (owner < name < next in canonical order, wrapping at the apex). */
export function nsecCovers(nsec: Record, name: string): boolean {
  const owner = normalizeName(nsec.name);
  const next = normalizeName(dataOf<NsecData>(nsec).nextDomain);
  if (cutAbove(nsec, name)) return false;
  const afterOwner = compareNames(owner, name) < 0;
  if (compareNames(owner, next) < 0) return afterOwner && compareNames(name, next) < 0;
  // The last NSEC of the zone: its next name is the apex (RFC 4034 §4.1.1).
  return afterOwner && isSubdomain(name, next);
}

/** The NSEC records among `records` (NSEC3 ones are for nsec3.ts). */
function onlyNsec(records: Record[]): Record[] {
  return records.filter((rr) => rr.type === 'NSEC');
}

/** The NSEC whose owner is `name`. */
function matching(nsecs: Record[], name: string): Record | undefined {
  return nsecs.find((rr) => normalizeName(rr.name) === name);
}

/** The closest encloser implied by an NSEC covering `name` (RFC 4592 §3.3.1; Unbound nsec_closest_encloser). */
function closestEncloser(nsec: Record, name: string): string {
  const a = commonAncestor(name, normalizeName(nsec.name));
  const b = commonAncestor(name, normalizeName(dataOf<NsecData>(nsec).nextDomain));
  return a.length > b.length ? a : b;
}

function commonAncestor(a: string, b: string): string {
  const la = labels(a);
  const lb = labels(b);
  const out: string[] = [];
  while (la.length > 0 && lb.length > 0 && la[la.length - 1] === lb[lb.length - 1]) {
    out.unshift(la.pop() as string);
    lb.pop();
  }
  return out.join('.');
}

const wildcardOf = (ce: string): string => (ce === '' ? '*' : `*.${ce}`);

/** RFC 4035 §5.4: NXDOMAIN proven: `name` is covered, and so is the wildcard at its closest encloser. */
export function nsecNameError(records: Record[], name: string): boolean {
  const nsecs = onlyNsec(records);
  // An NSEC that shows `name` as an empty non-terminal cannot deny it (a replayed NSEC must not make an NXDOMAIN for it).
  const cover = nsecs.find((rr) => nsecCovers(rr, name) && !showsEmptyNonTerminal(rr, name));
  if (!cover) return false;
  const wc = wildcardOf(closestEncloser(cover, name));
  return nsecs.some((rr) => nsecCovers(rr, wc));
}

/**
 * Whether NSECs show that `name` exists: one is owned by it, or one covering it has a next name
 * below it (an empty non-terminal, RFC 4035 §3.1.3.2).
 */
export function nsecShowsName(records: Record[], name: string): boolean {
  const nsecs = onlyNsec(records);
  return matching(nsecs, name) !== undefined || nsecs.some((rr) => nsecCovers(rr, name) && showsEmptyNonTerminal(rr, name));
}

/** An NSEC whose next name lies below `name` proves `name` exists, as an empty non-terminal (RFC 4035 §3.1.3.2). */
function showsEmptyNonTerminal(nsec: Record, name: string): boolean {
  return isSubdomain(normalizeName(dataOf<NsecData>(nsec).nextDomain), name);
}

/**
 * NODATA for a type at `name` whose NSEC bitmap is `t` (RFC 4035 §5.4; RFC 6840 §4.1): DS needs the
 * parent side's NSEC (no SOA), except at the root, which has no parent; a parent-side NSEC (NS
 * without SOA) proves only the absence of DS.
 */
function lacksType(t: Set<string>, type: string, name: string): boolean {
  if (t.has(type) || t.has('CNAME')) return false;
  return type === 'DS' ? !t.has('SOA') || name === '' : !(t.has('NS') && !t.has('SOA'));
}

/**
 * RFC 4035 §5.4 / §3.1.3: NODATA proven for (name, type): an NSEC at the name without the type,
 * an empty non-terminal (an NSEC covering the name whose next name lies below it), or the wildcard
 * form (the name covered, an NSEC at the closest encloser's wildcard without the type).
 */
export function nsecNoData(records: Record[], name: string, type: string): boolean {
  const nsecs = onlyNsec(records);
  const exact = matching(nsecs, name);
  if (exact) return lacksType(typesOf(exact), type, name);
  for (const rr of nsecs) {
    if (!nsecCovers(rr, name)) continue;
    const next = normalizeName(dataOf<NsecData>(rr).nextDomain);
    if (next !== name && isSubdomain(next, name)) return true; // empty non-terminal
    const wc = matching(nsecs, wildcardOf(closestEncloser(rr, name)));
    if (wc && lacksType(typesOf(wc), type, name)) return true; // wildcard NODATA (RFC 4035 §3.1.3.4)
  }
  return false;
}

/** RFC 4035 §5.3.4: a wildcard answer needs proof that `name` itself does not exist. */
export function nsecNoCloserMatch(records: Record[], name: string): boolean {
  return onlyNsec(records).some((rr) => nsecCovers(rr, name));
}

/**
 * What NSECs say about DS at `name` (RFC 4035 §5.2, RFC 6840 §4.4): 'delegation' (an insecure
 * delegation: NS without DS or SOA), 'no-cut' (the name exists or not but is no zone cut), or
 * undefined when nothing is proven.
 */
export function nsecNoDs(records: Record[], name: string): 'delegation' | 'no-cut' | undefined {
  const nsecs = onlyNsec(records);
  const exact = matching(nsecs, name);
  if (exact) {
    const t = typesOf(exact);
    if (t.has('DS') || t.has('SOA')) return undefined;
    return t.has('NS') ? 'delegation' : 'no-cut';
  }
  if (nsecs.some((rr) => nsecCovers(rr, name))) return 'no-cut';
  return undefined;
}
