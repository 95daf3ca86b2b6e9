/**
 * The work budget of one client query and the sub-queries it starts (Unbound's max_sent_count,
 * max referral and dependency depth, CNAME chain limit; the NXNS limit on NS names resolved per
 * delegation, RFC 9156/NXNS advisory; upstream timeouts, against delegations to many dead or
 * borrowed addresses; an overall deadline). Spending past a limit yields the reason.
 */
export const LIMITS = {
  /** Upstream queries per client query, sub-queries included. */
  maxQueries: 64,
  /** Upstream tries that timed out per client query (each costs up to upstream.timeout_ms). */
  maxTimeouts: 12,
  /** Referrals followed per client query. */
  maxReferrals: 30,
  /** CNAME/DNAME links in one answer chain. */
  maxCnameChain: 12,
  /** NS names whose addresses are looked up for one delegation (NXNS mitigation). */
  maxTargetsPerDelegation: 6,
  /** NS-name address lookups running at once for one delegation. */
  maxTargetsInParallel: 2,
  /** Nesting of sub-queries (NS address lookups inside NS address lookups). */
  maxDepth: 6,
  /** RFC 9156 §2.3 MAX_MINIMISE_COUNT: minimised queries before asking the full name. */
  maxMinimiseCount: 10,
  /** Times bogus data (an answer, a DS or DNSKEY set) is fetched again from other servers. */
  maxBogusRefetch: 2,
  /** Overall wall time for one client query and its sub-queries. */
  deadlineMs: 10_000,
} as const;

type BudgetItem = 'query' | 'referral' | 'timeout';

export class Budget {
  private queries = 0;
  private referrals = 0;
  private timeouts = 0;
  private readonly deadline: number;

  constructor(private readonly monotonic: () => number, deadlineMs: number = LIMITS.deadlineMs) {
    this.deadline = monotonic() + deadlineMs;
  }

  /** Spends one unit; returns why the budget is exhausted, or undefined when it is not. */
  spend(item: BudgetItem): string | undefined {
    if (this.monotonic() > this.deadline) return 'resolution deadline exceeded';
    if (item === 'query' && ++this.queries > LIMITS.maxQueries) return `more than ${LIMITS.maxQueries} upstream queries`;
    if (item === 'referral' && ++this.referrals > LIMITS.maxReferrals) return `more than ${LIMITS.maxReferrals} referrals`;
    if (item === 'timeout' && ++this.timeouts > LIMITS.maxTimeouts) return `more than ${LIMITS.maxTimeouts} upstream timeouts`;
    return undefined;
  }
}
