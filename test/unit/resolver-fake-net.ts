/**
 * A scripted in-process network for resolver unit tests: a table of server address → zones, each
 * server answering like an authoritative server (referrals with glue below its cuts, CNAME/DNAME,
 * NXDOMAIN/NODATA with SOA, AA on its own data), plus per-server misbehaviour (dead, lame,
 * SERVFAIL, custom replies, replies held back). It implements the resolver's upstream contract and
 * records every query.
 */
import type { Message, Record } from '../../src/wire/index.js';
import { FLAG, RCODE, isSubdomain, normalizeName, parentName, ttlOf } from '../../src/wire/index.js';
import type { ServerAddress, UpstreamQuery, UpstreamResult } from '../../src/upstream/index.js';
import { defaultConfig } from '../../src/config/index.js';
import type { Config } from '../../src/config/index.js';
import { ManualClock, untilAborted, type Abortable } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { createResolver } from '../../src/resolver/index.js';
import type { Resolution, Resolver, ResolverUpstream } from '../../src/resolver/index.js';

/** One record from "owner ttl TYPE data" text (SOA data: "mname rname serial refresh retry expire minimum"). */
export function rr(text: string): Record {
  const [name, ttl, type, ...rest] = text.trim().split(/\s+/);
  let data: unknown = rest.join(' ');
  if (type === 'NS' || type === 'CNAME' || type === 'DNAME') data = normalizeName(String(data));
  if (type === 'SOA') {
    const [mname, rname, serial, refresh, retry, expire, minimum] = rest;
    data = { mname, rname, serial: +serial, refresh: +refresh, retry: +retry, expire: +expire, minimum: +minimum };
  }
  return { name: normalizeName(name), ttl: Number(ttl), type, class: 'IN', data } as Record;
}

/** A function may answer later (a promise); a query whose signal aborts first fails 'aborted'. */
export type Behaviour = 'auth' | 'dead' | 'servfail' | 'lame'
  | ((q: UpstreamQuery) => Partial<Message> | 'timeout' | Promise<Partial<Message>>);

export interface Server { zones: Record[][]; behaviour?: Behaviour; delayMs?: number }

const owner = (r: Record): string => normalizeName(r.name);
const dataOf = (r: Record): unknown => (r as { data?: unknown }).data;

function reply(q: UpstreamQuery, flags: number, answers: Record[], authorities: Record[], additionals: Record[]): Message {
  return {
    id: 0, type: 'response', flags, questions: [{ name: q.name, type: q.type as Record['type'], class: 'IN' }],
    answers, authorities, additionals,
  } as Message;
}

/** Answers `q` from zone data as an authoritative server would. */
export function authoritative(zones: Record[][], q: UpstreamQuery): Message {
  const qname = normalizeName(q.name);
  const zone = zones
    .map((z) => ({ apex: owner(z.find((r) => r.type === 'SOA') as Record), z }))
    .filter((c) => isSubdomain(qname, c.apex))
    .sort((a, b) => b.apex.length - a.apex.length)[0];
  if (!zone) return reply(q, RCODE.REFUSED, [], [], []);
  const { apex, z } = zone;
  const soa = z.filter((r) => r.type === 'SOA');
  const glueFor = (ns: Record[]): Record[] =>
    z.filter((r) => (r.type === 'A' || r.type === 'AAAA') && ns.some((n) => normalizeName(String(dataOf(n))) === owner(r)));
  for (let n: string | undefined = qname; n !== undefined && n !== apex; n = parentName(n)) {
    const cut = z.filter((r) => owner(r) === n && r.type === 'NS');
    if (cut.length > 0 && !(n === qname && q.type === 'DS')) return reply(q, 0, [], cut, glueFor(cut));
  }
  const answers: Record[] = [];
  let name = qname;
  for (let hop = 0; hop < 32; hop++) {
    const dname = z.find((r) => r.type === 'DNAME' && name !== owner(r) && isSubdomain(name, owner(r)));
    if (dname) {
      const target = name.slice(0, name.length - owner(dname).length) + normalizeName(String(dataOf(dname)));
      answers.push(dname, { name, type: 'CNAME', class: 'IN', ttl: ttlOf(dname), data: target } as Record);
      name = target;
    } else {
      const data = z.filter((r) => owner(r) === name && r.type === q.type);
      if (data.length > 0) return reply(q, FLAG.AA, [...answers, ...data], [], q.type === 'NS' ? glueFor(data) : []);
      const cname = z.find((r) => owner(r) === name && r.type === 'CNAME');
      if (!cname) break;
      answers.push(cname);
      name = normalizeName(String(dataOf(cname)));
    }
    if (!isSubdomain(name, apex)) return reply(q, FLAG.AA, answers, [], []);
  }
  const exists = z.some((r) => isSubdomain(owner(r), name));
  return reply(q, FLAG.AA | (exists ? 0 : RCODE.NXDOMAIN), answers, soa, []);
}

