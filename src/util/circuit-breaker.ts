/**
 * A circuit breaker for an optional dependency: after `failures` failures in a row it opens and
 * refuses calls for `backoffMs`; then one call is let through (half open): a success closes it, a
 * failure opens it again for another `backoffMs`. Times are monotonic milliseconds given by the caller.
 */
export class CircuitBreaker {
  private streak = 0;
  private openUntil = 0;
  private probing = false;
  /** Times it opened. */
  opens = 0;

  constructor(private readonly failures: number, private readonly backoffMs: number) {}

  /** May a call go out now? While half open, only the one probe may. */
  allow(now: number): boolean {
    if (this.streak < this.failures) return true;
    if (now < this.openUntil || this.probing) return false;
    this.probing = true;
    return true;
  }

  success(): void {
    this.streak = 0;
    this.probing = false;
  }

  /** Records a failure; true when it opened the breaker. */
  failure(now: number): boolean {
    this.streak++;
    const opened = this.streak === this.failures || this.probing;
    this.probing = false;
    if (!opened) return false;
    this.streak = Math.max(this.streak, this.failures);
    this.openUntil = now + this.backoffMs;
    this.opens++;
    return true;
  }
}
