/**
 * Aggressive use of the DNSSEC-validated cache (RFC 8198). Authenticated NSEC and NSEC3 records
 * are kept per zone (the signer), with the zone's signed SOA when a negative answer brought it, and
 * so are the wildcard RRsets that validated expansions came from. A question they answer is then
 * answered without asking: NXDOMAIN or NODATA (§5.1, §5.2: the same proofs as dnssec/nsec.ts and,
 * for NSEC3, dnssec/nsec3.ts nsec3Synthesis, never from opt-out spans; the SOA's TTL as a cap,
 * §5.4) or a wildcard expansion whose name an NSEC proves absent (§5.3). Only used while
 * validating; bounded in zones and entries; expiry from the clock (TTLs already capped by the
 * signatures, RFC 4035 §5.3.3).
 */
import type { Record } from '../wire/index.js';
import { isSubdomain, labelCount, labels, negativeTtl, normalizeName, parentName, rdataOf, setType, ttlOf } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import { nsec3Synthesis, nsecCovers, nsecNameError, nsecNoData } from '../dnssec/index.js';
import type { IterOutcome } from './iter-types.js';
import { ownerOf, targetOf } from './scrub.js';

const MAX_ZONES = 256;
const MAX_ENTRIES_PER_ZONE = 512;

interface Kept { records: Record[]; expires: number }
interface Zone { soa?: Kept; nsecs: Map<string, Kept>; nsec3s: Map<string, Kept>; wildcards: Map<string, Kept> }

const sigsOver = (records: Record[], owner: string, type: string): Record[] =>
  records.filter((rr) => rr.type === 'RRSIG' && setType(rr) === type && ownerOf(rr) === owner);
const dataField = (rr: Record, field: string): unknown => ((rdataOf(rr) ?? {}) as { [k: string]: unknown })[field];
const signerOf = (sig: Record): string => normalizeName(String(dataField(sig, 'signersName')));
const wildcardAt = (ce: string): string => (ce === '' ? '*' : `*.${ce}`);
const renamed = (records: Record[], name: string): Record[] => records.map((rr) => ({ ...rr, name }) as Record);

function bounded<V>(map: Map<string, V>, key: string, value: V, max: number): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value as string);
}

export class AggressiveNsec {
  private readonly zones = new Map<string, Zone>();

  constructor(private readonly clock: Clock) {}

  /** Forgets every kept range. */
  clear(): void { this.zones.clear(); }

  /** Keeps authenticated `nsecs` (NSEC and NSEC3) with their RRSIGs (and the zone's SOA when present), all from `section`. */
  store(nsecs: Record[], section: Record[]): void {
    const now = this.clock.now();
    const soa = section.find((rr) => rr.type === 'SOA');
    // RFC 8198 §5.4 with RFC 2308 §5: no longer than the SOA's TTL and minimum field.
    const cap = soa ? negativeTtl(soa) : Infinity;
    for (const nsec of nsecs) {
      const owner = ownerOf(nsec);
      const sigs = sigsOver(section, owner, nsec.type);
      if (sigs.length === 0) continue;
      const z = this.zone(signerOf(sigs[0]));
      if (soa && ownerOf(soa) === signerOf(sigs[0])) z.soa = { records: [soa, ...sigsOver(section, ownerOf(soa), 'SOA')], expires: now + cap * 1000 };
      const kept = { records: [nsec, ...sigs], expires: now + Math.min(cap, ttlOf(nsec)) * 1000 };
      bounded(nsec.type === 'NSEC3' ? z.nsec3s : z.nsecs, owner, kept, MAX_ENTRIES_PER_ZONE);
    }
  }

  /** Keeps the wildcard RRsets that validated expansions in `records` came from, and the NSECs that proved them. */
  storeWildcards(records: Record[], nsecs: Record[], proof: Record[]): void {
    this.store(nsecs, proof);
    const now = this.clock.now();
    for (const sig of records.filter((rr) => rr.type === 'RRSIG')) {
      const owner = ownerOf(sig);
      const n = Number(dataField(sig, 'labels'));
      if (n >= labelCount(owner) || labels(owner)[0] === '*') continue;
      const wildcard = wildcardAt(labels(owner).slice(labelCount(owner) - n).join('.'));
      const type = setType(sig);
      const set = records.filter((rr) => rr.type === type && ownerOf(rr) === owner);
      const ttl = Math.min(...set.map(ttlOf), ttlOf(sig));
      const kept = { records: renamed([...set, ...sigsOver(records, owner, type)], wildcard), expires: now + ttl * 1000 };
      bounded(this.zone(signerOf(sig)).wildcards, `${wildcard}|${type}`, kept, MAX_ENTRIES_PER_ZONE);
    }
  }

