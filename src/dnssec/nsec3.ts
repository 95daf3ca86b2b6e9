/**
 * Denial of existence with NSEC3 (RFC 5155 §8): the hash (§5), matching and covering (§8.3), the
 * closest encloser proof (§8.3), name error (§8.4), NODATA (§8.5), DS NODATA with opt-out (§8.6),
 * wildcard NODATA (§8.7), wildcard answers (§8.8), and the same proofs over NSEC3s kept from earlier
 * answers (RFC 8198 aggressive use). Records with an unknown hash algorithm are ignored (§8.1);
 * more than 150 iterations makes the answer insecure (RFC 9276 §3.2, as Unbound's default). A
 * parent-side NSEC3 (NS without SOA) or one with DNAME says nothing about names below its owner
 * (§8.3, RFC 6840 §4.1). The NSEC3s given must already be authenticated. Pure functions on records.
 */
import { createHash } from 'node:crypto';
import type { Record } from '../wire/index.js';
import { isSubdomain, labels, parentName, normalizeName } from '../wire/index.js';
import { dataOf, nameWire } from './canonical.js';
import { typesOf } from './nsec.js';

/** RFC 9276 §3.2: above this many iterations an NSEC3 proof is treated as insecure. */
export const MAX_NSEC3_ITERATIONS = 150;

interface Nsec3Data { algorithm: number; flags: number; iterations: number; salt: Buffer; nextDomain: Buffer; rrtypes: string[] }

/** What an NSEC3 proof ends with: proven securely, proven but insecure (opt-out, iterations), or not proven. */
export type Nsec3Proof = 'secure' | 'insecure' | undefined;

/** RFC 4648 §7 base32hex (lower case, no padding): it keeps the order of the hashes it encodes. */
export function base32hex(b: Buffer): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const o of b) {
    acc = ((acc << 8) | o) & 0xffff;
    bits += 8;
    while (bits >= 5) { bits -= 5; out += alphabet[(acc >> bits) & 31]; }
  }
  return bits > 0 ? out + alphabet[(acc << (5 - bits)) & 31] : out;
}

/** RFC 5155 §5: IH(salt, x, k) with SHA-1, as base32hex. */
export function nsec3Hash(name: string, salt: Buffer, iterations: number): string {
  let h = createHash('sha1').update(nameWire(name)).update(salt).digest();
  for (let i = 0; i < iterations; i++) h = createHash('sha1').update(h).update(salt).digest();
  return base32hex(h);
}

/** One usable NSEC3 record, hashes as base32hex. */
interface Entry { hash: string; next: string; types: Set<string>; optOut: boolean; rr: Record }

/** RFC 5155 §8.3, RFC 6840 §4.1: a delegation point (NS without SOA) or a DNAME owner encloses nothing provable. */
const endsProofs = (e: Entry): boolean => (e.types.has('NS') && !e.types.has('SOA')) || e.types.has('DNAME');

/** The NSEC3 records of one zone with their shared parameters. */
class Nsec3Set {
  private readonly memo = new Map<string, string>();
  constructor(readonly zone: string, readonly entries: Entry[], private readonly salt: Buffer, readonly iterations: number) {}

  hash(name: string): string {
    let h = this.memo.get(name);
    if (h === undefined) { h = nsec3Hash(name, this.salt, this.iterations); this.memo.set(name, h); }
    return h;
  }
  match(name: string): Entry | undefined {
    const h = this.hash(name);
    return this.entries.find((e) => e.hash === h);
  }
  /** RFC 5155 §8.3: owner hash < hash < next hash, wrapping after the last. */
  cover(name: string): Entry | undefined {
    const h = this.hash(name);
    return this.entries.find((e) => (e.hash < e.next ? e.hash < h && h < e.next : h > e.hash || h < e.next));
  }
  /** RFC 5155 §8.3: the closest encloser of `name`, the NSEC3 matching it, and the one covering its next closer name. */
  closestEncloser(name: string): { ce: string; nextCloser: string; match: Entry; cover: Entry } | undefined {
    let child = name;
    for (let ce = parentName(name); ce !== undefined && isSubdomain(ce, this.zone); ce = parentName(ce)) {
      const match = this.match(ce);
      if (match) {
        const cover = endsProofs(match) ? undefined : this.cover(child);
        return cover ? { ce, nextCloser: child, match, cover } : undefined;
      }
      child = ce;
      if (ce === '') break;
    }
    return undefined;
  }
}

/** The NSEC3 set among `records` for the zone enclosing `name` (first usable parameters win). */
function nsec3Set(records: Record[], name: string): Nsec3Set | undefined {
  const usable = records.filter((rr) => rr.type === 'NSEC3' && dataOf<Nsec3Data>(rr).algorithm === 1);
  if (usable.length === 0) return undefined;
  const first = usable[0];
  const zone = parentName(normalizeName(first.name)) ?? '';
  if (!isSubdomain(name, zone)) return undefined;
  const p = dataOf<Nsec3Data>(first);
  const entries: Entry[] = [];
  for (const rr of usable) {
    const d = dataOf<Nsec3Data>(rr);
    if (parentName(normalizeName(rr.name)) !== zone || d.iterations !== p.iterations || !d.salt.equals(p.salt)) continue;
    entries.push({ hash: labels(normalizeName(rr.name))[0], next: base32hex(d.nextDomain), types: typesOf(rr), optOut: (d.flags & 1) === 1, rr });
  }
  return new Nsec3Set(zone, entries, p.salt, p.iterations);
}

