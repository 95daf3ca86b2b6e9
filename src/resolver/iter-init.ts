/**
 * Iterator state `init`: find where to start: a configured forward zone (unless a stub zone below
 * it is closer), else the closest stub zone or delegation known in the cache, or the root hints
 * (configured zones passed over once a `first` zone's servers have failed for the query),
 * priming the root first when resolver.root_priming is on and the cache has no root NS set
 * (RFC 8109 §3; the priming query is itself a de-duplicated mesh task for ". NS").
 */
import { parentName } from '../wire/index.js';
import type { IterEnv, IterState, QueryState } from './iter-types.js';
import { delegationFromCache, forwardDelegation } from './delegation.js';

const PRIMING_KEY = '|NS';

/**
 * Where resolution of (name, type) starts: DS lives in the parent zone (RFC 4035 §3.1.4.1). A
 * prefetched NS set is asked of the parent too, as if it had expired (Unbound's processInitRequest):
 * the parent's referral says whether the delegation still exists and where its servers are now,
 * and renews it; the child's servers alone could keep a moved or removed zone alive.
 */
function startName(q: QueryState): string {
  const fromParent = q.type === 'DS' || (q.type === 'NS' && q.task.prefetch === true);
  return fromParent && q.name !== '' ? (parentName(q.name) as string) : q.name;
}

export async function iterInit(q: QueryState, env: IterEnv): Promise<IterState> {
  const forward = q.unconfigured ? undefined : forwardDelegation(env, startName(q));
  if (forward) {
    q.dp = forward;
    return 'queryTargets';
  }
  let dp = delegationFromCache(env, startName(q), q.unconfigured);
  if (dp.source === 'hints' && env.config.root_priming && q.task.key !== PRIMING_KEY) {
    env.log.debug({ qid: q.id }, 'priming the root');
    await env.subResolve('', 'NS', q.task);
    dp = delegationFromCache(env, startName(q), q.unconfigured);
  }
  q.dp = dp;
  return 'queryTargets';
}