  /** A secure answer for (lowercased name, type) proven by kept records, if any. */
  lookup(name: string, type: string): IterOutcome | undefined {
    const now = this.clock.now();
    const zone = this.closestZone(name);
    if (!zone) return undefined;
    const fresh = [...zone.nsecs.values()].filter((k) => k.expires > now);
    const nsecs = fresh.map((k) => k.records[0]);
    const left = (k: Kept): number => Math.max(1, Math.ceil((k.expires - now) / 1000));
    const withTtl = (ks: Kept[]): Record[] => ks.flatMap((k) => k.records.map((rr) => ({ ...rr, ttl: left(k) }) as Record));
    const denial = (): Kept[] => fresh.filter((k) => partOfDenial(k.records[0], name));
    const soa = zone.soa && zone.soa.expires > now ? zone.soa : undefined;
    const nsec3 = soa && this.nsec3Denial(zone, name, type, now);
    if (soa && nsec3) return { kind: nsec3.kind, records: [], authority: withTtl([soa, ...nsec3.used]), name, security: 'secure' };
    if (soa && nsecNoData(nsecs, name, type)) {
      const exact = fresh.find((k) => ownerOf(k.records[0]) === name);
      return { kind: 'nodata', records: [], authority: withTtl([soa, ...(exact ? [exact] : denial())]), name, security: 'secure' };
    }
    const cover = fresh.find((k) => nsecCovers(k.records[0], name));
    if (!cover) return undefined;
    const expansion = this.expansion(zone, name, type, cover.records[0], now);
    if (expansion) {
      const records = withTtl([expansion]).map((rr) => ({ ...rr, name }) as Record);
      const proof = withTtl([cover]);
      if (expansion.records[0].type === type) return { kind: 'answer', records, proof, security: 'secure' };
      return { kind: 'cname', records, target: targetOf(expansion.records[0]), proof, security: 'secure' };
    }
    if (soa && nsecNameError(nsecs, name)) {
      return { kind: 'nxdomain', records: [], authority: withTtl([soa, ...denial()]), name, security: 'secure' };
    }
    return undefined;
  }

  /** RFC 8198 §5.1/§5.2 with NSEC3: a secure NXDOMAIN or NODATA proof from the zone's kept NSEC3s, and the entries it uses. */
  private nsec3Denial(zone: Zone, name: string, type: string, now: number): { kind: 'nxdomain' | 'nodata'; used: Kept[] } | undefined {
    if (zone.nsec3s.size === 0) return undefined;
    const fresh = [...zone.nsec3s.values()].filter((k) => k.expires > now);
    const d = nsec3Synthesis(fresh.map((k) => k.records[0]), name, type);
    return d && { kind: d.kind, used: fresh.filter((k) => d.proof.includes(k.records[0])) };
  }

  /** RFC 8198 §5.3: the kept wildcard at the closest encloser that `cover` implies, for type or CNAME. */
  private expansion(zone: Zone, name: string, type: string, cover: Record, now: number): Kept | undefined {
    const next = normalizeName(String(dataField(cover, 'nextDomain')));
    const a = common(name, ownerOf(cover));
    const b = common(name, next);
    const wildcard = wildcardAt(a.length > b.length ? a : b);
    for (const t of type === 'CNAME' ? [type] : [type, 'CNAME']) {
      const k = zone.wildcards.get(`${wildcard}|${t}`);
      if (k && k.expires > now) return k;
    }
    return undefined;
  }

  private zone(name: string): Zone {
    let z = this.zones.get(name);
    if (!z) {
      z = { nsecs: new Map(), nsec3s: new Map(), wildcards: new Map() };
      bounded(this.zones, name, z, MAX_ZONES);
    }
    return z;
  }

  private closestZone(name: string): Zone | undefined {
    for (let n: string | undefined = name; n !== undefined; n = parentName(n)) {
      const z = this.zones.get(n);
      if (z) return z;
    }
    return undefined;
  }
}

/** The longest common ancestor of two names (RFC 4592 §3.3.1: the closest encloser candidates). */
function common(a: string, b: string): string {
  let n: string | undefined = a;
  while (n !== undefined && !isSubdomain(b, n)) n = parentName(n);
  return n ?? '';
}

/** Whether `nsec` takes part in a denial for `name`: covering it, or covering or owning a wildcard above it. */
function partOfDenial(nsec: Record, name: string): boolean {
  if (nsecCovers(nsec, name)) return true;
  for (let a = parentName(name); a !== undefined; a = parentName(a)) {
    if (nsecCovers(nsec, wildcardAt(a)) || ownerOf(nsec) === wildcardAt(a)) return true;
  }
  return false;
}
