/**
 * Delegation points: built from root hints, from the cache (the closest enclosing zone whose NS
 * set is cached and usable, Unbound dns_cache_find_delegation + iter_dp_is_useless), or from a
 * referral (NS set plus glue), or from a configured forward zone. Also which addresses may be
 * asked: IPv4/IPv6 switches, and do_not_query_localhost (127.0.0.0/8 and ::1 never, except
 * configured hints and forwarders).
 */
import type { Record } from '../wire/index.js';
import type { ForwardZone } from '../config/index.js';
import { isSubdomain, normalizeName, parentName } from '../wire/index.js';
import type { ServerAddress } from '../upstream/index.js';
import type { Delegation, IterEnv, NsTarget } from './iter-types.js';
import { ownerOf, targetOf } from './scrub.js';

const DNS_PORT = 53;

function make(zone: string, ns: NsTarget[], source: Delegation['source'], requireTls = false): Delegation {
  return { zone, ns, source, requireTls, tried: new Set(), udpSilent: [], targetsStarted: 0, pending: new Set() };
}

export function hintsDelegation(env: IterEnv): Delegation {
  const ns = env.rootHints.map((h) => ({ name: normalizeName(h.name), addrs: [...h.addresses], lookedUp: true }));
  return make('', ns, 'hints');
}

/** The forward zone closest to `name`, as a delegation to its configured servers (asked with RD; over DoT only with `tls`). */
export function forwardDelegation(env: IterEnv, name: string): Delegation | undefined {
  let best: ForwardZone | undefined;
  for (const fz of env.forwardZones) {
    const zone = normalizeName(fz.name);
    if (isSubdomain(name, zone) && (!best || zone.length > normalizeName(best.name).length)) best = fz;
  }
  if (!best) return undefined;
  const zone = normalizeName(best.name);
  return make(zone, [{ name: zone, addrs: [...best.addresses], lookedUp: true }], 'forward', best.tls);
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
    for (const rr of env.cache.rrsetData(name, type) ?? []) out.push(String((rr as { data?: unknown }).data));
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
 * address, or some server name lies outside the zone (so it can be looked up). Root hints otherwise.
 */
export function delegationFromCache(env: IterEnv, start: string): Delegation {
  for (let z: string | undefined = start; z !== undefined; z = parentName(z)) {
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

/** Whether `addr` may be queried under the upstream and resolver settings. */
export function usable(env: IterEnv, addr: string): boolean {
  const v6 = addr.includes(':');
  if (v6 ? !env.upstreamConfig.ipv6 : !env.upstreamConfig.ipv4) return false;
  return !(env.config.do_not_query_localhost && isLocalhost(addr) && !env.exempt.has(addr));
}

/** The servers of `dp` not yet asked and allowed, best first (the upstream's selection); distrusted ones (distrust.ts) last. */
export function candidates(env: IterEnv, dp: Delegation): ServerAddress[] {
  const all: ServerAddress[] = [];
  const seen = new Set<string>();
  for (const t of dp.ns) {
    for (const address of t.addrs) {
      if (dp.tried.has(address) || seen.has(address) || !usable(env, address)) continue;
      seen.add(address);
      all.push({ address, port: DNS_PORT, name: t.name });
    }
  }
  const ordered = env.upstream.orderServers(all, dp.zone);
  const distrusted = (s: ServerAddress): boolean => env.distrusted.has(dp.zone, s.address);
  return [...ordered.filter((s) => !distrusted(s)), ...ordered.filter(distrusted)];
}
