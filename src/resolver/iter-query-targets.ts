/**
 * Iterator state `queryTargets`: choose the question (QNAME minimisation) and the next server of
 * the delegation (unknown first, then smoothed RTT), and send it through Upstream. With no address
 * left, or only servers that recently gave bogus data (distrust.ts), look up name server addresses;
 * with only servers that stayed silent over UDP left, ask each once more down the upstream ladder;
 * with nothing left at all, ask the parent zone again when the delegation came from the cache (fresh
 * glue; the root hints above a cached root), else try the glue addresses a child's own answer
 * replaced (parent and child disagree), else take a recursion-lame server's answer kept
 * earlier (iter-response.ts), else, for a forward or stub zone with `first`, start again from the
 * root path, else fail with EDE 22 No Reachable Authority.
 */
import { parentName } from '../wire/index.js';
import { EDE, ede } from './ede.js';
import { noteFailure, type Delegation, type IterEnv, type IterState, type QueryState } from './iter-types.js';
import { candidates, delegationFromCache, hintsDelegation, usable } from './delegation.js';
import { nextQuestion } from './qname-min.js';
import { startTargets } from './targets.js';
import type { ServerAddress } from '../upstream/index.js';

export function fail(q: QueryState, infoCode: number, text: string): IterState {
  q.outcome = { kind: 'fail', ede: ede(infoCode, text) };
  return 'finished';
}

/** Not async: its result is ask's or noAddress's promise, handed on without a wrapper. */
export function iterQueryTargets(q: QueryState, env: IterEnv): Promise<IterState> | IterState {
  const dp = q.dp as Delegation;
  const qtype = env.config.qname_minimisation_qtype;
  const noData = (name: string, type: string): boolean => env.cache.getNegative(name, type)?.kind === 'nodata';
  const qout = nextQuestion(q, dp, qtype, (name) => noData(name, 'NS') || noData(name, qtype));
  if (qout.name !== q.qout.name || qout.type !== q.qout.type) {
    dp.tried.clear();
    dp.udpSilent.length = 0;
    q.qout = qout;
  }
  const server = candidates(env, dp)[0];
  if (server === undefined) return noAddress(q, env, dp);
  // Only a server that gave bogus data is left: find the other name servers' addresses first.
  if (env.distrusted.has(dp.zone, server.address) && startTargets(q, env) > 0) return afterLookups(dp);
  dp.tried.add(server.address);
  return ask(q, env, dp, server, false);
}

/** Sends the current question to `server`; `afterUdpSilence`: it was silent over UDP for it (upstream/ladder.ts). */
async function ask(q: QueryState, env: IterEnv, dp: Delegation, server: ServerAddress, afterUdpSilence: boolean): Promise<IterState> {
  const over = q.task.budget.spend('query');
  if (over) return fail(q, EDE.OTHER, over);
  const { qout } = q;
  q.server = server;
  if (qout.minimised) q.minCount++;
  if (env.log.isLevelEnabled('trace')) env.log.trace({ qid: q.id, zone: dp.zone, server: server.address, qname: qout.name, qtype: qout.type, afterUdpSilence }, 'query');
  const res = await env.upstream.query({
    name: qout.name, type: qout.type, server, dnssecOk: true, cd: false, rd: dp.source === 'forward', zone: dp.zone,
    afterUdpSilence, requireTls: dp.requireTls, signal: q.task.signal,
  });
  if (res.kind === 'fail') {
    noteFailure(q, res.reason, res.detail);
    if (res.udpSilent && !afterUdpSilence) dp.udpSilent.push(server);
    // After UDP silence the rungs are another UDP timeout and a TCP try, whose failed connect costs time too.
    const timedOut = res.reason === 'timeout' || (afterUdpSilence && res.reason === 'connect-failed');
    const spent = timedOut ? q.task.budget.spend('timeout') : undefined;
    if (spent) return fail(q, EDE.NO_REACHABLE_AUTHORITY, spent);
    return 'queryTargets';
  }
  q.reply = res.message;
  return 'response';
}

/**
 * Adds the glue addresses the child's own data replaced (DnsCache.parentSideAddresses) to the
 * delegation's servers; true when any new one can be asked.
 */
function addParentSide(env: IterEnv, dp: Delegation): boolean {
  let added = false;
  for (const t of dp.ns) {
    for (const a of env.cache.parentSideAddresses(t.name)) {
      if (!t.addrs.includes(a) && !dp.tried.has(a) && usable(env, a)) { t.addrs.push(a); added = true; }
    }
  }
  return added;
}

/** Back to `queryTargets` once one of the delegation's address lookups has finished. */
async function afterLookups(dp: Delegation): Promise<IterState> {
  await Promise.race(dp.pending as Set<Promise<void>>);
  return 'queryTargets';
}

async function noAddress(q: QueryState, env: IterEnv, dp: Delegation): Promise<IterState> {
  if (startTargets(q, env) > 0) return afterLookups(dp);
  // Every server left stayed silent over UDP: before giving up, each is asked once more down the
  // ladder (without EDNS, then TCP: RFC 7766 §5), as Unbound and Knot Resolver retry within a query.
  const silent = dp.udpSilent.shift();
  if (silent) return ask(q, env, dp, silent, true);
  if (dp.source === 'cache' && !q.refetched?.has(dp.zone)) {
    (q.refetched ??= new Set()).add(dp.zone);
    env.log.debug({ qid: q.id, zone: dp.zone }, 'cached servers exhausted, asking the parent zone again');
    const parent = parentName(dp.zone);
    q.dp = parent === undefined ? hintsDelegation(env) : delegationFromCache(env, parent, q.unconfigured);
    return 'queryTargets';
  }
  if (addParentSide(env, dp)) return 'queryTargets';
  if (dp.first && !q.unconfigured) {
    // Unbound's forward-first / stub-first: the configured servers failed, so resolve as if the zone were not configured.
    q.unconfigured = true;
    env.log.debug({ qid: q.id, zone: dp.zone, source: dp.source }, 'configured servers failed, resolving from the root path (first)');
    return 'init';
  }
  const kept = q.recursionLame;
  if (kept && kept.zone === dp.zone && !kept.accepted) {
    // No server did better than the recursion-lame one: its answer is used after all (Unbound
    // keeps such servers as a last resort too).
    kept.accepted = true;
    q.server = kept.server;
    q.reply = kept.reply;
    return 'response';
  }
  const why = q.lastFailureDetail ?? q.lastFailure ?? 'no usable server address';
  const code = q.lastFailure === 'network' ? EDE.NETWORK_ERROR : EDE.NO_REACHABLE_AUTHORITY;
  return fail(q, code, `servers for '${dp.zone || '.'}' failed${dp.requireTls ? ' over DoT (no cleartext: forward zone with tls)' : ''}: ${why}`);
}
