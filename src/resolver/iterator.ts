/**
 * The iterator (Unbound iterator.c as a named state machine): init → queryTargets ⇄ response →
 * finished, each step logged at trace. One run resolves one (name, type) and returns its outcome;
 * budgets are charged by the steps (budget.ts). A run whose task is aborted (mesh.ts) stops at the
 * next step.
 */
import { normalizeName } from '../wire/index.js';
import { EDE, QUERY_ABORTED, ede } from './ede.js';
import type { IterEnv, IterOutcome, IterState, QueryState, Task } from './iter-types.js';
import { iterInit } from './iter-init.js';
import { iterQueryTargets } from './iter-query-targets.js';
import { iterResponse } from './iter-response.js';

type Step = (q: QueryState, env: IterEnv) => Promise<IterState> | IterState;
const STEPS: Record<Exclude<IterState, 'finished'>, Step> = {
  init: iterInit,
  queryTargets: iterQueryTargets,
  response: iterResponse,
};

let lastId = 0;

export async function iterate(name: string, type: string, task: Task, env: IterEnv): Promise<IterOutcome> {
  const qname = normalizeName(name);
  const q: QueryState = {
    id: ++lastId, name: qname, type, task,
    minimise: env.config.qname_minimisation, minCount: 0,
    qout: { name: qname, type, minimised: false },
  };
  let state: IterState = 'init';
  while (state !== 'finished') {
    if (task.signal.aborted) return { kind: 'fail', ede: QUERY_ABORTED };
    // Guarded: the fields object would be built for every step even with trace off.
    if (env.log.isLevelEnabled('trace')) env.log.trace({ qid: q.id, qname: q.name, qtype: q.type, state, zone: q.dp?.zone }, 'iterator step');
    const next = STEPS[state](q, env);
    // A step that finished at once is not awaited (an await costs a promise and a turn of the microtask queue).
    state = typeof next === 'string' ? next : await next;
  }
  if (env.log.isLevelEnabled('trace')) env.log.trace({ qid: q.id, qname: q.name, qtype: q.type, outcome: q.outcome?.kind }, 'iterator finished');
  return q.outcome ?? { kind: 'fail', ede: ede(EDE.OTHER, 'iterator ended without an outcome') };
}
