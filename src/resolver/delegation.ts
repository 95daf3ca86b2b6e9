/**
 * Delegation points: built from root hints, from the cache (the closest enclosing zone whose NS
 * set is cached and usable, Unbound dns_cache_find_delegation + iter_dp_is_useless), or from a
 * referral (NS set plus glue), or from a configured forward or stub zone. Also which addresses may
 * be asked: IPv4/IPv6 switches, and do_not_query_localhost (127.0.0.0/8 and ::1 never, except
 * configured hints, forwarders and stub servers).
 *
 * The closest enclosing configured zone wins over cached delegations above it, as Unbound's
 * hints_lookup_stub (a not-primed stub replaces a cached delegation at or above it) and
 * iter_stub_fwd_no_cache (of a stub and a forward zone, the lower one) do; a delegation cached
 * below a stub zone, learned from its servers' referrals, is used as usual (RFC 1034 §5.3.3 step 2).
 */
import type { Record } from '../wire/index.js';
import { embedIpv4, isSubdomain, normalizeName, parentName, rdataText } from '../wire/index.js';
import type { ForwardZone, StubZone } from '../config/index.js';
import type { ServerAddress } from '../upstream/index.js';
import type { Delegation, IterEnv, NsTarget } from './iter-types.js';
import { ownerOf, targetOf } from './scrub.js';

const DNS_PORT = 53;

function make(zone: string, ns: NsTarget[], source: Delegation['source'], requireTls = false, first = false): Delegation {
  return { zone, ns, source, requireTls, first, tried: new Set(), udpSilent: [], targetsStarted: 0 };
}

export function hintsDelegation(env: IterEnv): Delegation {
  const ns = env.rootHints.map((h) => ({ name: normalizeName(h.name), addrs: [...h.addresses], lookedUp: true }));
  return make('', ns, 'hints');
}

/** The zone of `zones` closest to `name` (the longest one enclosing it), with its normalized name. */
function closest<Z extends { name: string }>(zones: Z[], name: string): { zone: string; conf: Z } | undefined {
  let best: { zone: string; conf: Z } | undefined;
  for (const conf of zones) {
    const zone = normalizeName(conf.name);
    if (isSubdomain(name, zone) && (!best || zone.length > best.zone.length)) best = { zone, conf };
  }
  return best;
}

/**
 * A delegation to the servers of a forward or stub zone: those given by address under the zone's
 * name (which stands for their NS name), those given by name (`hosts`) with their addresses to
 * look up (targets.ts), as a referral's name servers without glue.
 */
function configured(zone: string, conf: ForwardZone | StubZone, source: 'forward' | 'stub', requireTls = false): Delegation {
  const byAddress: NsTarget[] = conf.addresses.length > 0 ? [{ name: zone, addrs: [...conf.addresses], lookedUp: true }] : [];
  const byName = conf.hosts.map((host): NsTarget => ({ name: normalizeName(host), addrs: [], lookedUp: false }));
  return make(zone, [...byAddress, ...byName], source, requireTls, conf.first);
}

/**
 * The forward zone closest to `name`, as a delegation to its configured servers (asked with RD; over
 * DoT only with `tls`); none when a stub zone below it is closer (that one is iterated, delegationFromCache).
 */
export function forwardDelegation(env: IterEnv, name: string): Delegation | undefined {
  const fwd = closest(env.forwardZones, name);
  const stub = closest(env.stubZones, name);
  if (!fwd || (stub && stub.zone.length > fwd.zone.length)) return undefined;
  return configured(fwd.zone, fwd.conf, 'forward', fwd.conf.tls);
}

/** The stub zone whose apex is `zone`, as a delegation to its configured servers (asked without RD, like any authority). */
function stubAt(env: IterEnv, zone: string): Delegation | undefined {
  const stub = env.stubZones.find((z) => normalizeName(z.name) === zone);
  return stub && configured(zone, stub, 'stub');
}

/** Addresses for `name` from records at hand, then from the cache. */
function addressesOf(env: IterEnv, name: string, glue: Record[]): string[] {
  const out: string[] = [];
  for (const rr of glue) if ((rr.type === 'A' || rr.type === 'AAAA') && ownerOf(rr) === name) out.push(String(rr.data));
  return out.length > 0 ? out : cachedAddresses(env, name);
}

