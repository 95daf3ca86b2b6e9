/**
 * Looking up the addresses of a delegation's name servers that came without usable glue, as
 * sub-queries through the mesh (which refuses cycles). At most LIMITS.maxTargetsInParallel run at
 * once and LIMITS.maxTargetsPerDelegation per delegation (NXNS mitigation). Only what is needed:
 * A when IPv4 (or NAT64) is on, AAAA only when IPv6 is on and A gave nothing usable. When the lookups fail,
 * addresses the cache learnt meanwhile as glue are used.
 */
import { isSubdomain, rdataText } from '../wire/index.js';
import { LIMITS } from './budget.js';
import type { Delegation, IterEnv, NsTarget, QueryState } from './iter-types.js';
import { cachedAddresses, usable } from './delegation.js';

/** Starts address lookups for more name servers of `q.dp`; returns how many are now pending. */
export function startTargets(q: QueryState, env: IterEnv): number {
  const dp = q.dp as Delegation;
  const pending = dp.pending ??= new Set();
  while (pending.size < LIMITS.maxTargetsInParallel && dp.targetsStarted < LIMITS.maxTargetsPerDelegation) {
    const t = dp.ns.find((n) => !n.lookedUp && !n.addrs.some((a) => usable(env, a)));
    if (!t) break;
    t.lookedUp = true;
    if (futile(t, dp, env)) continue;
    dp.targetsStarted++;
    const p: Promise<void> = lookup(t, q, env).finally(() => pending.delete(p));
    pending.add(p);
  }
  return pending.size;
}

/**
 * Whether looking up `t` can only bring back the addresses already known: `t` lies inside the zone,
 * whose servers all do (so only they or the parent's referral can give its address), glue for it is
 * known, and no server of the zone can be asked (e.g. glue only in 127.0.0.0/8 with
 * resolver.do_not_query_localhost): asking the parent again gives the same referral (noAddress does
 * that once anyway). Unbound does not chase such targets either.
 */
function futile(t: NsTarget, dp: Delegation, env: IterEnv): boolean {
  if (t.addrs.length === 0 || !isSubdomain(t.name, dp.zone)) return false;
  return dp.ns.every((n) => isSubdomain(n.name, dp.zone) && !n.addrs.some((a) => usable(env, a)));
}

async function lookup(t: NsTarget, q: QueryState, env: IterEnv): Promise<void> {
  // With NAT64 an A record is reached over IPv6 (delegation.ts wireAddress), even with upstream.ipv4 off.
  const types = [env.upstreamConfig.ipv4 || env.nat64 ? 'A' : '', env.upstreamConfig.ipv6 ? 'AAAA' : ''].filter(Boolean);
  for (const type of types) {
    env.log.trace({ qid: q.id, ns: t.name, type }, 'looking up name server address');
    const records = await env.subResolve(t.name, type, q.task);
    for (const rr of records) if (rr.type === type) t.addrs.push(rdataText(rr));
    if (t.addrs.some((a) => usable(env, a))) return;
  }
  // The lookup failed: fall back to parent-side glue cached meanwhile (Unbound's pside addresses).
  t.addrs.push(...cachedAddresses(env, t.name));
}
