/**
 * The answer tiers in the pipeline (the other workers' answers, then cache.shared): the local cache
 * first, then each tier in turn, then resolution, in one walk of the chain (the tiers are asked where
 * the walk first finds the cache lacking, ChainOptions.beforeResolving). A hit is kept in the local
 * cache (keep-shared.ts), so the next question for the name is a plain cache hit. What is resolved
 * is offered to every tier only when it was validated here and came out secure or insecure (never
 * bogus, indeterminate, unvalidated: CD, no trust anchor, under a negative trust anchor), is a
 * NOERROR or NXDOMAIN answer and carries no Extended DNS Error (so no stale data, RFC 8767).
 * Sub-queries (name server addresses, DS/DNSKEY) never use the tiers.
 */
import { RCODE } from '../wire/index.js';
import type { AnswerTier, DnsCache } from '../cache/index.js';
import type { ChainOptions, ChainResolver } from './chain.js';
import type { ChainResult } from './chain-result.js';
import { keepInCache } from './keep-shared.js';

export type SharedChainResult = ChainResult & { shared?: boolean };

export async function resolveWithShared(
  chain: ChainResolver, cache: DnsCache, tiers: AnswerTier[], name: string, type: string, how: ChainOptions,
): Promise<SharedChainResult> {
  if (how.cacheOnly) return chain.resolve(name, type, how);
  const question = { name, type, class: 'IN' };
  let fromShared = false;
  const r: SharedChainResult = await chain.resolve(name, type, {
    ...how,
    beforeResolving: async () => {
      for (const tier of tiers) {
        const hit = await tier.lookup(question);
        if (!hit) continue;
        fromShared = true;
        if (keepInCache(cache, name, type, hit)) tier.kept?.(question);
        return { ...hit, shared: true };
      }
      return undefined;
    },
  });
  if (fromShared) return r;
  const validated = how.validate === true && chain.validates(name);
  const security = r.security === 'secure' || r.security === 'insecure' ? r.security : undefined;
  if (r.resolved && validated && security && r.ede === undefined && (r.rcode === RCODE.NOERROR || r.rcode === RCODE.NXDOMAIN)) {
    const answer = { rcode: r.rcode, answer: r.answer, authority: r.authority, additional: r.additional ?? [], security };
    for (const tier of tiers) tier.write(question, answer);
  }
  return r;
}