/** Runs a proof unless the iteration count makes it insecure (RFC 9276 §3.2). */
function withSet(records: Record[], name: string, proof: (s: Nsec3Set) => Nsec3Proof): Nsec3Proof {
  const s = nsec3Set(records, name);
  if (!s) return undefined;
  if (s.iterations > MAX_NSEC3_ITERATIONS) return 'insecure';
  return proof(s);
}

const wildcardOf = (ce: string): string => (ce === '' ? '*' : `*.${ce}`);

/** RFC 5155 §8.4: NXDOMAIN: closest encloser proof and the wildcard at it covered; opt-out makes it insecure (§9.2). */
export function nsec3NameError(records: Record[], name: string): Nsec3Proof {
  return withSet(records, name, (s) => {
    const ce = s.closestEncloser(name);
    if (!ce || !s.cover(wildcardOf(ce.ce))) return undefined;
    return ce.cover.optOut ? 'insecure' : 'secure';
  });
}

/** Whether an NSEC3 matches `name`: the name exists (an empty non-terminal perhaps, RFC 5155 §7.2.3). */
export function nsec3ShowsName(records: Record[], name: string): boolean {
  return nsec3Set(records, name)?.match(name) !== undefined;
}

/** As nsec.ts lacksType: DS needs the parent side (no SOA), except at the root; a parent-side NSEC3 denies only DS. */
function lacks(e: Entry, type: string, name: string): boolean {
  if (e.types.has(type) || e.types.has('CNAME')) return false;
  return type === 'DS' ? !e.types.has('SOA') || name === '' : !(e.types.has('NS') && !e.types.has('SOA'));
}

/** RFC 5155 §8.5-§8.7: NODATA: a match without the type; opt-out (§8.6) → insecure; wildcard NODATA (§8.7). */
export function nsec3NoData(records: Record[], name: string, type: string): Nsec3Proof {
  return withSet(records, name, (s) => {
    const exact = s.match(name);
    if (exact) return lacks(exact, type, name) ? 'secure' : undefined;
    const ce = s.closestEncloser(name);
    if (!ce) return undefined;
    // RFC 5155 §8.6 (for DS; Unbound applies it to any type): the name may be an unsigned delegation in an opt-out span.
    if (ce.cover.optOut) return 'insecure';
    const wc = s.match(wildcardOf(ce.ce));
    return wc && lacks(wc, type, name) ? 'secure' : undefined;
  });
}

/** A negative answer kept NSEC3s prove securely, with the NSEC3 records the proof rests on. */
export interface Nsec3Denial { kind: 'nxdomain' | 'nodata'; proof: Record[] }

/**
 * RFC 8198 §5.1/§5.2 with NSEC3: NXDOMAIN (§8.4) or NODATA (§8.5, wildcard NODATA §8.7) for (name,
 * type) from authenticated NSEC3s of one zone, e.g. kept from earlier answers; undefined unless the
 * proof is secure (an opt-out span or too many iterations never synthesizes an answer).
 */
export function nsec3Synthesis(records: Record[], name: string, type: string): Nsec3Denial | undefined {
  const s = nsec3Set(records, name);
  if (!s || s.iterations > MAX_NSEC3_ITERATIONS) return undefined;
  const exact = s.match(name);
  if (exact) return lacks(exact, type, name) ? { kind: 'nodata', proof: [exact.rr] } : undefined;
  const ce = s.closestEncloser(name);
  if (!ce || ce.cover.optOut) return undefined;
  const proof = [ce.match.rr, ce.cover.rr];
  const wc = s.match(wildcardOf(ce.ce));
  if (wc) return lacks(wc, type, name) ? { kind: 'nodata', proof: [...proof, wc.rr] } : undefined;
  const wcCover = s.cover(wildcardOf(ce.ce));
  return wcCover ? { kind: 'nxdomain', proof: [...new Set([...proof, wcCover.rr])] } : undefined;
}

/** RFC 5155 §8.8: a wildcard answer from closest encloser `ce` needs the next closer name covered. */
export function nsec3NoCloserMatch(records: Record[], name: string, ce: string): Nsec3Proof {
  return withSet(records, name, (s) => {
    const ls = labels(name);
    const nextCloser = ls.slice(ls.length - labels(ce).length - 1).join('.');
    const cover = s.cover(nextCloser);
    if (!cover) return undefined;
    return cover.optOut ? 'insecure' : 'secure';
  });
}

/**
 * What NSEC3s say about DS at `name` (RFC 5155 §8.6, RFC 4035 §5.2): 'delegation' (NS without DS:
 * an insecure delegation, or an opt-out span), 'no-cut', 'insecure' (iterations), or undefined.
 */
export function nsec3NoDs(records: Record[], name: string): 'delegation' | 'no-cut' | 'insecure' | undefined {
  const s = nsec3Set(records, name);
  if (!s) return undefined;
  if (s.iterations > MAX_NSEC3_ITERATIONS) return 'insecure';
  const exact = s.match(name);
  if (exact) {
    if (exact.types.has('DS') || exact.types.has('SOA')) return undefined;
    return exact.types.has('NS') ? 'delegation' : 'no-cut';
  }
  const ce = s.closestEncloser(name);
  if (!ce) return undefined;
  return ce.cover.optOut ? 'delegation' : 'no-cut';
}
