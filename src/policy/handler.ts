/**
 * The policy link of the handler chain (before local zones and the resolver): the client's group
 * decides which lists apply; a blocked question gets its policy answer without reaching the cache
 * or the resolver; an allowed one passes; any other is resolved and then its CNAME and DNAME
 * targets are checked too (a blocked name reached through a CNAME is blocked, as RPZ and Pi-hole's
 * deep CNAME inspection do). The engine is read through `current()` on every query, so a reload
 * or a list refresh swaps a whole new engine in and no query sees a half-built one.
 */
import { rdataOf } from '../wire/index.js';
import type { Answer, ChainedHandler } from '../server/index.js';
import { blockedAnswer } from './answer.js';
import type { PolicyEngine } from './engine.js';
import { PolicyStats } from './stats.js';

export function policyHandler(current: () => PolicyEngine, stats: PolicyStats): ChainedHandler {
  return async (q, signal, next): Promise<Answer> => {
    const engine = current();
    const group = engine.groupOf(q.peer.address);
    if (!engine.filters(group)) return next(q, signal);
    const name = q.question.name.toLowerCase().replace(/\.$/, '');
    const d = engine.decide(name, group);
    if (d?.kind === 'block') { stats.blocked(engine.config.lists[d.list].name); return blockedAnswer(d, q, engine.config); }
    const ans = await next(q, signal);
    if (d?.kind === 'pass') { stats.allowed++; return ans; }
    for (const rr of ans.answer) {
      if (rr.type !== 'CNAME' && rr.type !== 'DNAME') continue;
      const target = String(rdataOf(rr)).toLowerCase().replace(/\.$/, '');
      const t = engine.decide(target, group);
      if (t?.kind === 'pass') break;
      if (t?.kind === 'block') { stats.blocked(engine.config.lists[t.list].name, true); return blockedAnswer(t, q, engine.config); }
    }
    return ans;
  };
}
