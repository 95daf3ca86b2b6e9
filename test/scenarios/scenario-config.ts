/**
 * Maps a scenario's CONFIG_END header to Ward's configuration, with Deckard's defaults
 * (pydnstest/scenario.py parse_config): do-not-query-localhost and harden-glue on, QNAME
 * minimisation on unless `query-minimization: off`, with QTYPE NS as Knot Resolver (Unbound testbound files: QTYPE A, off unless
 * `qname-minimisation: yes`, answers non-minimal unless `minimal-responses: yes`; their
 * `server:`/`stub-zone:` blocks are read too), the root hint `stub-addr` (193.0.14.129 when
 * absent) named by `stub-name`, a `stub-zone:` below the root as a stub zone, `forward-addr` as a
 * forward zone (for '.' outside a `forward-zone:` block), `stub-host` / `forward-host` as its
 * `hosts`, `stub-first` / `forward-first` as the zone's `first`, the serve-expired options as the cache's serve-stale keys, the clock at
 * `val-override-date` / `val-override-timestamp`.
 * Scenario servers answer at once, so upstream timeouts are short (dead servers cost little time).
 */
import {
  defaultConfig, type CacheConfig, type Dns64Config, type ForwardZone, type LocalHostsConfig, type StubZone, type ResolverConfig, type RootHint, type UpstreamConfig,
} from '../../src/config/index.js';
import { parseRecord, type Record } from '../../src/wire/index.js';
import { isIPv6 } from 'node:net';
import { TESTBOUND_CLAUSES, type Scenario } from './rpl-parse.js';

/** Per-try upstream timeout in scenarios (README: answers within 5 s even with dead servers). */
export const SCENARIO_UPSTREAM_TIMEOUT_MS = 150;

export interface ScenarioSetup {
  /** Wall-clock start (ms since the epoch). */
  startMs: number;
  rootHints: RootHint[];
  resolver: ResolverConfig;
  cache: CacheConfig;
  upstream: UpstreamConfig;
  /** `forward-addr`: everything ('.') is forwarded to these servers, asked with RD. */
  forwardZones: ForwardZone[];
  /** `stub-zone:` blocks below the root: their `stub-addr` servers, asked iteratively. */
  stubZones: StubZone[];
  trustAnchors: Record[];
  negativeTrustAnchors: string[];
  /** kresd `features: dns64_prefix = P` or testbound `dns64-prefix: P/n`: DNS64 (RFC 6147) in front of the resolver. */
  dns64?: Dns64Config;
  /** kresd `features: static_hint_name = N` with `static_hint_addr = A` (its hints module): a local hosts line "A N". */
  localHosts?: LocalHostsConfig;
}

function isRoot(name: string): boolean {
  return name === '.' || name === '';
}

/** testbound writes `addr@port`; scenario servers all listen on 53. */
function stripPort(addr: string): string {
  return addr.replace(/@53$/, '');
}

/** The entry of zone `name` in `zones` (one per zone, however many address lines), made on first use. */
function zoneEntry<Z extends { name: string }>(zones: Z[], name: string, make: () => Z): Z {
  let zone = zones.find((z) => z.name === name);
  if (!zone) {
    zone = make();
    zones.push(zone);
  }
  return zone;
}

function stubEntry(setup: ScenarioSetup, name: string): StubZone {
  return zoneEntry(setup.stubZones, name, () => ({ name, addresses: [], hosts: [], first: false }));
}

function forwardEntry(setup: ScenarioSetup, name: string): ForwardZone {
  return zoneEntry(setup.forwardZones, isRoot(name) ? '.' : name, () => ({ name: isRoot(name) ? '.' : name, addresses: [], hosts: [], tls: false, first: false }));
}

function bool(v: string): boolean {
  return ['yes', 'true', 'on', '1'].includes(v.trim().toLowerCase());
}

/** Parses `YYYYMMDDHHMMSS` as UTC, or POSIX seconds. */
function overrideDate(v: string): number {
  if (/^\d{1,11}$/.test(v.trim())) return Number(v.trim()) * 1000; // testbound takes POSIX seconds too
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v.trim());
  if (!m) throw new Error(`bad val-override-date ${v}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
}

/** The canonical text of an IP address (IPv6 compressed the same way on both sides). */
export function normalizeAddress(a: string): string {
  if (!isIPv6(a)) return a;
  const url = new URL(`http://[${a}]/`);
  return url.hostname.slice(1, -1);
}

