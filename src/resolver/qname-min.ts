/**
 * QNAME minimisation (RFC 9156): the question to send next. Below the closest known zone cut one
 * more label of the query name is asked, with type `qtype` (resolver.qname_minimisation_qtype: NS
 * by default, as RFC 7816 had it and Knot Resolver does; A as RFC 9156 §2.1 recommends and Unbound
 * sends); a referral moves the cut down and the next label is asked; any other reply ends
 * minimisation (iter-response.ts). After MAX_MINIMISE_COUNT minimised queries the full name
 * is asked (RFC 9156 §2.3). Forwarders get the full question.
 */
import { labelCount, lastLabels } from '../wire/index.js';
import { LIMITS } from './budget.js';
import type { Delegation, QueryState } from './iter-types.js';

/**
 * `knownNoCut(name)` tells whether the cache already holds an authoritative NODATA for `name NS`
 * (no zone cut there): such labels are skipped rather than asked again.
 */
export function nextQuestion(
  q: QueryState, dp: Delegation, qtype: 'A' | 'NS', knownNoCut: (name: string) => boolean = () => false,
): QueryState['qout'] {
  if (!q.minimise || q.minCount >= LIMITS.maxMinimiseCount || dp.source === 'forward') return full(q);
  const total = labelCount(q.name);
  let want = labelCount(dp.zone) + 1;
  while (want < total && knownNoCut(lastLabels(q.name, want))) want++;
  if (want >= total) return full(q);
  return { name: lastLabels(q.name, want), type: qtype, minimised: true };
}

/** The full question: the one asked already when it is that (no new object per iterator step). */
function full(q: QueryState): QueryState['qout'] {
  const o = q.qout;
  return !o.minimised && o.name === q.name && o.type === q.type ? o : { name: q.name, type: q.type, minimised: false };
}
