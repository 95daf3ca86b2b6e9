/**
 * QNAME minimisation (RFC 9156): the question to send next. Below the closest known zone cut one
 * more label of the query name is asked, with type NS (as Knot Resolver does and the Deckard
 * scenarios expect); a referral moves the cut down and the next label is asked; any other reply
 * ends minimisation (iter-response.ts). After MAX_MINIMISE_COUNT minimised queries the full name
 * is asked (RFC 9156 §2.3). Forwarders get the full question.
 */
import { labelCount, labels } from '../wire/index.js';
import { LIMITS } from './budget.js';
import type { Delegation, QueryState } from './iter-types.js';

export function nextQuestion(q: QueryState, dp: Delegation): QueryState['qout'] {
  const full = { name: q.name, type: q.type, minimised: false };
  if (!q.minimise || q.minCount >= LIMITS.maxMinimiseCount || dp.source === 'forward') return full;
  const total = labelCount(q.name);
  const want = labelCount(dp.zone) + 1;
  if (want >= total) return full;
  return { name: labels(q.name).slice(total - want).join('.'), type: 'NS', minimised: true };
}
