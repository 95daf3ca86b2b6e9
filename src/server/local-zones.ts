/**
 * Unbound-style local zones (local-zone / local-data): answers from configured records, with AA set.
 * The closest enclosing zone decides. A name with data: its records (a CNAME is followed within local
 * data, RFC 1034 §4.3.2), or NODATA with the zone's SOA, real or synthesized (RFC 2308 §2.2). A name
 * without data, by zone type: static → NXDOMAIN (NODATA for an empty non-terminal), transparent →
 * the next handler, refuse → REFUSED, deny → no answer, redirect → the apex data for every name.
 */
import { ConfigError, errorMessage } from '../util/index.js';
import {
  fqdn, isSubdomain, negativeTtl, normalizeName, parentName, parseRecord, RCODE, rdataText, withRecordTtl, type Record,
} from '../wire/index.js';
import type { LocalZone, LocalZoneType } from '../config/index.js';
import type { Answer, ChainedHandler, ClientQuery, QueryHandler } from './types.js';
import { BUILTIN_LOCAL_ZONES, LOOPBACK_ZONES } from './builtin-zones.js';

interface Zone {
  name: string;
  type: LocalZoneType;
  soa: Record;
  /** Records by normalized owner name. */
  nodes: Map<string, Record[]>;
  /** Names below the apex that have data somewhere beneath them (empty non-terminals included). */
  nonTerminals: Set<string>;
}

/** Longest CNAME chain followed within local data. */
const MAX_CNAME_CHAIN = 8;

interface Partial { rcode: number; answer: Record[]; authority: Record[] }

function synthesizedSoa(zone: string): Record {
  // The SOA Unbound synthesizes for local zones without one.
  return parseRecord(`${fqdn(zone)} 3600 IN SOA localhost. nobody.invalid. 1 3600 1200 604800 10800`);
}

/** The SOA for negative answers: TTL is the lower of the SOA's TTL and its MINIMUM (RFC 2308 §5). */
function negativeSoa(soa: Record): Record {
  return withRecordTtl(soa, negativeTtl(soa));
}

function buildZone(cfg: LocalZone, index: number, source: string): Zone {
  const name = normalizeName(cfg.name);
  const nodes = new Map<string, Record[]>();
  const nonTerminals = new Set<string>();
  let soa: Record | undefined;
  cfg.records.forEach((text, j) => {
    const key = `local_zones[${index}].records[${j}]`;
    let rr: Record;
    try {
      rr = parseRecord(text, { origin: fqdn(name) });
    } catch (err) {
      throw new ConfigError(source, key, `a record in zone-file syntax (${errorMessage(err)})`);
    }
    const owner = normalizeName(rr.name);
    if (!isSubdomain(owner, name)) throw new ConfigError(source, key, `a record at or below ${fqdn(name)}`);
    if (rr.type === 'SOA' && owner === name) soa = rr;
    const list = nodes.get(owner) ?? [];
    list.push(rr);
    nodes.set(owner, list);
    for (let n = parentName(owner); n !== undefined && n !== name && isSubdomain(n, name); n = parentName(n)) nonTerminals.add(n);
  });
  return { name, type: cfg.type, soa: negativeSoa(soa ?? synthesizedSoa(name)), nodes, nonTerminals };
}

function sameType(rr: Record, type: string): boolean {
  return type === 'ANY' || rr.type === type;
}

/** Local zones, built once from the config; throws ConfigError (naming `source`) for bad records. */
export class LocalZones {
  private readonly zones = new Map<string, Zone>();

  /**
   * `zones` from the config; the built-in special-use zones fill in names the config does not have,
   * and give way (a transparent zone) at each of `routed`, the forward and stub zones, that they enclose.
   */
  constructor(zones: LocalZone[], source = 'config', routed: readonly string[] = []) {
    zones.forEach((z, i) => this.zones.set(normalizeName(z.name), buildZone(z, i, source)));
    const builtin = new Set<string>();
    BUILTIN_LOCAL_ZONES.forEach((z, i) => {
      const name = normalizeName(z.name);
      if (this.zones.has(name)) return;
      this.zones.set(name, buildZone(z, i, 'built-in local zones'));
      builtin.add(name);
    });
    routed.forEach((r, i) => {
      const name = normalizeName(r);
      const enclosing = this.find(name);
      if (enclosing && builtin.has(enclosing.name) && !LOOPBACK_ZONES.has(enclosing.name)) {
        this.zones.set(name, buildZone({ name, type: 'transparent', records: [] }, i, 'forward and stub zones'));
      }
    });
  }

  /** The closest zone enclosing the normalized name. */
  private find(name: string): Zone | undefined {
    for (let n: string | undefined = name; n !== undefined; n = parentName(n)) {
      const z = this.zones.get(n);
      if (z) return z;
    }
    return undefined;
  }

  /** Answers from local data for `qname` in `zone`, or undefined when the zone has none for it. */
  private lookup(zone: Zone, qname: string, owner: string, type: string, depth: number): Partial | undefined {
    const lookupName = zone.type === 'redirect' ? zone.name : qname;
    const rrs = zone.nodes.get(lookupName);
    const rename = (rr: Record): Record => (zone.type === 'redirect' ? { ...rr, name: owner } as Record : rr);
    if (rrs === undefined) {
      if (zone.type === 'static' || zone.type === 'redirect') {
        const rcode = zone.nonTerminals.has(qname) ? RCODE.NOERROR : RCODE.NXDOMAIN;
        return { rcode, answer: [], authority: [zone.soa] };
      }
      return undefined;
    }
    const matching = rrs.filter((rr) => sameType(rr, type));
    if (matching.length > 0) return { rcode: RCODE.NOERROR, answer: matching.map(rename), authority: [] };
    const cname = rrs.find((rr) => rr.type === 'CNAME');
    if (cname === undefined) return { rcode: RCODE.NOERROR, answer: [], authority: [zone.soa] };
    const first = rename(cname);
    const target = rdataText(cname);
    const targetZone = depth < MAX_CNAME_CHAIN ? this.find(normalizeName(target)) : undefined;
    const rest = targetZone && this.lookup(targetZone, normalizeName(target), target, type, depth + 1);
    if (!rest) return { rcode: RCODE.NOERROR, answer: [first], authority: [] };
    return { rcode: rest.rcode, answer: [first, ...rest.answer], authority: rest.authority };
  }

  /** Answers from local data, or undefined to pass the query on. `drop` for deny zones. */
  answer(q: ClientQuery): Answer | undefined {
    if (q.question.class !== 'IN') return undefined;
    const qname = normalizeName(q.question.name);
    const zone = this.find(qname);
    if (zone === undefined) return undefined;
    const found = this.lookup(zone, qname, q.question.name, q.question.type, 0);
    const base = { additional: [], authenticated: false, aa: true, cacheable: true, source: 'local' as const };
    if (found) return { ...found, ...base };
    if (zone.type === 'refuse') return { rcode: RCODE.REFUSED, answer: [], authority: [], ...base, aa: false };
    if (zone.type === 'deny') return { rcode: RCODE.REFUSED, answer: [], authority: [], ...base, drop: true };
    return undefined; // transparent
  }

  /** This table as a link in a handler chain. */
  readonly handler: ChainedHandler = (q, signal, next: QueryHandler) => this.answer(q) ?? next(q, signal);
}
