/**
 * Iterator state `queryTargets`: choose the question (QNAME minimisation) and the next server of
 * the delegation (unknown first, then smoothed RTT), and send it through Upstream. With no address
 * left, or only servers that recently gave bogus data (distrust.ts), look up name server addresses;
 * with nothing left at all, ask the parent zone again when the delegation came from the cache (fresh
 * glue; the root hints above a cached root), else fail with EDE 22 No Reachable Authority.
 */
import { parentName } from '../wire/index.js';
import { EDE, ede } from './ede.js';
import type { Delegation, IterEnv, IterState, QueryState } from './iter-types.js';
import { candidates, delegationFromCache, hintsDelegation } from './delegation.js';
import { nextQuestion } from './qname-min.js';
import { startTargets } from './targets.js';

export function fail(q: QueryState, infoCode: number, text: string): IterState {
  q.outcome = { kind: 'fail', ede: ede(infoCode, text) };
  return 'finished';
}

export async function iterQueryTargets(q: QueryState, env: IterEnv): Promise<IterState> {
  const dp = q.dp as Delegation;
  const qout = nextQuestion(q, dp, (name) => env.cache.getNegative(name, 'NS')?.kind === 'nodata');
  if (qout.name !== q.qout.name || qout.type !== q.qout.type) {
    dp.tried.clear();
    q.qout = qout;
  }
  const server = candidates(env, dp)[0];
  if (server === undefined) return noAddress(q, env, dp);
  if (env.distrusted.has(dp.zone, server.address) && startTargets(q, env) > 0) {
    // Only a server that gave bogus data is left: find the other name servers' addresses first.
    await Promise.race(dp.pending);
    return 'queryTargets';
  }
  const over = q.task.budget.spend('query');
  if (over) return fail(q, EDE.OTHER, over);
  dp.tried.add(server.address);
  q.server = server;
  if (qout.minimised) q.minCount++;
  env.log.trace({ qid: q.id, zone: dp.zone, server: server.address, qname: qout.name, qtype: qout.type }, 'query');
  const res = await env.upstream.query({
    name: qout.name, type: qout.type, server, dnssecOk: true, cd: false, rd: dp.source === 'forward',
  });
  if (res.kind === 'fail') {
    q.lastFailure = res.reason;
    const over = res.reason === 'timeout' ? q.task.budget.spend('timeout') : undefined;
    if (over) return fail(q, EDE.NO_REACHABLE_AUTHORITY, over);
    return 'queryTargets';
  }
  q.reply = res.message;
  return 'response';
}

async function noAddress(q: QueryState, env: IterEnv, dp: Delegation): Promise<IterState> {
  if (startTargets(q, env) > 0) {
    await Promise.race(dp.pending);
    return 'queryTargets';
  }
  if (dp.source === 'cache' && !q.refetched.has(dp.zone)) {
    q.refetched.add(dp.zone);
    env.log.debug({ qid: q.id, zone: dp.zone }, 'cached servers exhausted, asking the parent zone again');
    const parent = parentName(dp.zone);
    q.dp = parent === undefined ? hintsDelegation(env) : delegationFromCache(env, parent);
    return 'queryTargets';
  }
  const why = q.lastFailure ?? 'no usable server address';
  const code = q.lastFailure === 'network' ? EDE.NETWORK_ERROR : EDE.NO_REACHABLE_AUTHORITY;
  return fail(q, code, `servers for '${dp.zone || '.'}' failed: ${why}`);
}