export function scenarioSetup(sc: Scenario): ScenarioSetup {
  const base = defaultConfig();
  // Deckard's scenarios script the minimised questions of Knot Resolver (QTYPE NS, Ward's default);
  // testbound's those of Unbound (QTYPE A, RFC 9156 §2.1).
  const resolver: ResolverConfig = { ...base.resolver, root_priming: false, qname_minimisation: true, do_not_query_localhost: true, harden_glue: true };
  // serve-expired-client-timeout is 0 unless said: the files were written for Unbound before 1.23,
  // whose default that was (later copies of the same files say `serve-expired-client-timeout: 0`).
  const cache: CacheConfig = { ...base.cache, prefetch: false, serve_stale: false, stale_client_timeout_ms: 0 };
  const upstream: UpstreamConfig = { ...base.upstream, tls: 'off', timeout_ms: SCENARIO_UPSTREAM_TIMEOUT_MS };
  const setup: ScenarioSetup = {
    startMs: Date.now(), rootHints: [], resolver, cache, upstream, forwardZones: [], stubZones: [], trustAnchors: [], negativeTrustAnchors: [],
  };
  let stubAddr = '193.0.14.129';
  let stubName = 'K.ROOT-SERVERS.NET';
  const hint: { name?: string; addr?: string } = {};
  // testbound (Unbound's harness) files group keys in `server:`, `stub-zone:` and `forward-zone:`
  // blocks; only a zone block's `name` says which zone its addresses are for.
  let block = '';
  let zoneName = '.';
  // Unbound's own test files script the queries of a resolver that does not minimise unless they
  // say `qname-minimisation: yes` (its iter_minim* files do): play them that way.
  if (sc.dialect === 'testbound') {
    resolver.qname_minimisation = false;
    resolver.qname_minimisation_qtype = 'A';
    resolver.minimal_responses = false; // testbound's answers are Unbound's with minimal-responses: no
  }
  for (const [key, value] of sc.config) {
    if (value === '' && TESTBOUND_CLAUSES.has(key)) {
      block = key;
      zoneName = '.';
      continue;
    }
    switch (key) {
      case 'name': zoneName = value; break;
      case 'stub-addr': if (isRoot(zoneName)) stubAddr = stripPort(value); else stubEntry(setup, zoneName).addresses.push(stripPort(value)); break;
      case 'stub-first': if (!isRoot(zoneName)) stubEntry(setup, zoneName).first = bool(value); break;
      case 'stub-host': if (!isRoot(zoneName)) stubEntry(setup, zoneName).hosts.push(value); break;
      case 'stub-name': if (isRoot(zoneName)) stubName = value.replace(/\.$/, ''); break;
      case 'query-minimization': case 'qname-minimisation': resolver.qname_minimisation = bool(value); break;
      case 'do-not-query-localhost': resolver.do_not_query_localhost = bool(value); break;
      case 'harden-glue': resolver.harden_glue = bool(value); break;
      case 'minimal-responses': resolver.minimal_responses = bool(value); break;
      case 'private-address': resolver.private_addresses = [...resolver.private_addresses, value]; break;
      case 'private-domain': resolver.private_domains = [...resolver.private_domains, value.replace(/^"|"$/g, '').replace(/\.$/, '')]; break;
      case 'do-ip4': upstream.ipv4 = bool(value); break;
      case 'do-ip6': upstream.ipv6 = bool(value); break;
      case 'do-nat64': upstream.nat64 = { ...upstream.nat64, enabled: bool(value) }; break;
      case 'nat64-prefix': upstream.nat64 = { ...upstream.nat64, prefix: value }; break;
      case 'val-override-date': setup.startMs = overrideDate(value); break;
      case 'val-override-timestamp': setup.startMs = Number(value) * 1000; break;
      case 'trust-anchor': setup.trustAnchors.push(parseRecord(value)); break;
      case 'domain-insecure': setup.negativeTrustAnchors.push(value.replace(/\.$/, '')); break;
      case 'forward-addr': forwardEntry(setup, block === 'forward-zone' ? zoneName : '.').addresses.push(stripPort(value)); break;
      case 'forward-first': forwardEntry(setup, zoneName).first = bool(value); break;
      case 'forward-host': forwardEntry(setup, block === 'forward-zone' ? zoneName : '.').hosts.push(value); break;
      case 'cache-min-ttl': cache.min_ttl = Number(value); break;
      case 'cache-max-ttl': cache.max_ttl = Number(value); break;
      case 'prefetch': cache.prefetch = bool(value); break;
      case 'serve-expired': cache.serve_stale = bool(value); break;
      case 'serve-expired-reply-ttl': cache.stale_reply_ttl = Number(value); break;
      case 'serve-expired-client-timeout': cache.stale_client_timeout_ms = Number(value); break;
      case 'serve-expired-ttl': cache.stale_max_ttl = Number(value); break;
      case 'serve-expired-ttl-reset': cache.stale_ttl_reset = bool(value); break;
      case 'serve-original-ttl': cache.serve_original_ttl = bool(value); break;
      case 'features': applyFeatures(value, setup, hint); break;
      case 'dns64-prefix': setup.dns64 = { ...defaultConfig().dns64, enabled: true, prefix: value }; break;
      default: break; // commented-out Unbound options and Deckard-only knobs
    }
  }
  setup.rootHints = [{ name: stubName, addresses: [stubAddr] }];
  if (hint.name && hint.addr) setup.localHosts = { ...base.local_hosts, entries: [`${hint.addr} ${hint.name}`] };
  return setup;
}

/**
 * `features: k = v; ...`: the cache bounds, the DNS64 prefix (kresd's dns64 module takes a /96) and a
 * static hint (kresd's hints module; name and address may come on separate `features` lines); other
 * features are kresd-specific and ignored.
 */
function applyFeatures(value: string, setup: ScenarioSetup, hint: { name?: string; addr?: string }): void {
  for (const item of value.split(';')) {
    const [k, v] = item.split('=').map((s) => s.trim());
    if (k === 'static_hint_name' && v) hint.name = v;
    if (k === 'static_hint_addr' && v) hint.addr = v;
    if (k === 'min_ttl' && /^\d+$/.test(v ?? '')) setup.cache.min_ttl = Number(v);
    if (k === 'max_ttl' && /^\d+$/.test(v ?? '')) setup.cache.max_ttl = Number(v);
    if (k === 'dns64_prefix' && v) setup.dns64 = { ...defaultConfig().dns64, enabled: true, prefix: v.includes('/') ? v : `${v}/96` };
  }
}