/** Addresses of `name` in the cache at any rank (glue from a parent's referral is fine here). */
export function cachedAddresses(env: IterEnv, name: string): string[] {
  const out: string[] = [];
  for (const type of ['A', 'AAAA']) {
    for (const rr of env.cache.rrsetData(name, type) ?? []) out.push(rdataText(rr));
  }
  return out;
}

/** A delegation to `zone` from its NS records and any glue; `requireTls` when it was reached through DoT-only servers. */
export function delegationFromNs(
  env: IterEnv, zone: string, ns: readonly Record[], glue: Record[], source: 'cache' | 'referral', requireTls = false,
): Delegation {
  const names = [...new Set(ns.map(targetOf))];
  return make(zone, names.map((name) => ({ name, addrs: addressesOf(env, name, glue), lookedUp: false })), source, requireTls);
}

/**
 * The closest cached delegation at or above `start` that can be used: some server has a usable
 * address, or some server name lies outside the zone (so it can be looked up); a stub zone met on
 * the way up first (its configured servers replace what the cache holds at its apex), unless
 * `skipStubs` (a stub zone with `first` whose servers failed). Root hints otherwise.
 */
export function delegationFromCache(env: IterEnv, start: string, skipStubs = false): Delegation {
  for (let z: string | undefined = start; z !== undefined; z = parentName(z)) {
    const stub = skipStubs ? undefined : stubAt(env, z);
    if (stub) return stub;
    const ns = env.cache.rrsetData(z, 'NS');
    if (ns) {
      const dp = delegationFromNs(env, z, ns, [], 'cache');
      const zone = z;
      const useful = dp.ns.some((t) => t.addrs.some((a) => usable(env, a)) || !isSubdomain(t.name, zone));
      if (useful) return dp;
    }
    if (z === '') break;
  }
  return hintsDelegation(env);
}

function isLocalhost(addr: string): boolean {
  return addr.startsWith('127.') || addr === '::1' || addr === '0.0.0.0' || addr === '::';
}

/**
 * Whether `addr` may be queried under the upstream and resolver settings. With NAT64 an IPv4
 * address goes out over IPv6 (wireAddress), so it needs upstream.ipv6, whatever upstream.ipv4 says;
 * the localhost rule is judged on the address as learnt.
 */
export function usable(env: IterEnv, addr: string): boolean {
  const v6 = addr.includes(':') || env.nat64 !== undefined;
  if (v6 ? !env.upstreamConfig.ipv6 : !env.upstreamConfig.ipv4) return false;
  return !(env.config.do_not_query_localhost && isLocalhost(addr) && !env.exempt.has(addr));
}

/**
 * The address a server is asked at: with upstream.nat64 an IPv4 address is reached through the
 * NAT64 at its IPv4-embedded IPv6 address (RFC 6052 §2.2, RFC 6146; Unbound's do-nat64), so an
 * IPv6-only host can iterate to IPv4-only servers.
 */
function wireAddress(env: IterEnv, addr: string): string {
  return env.nat64 && !addr.includes(':') ? embedIpv4(env.nat64, addr) : addr;
}

/** The servers of `dp` not yet asked and allowed, best first (the upstream's selection); distrusted ones (distrust.ts) last. */
export function candidates(env: IterEnv, dp: Delegation): ServerAddress[] {
  const all: ServerAddress[] = [];
  for (const t of dp.ns) {
    for (const learnt of t.addrs) {
      const address = wireAddress(env, learnt);
      // A delegation has a handful of addresses: a scan costs less than a Set per call.
      if (dp.tried.has(address) || all.some((s) => s.address === address) || !usable(env, learnt)) continue;
      all.push({ address, port: DNS_PORT, name: t.name });
    }
  }
  const ordered = env.upstream.orderServers(all, dp.zone);
  const distrusted = (s: ServerAddress): boolean => env.distrusted.has(dp.zone, s.address);
  if (!ordered.some(distrusted)) return ordered;
  return [...ordered.filter((s) => !distrusted(s)), ...ordered.filter(distrusted)];
}
