/**
 * The shared cache tier (cache.shared): answers several Ward processes and machines read and fill,
 * after the local cache and before resolution. It never fails or holds up a query: a lookup waits
 * at most `timeout_ms` and then counts as a miss; writes are fire-and-forget; after
 * `breaker.failures` failures or timeouts in a row the store is left alone for `breaker.backoff_ms`
 * (then one call probes it). Per-process state: each worker and machine has its own tier and counters.
 */
import type { SharedCacheConfig } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { CircuitBreaker, type Clock } from '../util/index.js';
import { decodeShared, sharedKey, sharedKeyPatterns, storable, type AnswerTier, type SharedAnswer, type SharedFlush, type SharedQuestion } from './shared-entry.js';
import type { SharedStore } from './redis-store.js';

/** `ward stats` cache.shared: lookups by outcome, writes, and the breaker. */
export interface SharedTierStats {
  hits: number;
  misses: number;
  /** Entries found with a TTL run out (not served). */
  expired: number;
  /** Entries that were not an answer to the question asked (ignored). */
  malformed: number;
  /** Lookups not answered within timeout_ms (resolved instead). */
  timeouts: number;
  /** Lookups and writes that failed (connection down, Redis error). */
  errors: number;
  /** Lookups and writes not tried because the breaker was open. */
  skipped: number;
  writes: number;
  breaker_opens: number;
}

/** The counters of a tier that is off (cache.shared: null). */
export function emptySharedStats(): SharedTierStats {
  return { hits: 0, misses: 0, expired: 0, malformed: 0, timeouts: 0, errors: 0, skipped: 0, writes: 0, breaker_opens: 0 };
}

export class SharedTier implements AnswerTier {
  private readonly counts = emptySharedStats();
  private readonly breaker: CircuitBreaker;

  constructor(private readonly store: SharedStore, private readonly config: SharedCacheConfig, private readonly clock: Clock, private readonly log: Logger) {
    this.breaker = new CircuitBreaker(config.breaker.failures, config.breaker.backoff_ms);
  }

  /** The stored answer to `q`, TTLs counted down; undefined for anything else. Never rejects. */
  async lookup(q: SharedQuestion): Promise<SharedAnswer | undefined> {
    if (!this.mayCall()) return undefined;
    const got = await this.withinTimeout(this.store.get(sharedKey(this.config.prefix, q)));
    if (got === 'timeout') { this.counts.timeouts++; this.failed(); return undefined; }
    if (got instanceof Error) { this.counts.errors++; this.failed(); return undefined; }
    this.breaker.success();
    if (got === null) { this.counts.misses++; return undefined; }
    const entry = decodeShared(q, got, this.clock.now());
    if (entry === 'expired' || entry === 'malformed') { this.counts[entry]++; this.counts.misses++; return undefined; }
    this.counts.hits++;
    return entry;
  }

  /** Writes `a` for `q` in the background, expiring with its smallest TTL (Redis PX). */
  write(q: SharedQuestion, a: SharedAnswer): void {
    const entry = storable(q, a, this.clock.now());
    if (entry === undefined || !this.mayCall()) return;
    this.store.set(sharedKey(this.config.prefix, q), entry.value, entry.ttlMs).then(
      () => { this.counts.writes++; this.breaker.success(); },
      () => { this.counts.errors++; this.failed(); },
    );
  }

  /**
   * Removes what `f` names from the store (ward flush), so the next lookup anywhere resolves afresh
   * instead of bringing the flushed answer back. An operator's command: tried even while the breaker
   * is open, and rejects with the store's error.
   */
  flush(f: SharedFlush): Promise<number> {
    return this.store.removeMatching(sharedKeyPatterns(this.config.prefix, f));
  }

  stats(): SharedTierStats {
    return { ...this.counts, breaker_opens: this.breaker.opens };
  }

  close(): Promise<void> {
    return this.store.close();
  }

  private mayCall(): boolean {
    if (this.breaker.allow(this.clock.monotonic())) return true;
    this.counts.skipped++;
    return false;
  }

  private failed(): void {
    if (this.breaker.failure(this.clock.monotonic())) {
      this.log.warn({ backoff_ms: this.config.breaker.backoff_ms }, 'shared cache breaker open: not asked until the back-off ends');
    }
  }

  /** The promise's value, its error, or 'timeout' after timeout_ms; a late outcome is dropped. */
  private withinTimeout<T>(p: Promise<T>): Promise<T | Error | 'timeout'> {
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve('timeout'), this.config.timeout_ms);
      p.then(
        (v) => { this.clock.clearTimeout(timer); resolve(v); },
        (err: unknown) => { this.clock.clearTimeout(timer); resolve(err instanceof Error ? err : new Error(String(err))); },
      );
    });
  }
}