/** The fake network; its selection keeps the given order, putting timed-out and lame servers last. */
export class FakeNet implements ResolverUpstream {
  /** Every query; `tls`: asked over DoT only (UpstreamQuery.requireTls); `signal` as the query carried it. */
  readonly log: { server: string; name: string; type: string; rd: boolean; tls: boolean; signal?: Abortable }[] = [];
  readonly lame = new Set<string>();
  private readonly timedOut = new Set<string>();
  constructor(readonly servers: Map<string, Server>) {}

  orderServers(candidates: readonly ServerAddress[], zone?: string): ServerAddress[] {
    const bad = (s: ServerAddress): number => (this.timedOut.has(s.address) || this.lame.has(`${zone}|${s.address}`) ? 1 : 0);
    return [...candidates].sort((a, b) => bad(a) - bad(b));
  }

  markLame(server: ServerAddress, zone: string): void {
    this.lame.add(`${zone}|${server.address}`);
  }

  async query(q: UpstreamQuery): Promise<UpstreamResult> {
    this.log.push({ server: q.server.address, name: q.name, type: q.type, rd: q.rd, tls: q.requireTls === true, signal: q.signal });
    const s = this.servers.get(q.server.address);
    if (s?.delayMs) await new Promise((r) => setTimeout(r, s.delayMs));
    const b = s?.behaviour ?? 'auth';
    if (!s || b === 'dead') {
      this.timedOut.add(q.server.address);
      return { kind: 'fail', reason: 'timeout', elapsedMs: 50 };
    }
    if (b === 'servfail') return ok(reply(q, RCODE.SERVFAIL, [], [], []));
    if (b === 'lame') return ok(reply(q, FLAG.RA, [], [], []));
    if (typeof b === 'function') {
      let m = b(q);
      if (m instanceof Promise) {
        const later = await untilAborted(m, q.signal, () => undefined);
        if (later === undefined) return { kind: 'fail', reason: 'aborted', elapsedMs: 0 };
        m = later;
      }
      return m === 'timeout' ? { kind: 'fail', reason: 'timeout', elapsedMs: 50 }
        : ok({ ...reply(q, 0, [], [], []), ...m } as Message);
    }
    return ok(authoritative(s.zones, q));
  }

  /** Queries sent for (name, type), optionally to one server. */
  count(name: string, type: string, server?: string): number {
    return this.log.filter((l) => normalizeName(l.name) === normalizeName(name) && l.type === type
      && (server === undefined || l.server === server)).length;
  }
}

function ok(message: Message): UpstreamResult {
  return { kind: 'reply', message, rttMs: 1, transport: 'udp' };
}

/** Zone text: one record per line. */
export function zone(text: string): Record[] {
  return text.trim().split('\n').filter((l) => l.trim() !== '').map(rr);
}

export const ROOT = '10.0.0.1';

/** The root zone delegating `test.` to 10.0.1.1 and `net.` to 10.0.2.1. */
export function rootZone(extra = ''): Record[] {
  return zone(`
    . 86400 SOA a.root. host. 1 2 3 4 3600
    . 86400 NS a.root.
    test. 86400 NS ns.test.
    ns.test. 86400 A 10.0.1.1
    net. 86400 NS ns.net.
    ns.net. 86400 A 10.0.2.1
    ${extra}`);
}

export interface Harness { net: FakeNet; clock: ManualClock; resolver: Resolver; ask(name: string, type?: string): Promise<Resolution> }

/** A resolver over `servers` with the root hint at `hint` and config tweaks applied. */
export function harness(servers: { [addr: string]: Server }, tweak: (c: Config) => void = () => {}, hint = ROOT): Harness {
  const config = defaultConfig();
  config.resolver.root_priming = false;
  config.upstream.ipv6 = false;
  config.resolver.do_not_query_localhost = true;
  tweak(config);
  const net = new FakeNet(new Map(Object.entries(servers)));
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const resolver = createResolver({
    upstream: net, clock, log: silentLogger(), resolver: config.resolver, cache: config.cache,
    upstreamConfig: config.upstream, rootHints: [{ name: 'a.root', addresses: [hint] }], forwardZones: config.forward_zones, stubZones: config.stub_zones,
  });
  const ask = (name: string, type = 'A'): Promise<Resolution> =>
    resolver.resolve({ question: { name, type, class: 'IN' }, flags: { rd: true, cd: false, do: false, ad: false } });
  return { net, clock, resolver, ask };
}

/** "owner type data" strings of records, sorted, for comparisons. */
export function show(records: Record[]): string[] {
  return records.map((r) => `${normalizeName(r.name)} ${r.type} ${typeof dataOf(r) === 'object' ? 'SOA' : String(dataOf(r))}`).sort();
}
