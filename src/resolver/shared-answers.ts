/**
 * The shared cache tier in the pipeline (cache.shared): the local cache first, then the shared tier,
 * then resolution, in one walk of the chain (the tier is asked where the walk first finds the cache
 * lacking, ChainOptions.beforeResolving). What is resolved is written back only when it was validated here and came out
 * secure or insecure (never bogus, indeterminate, unvalidated: CD, no trust anchor, under a
 * negative trust anchor), is a NOERROR or NXDOMAIN answer and carries no Extended DNS Error (so no
 * stale data, RFC 8767). Sub-queries (name server addresses, DS/DNSKEY) never use the tier.
 */
import { RCODE } from '../wire/index.js';
import type { SharedTier } from '../cache/index.js';
import type { ChainOptions, ChainResolver, ChainResult } from './chain.js';

export type SharedChainResult = ChainResult & { shared?: boolean };

export async function resolveWithShared(
  chain: ChainResolver, shared: SharedTier, name: string, type: string, how: ChainOptions,
): Promise<SharedChainResult> {
  if (how.cacheOnly) return chain.resolve(name, type, how);
  const question = { name, type, class: 'IN' };
  let fromShared = false;
  const r: SharedChainResult = await chain.resolve(name, type, {
    ...how,
    beforeResolving: async () => {
      const hit = await shared.lookup(question);
      if (!hit) return undefined;
      fromShared = true;
      return { ...hit, shared: true };
    },
  });
  if (fromShared) return r;
  const validated = how.validate === true && chain.validates(name);
  const security = r.security === 'secure' || r.security === 'insecure' ? r.security : undefined;
  if (r.resolved && validated && security && r.ede === undefined && (r.rcode === RCODE.NOERROR || r.rcode === RCODE.NXDOMAIN)) {
    shared.write(question, { rcode: r.rcode, answer: r.answer, authority: r.authority, additional: r.additional ?? [], security });
  }
  return r;
}
