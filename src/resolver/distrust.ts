/**
 * Servers that gave data DNSSEC validation found bogus, per zone, for a short while (Unbound's
 * per-query blacklist, kept for a minute here): the iterator does not pick them for that zone while
 * other servers remain, so a refetch reaches a server with good data (RFC 4035 §5.5 leaves the
 * retry policy to the resolver). Expiry from the clock, bounded in size.
 */
import type { Clock } from '../util/index.js';

const DISTRUST_MS = 60_000;
const MAX_ENTRIES = 4096;

export class Distrusted {
  private readonly until = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  add(zone: string, address: string): void {
    const key = `${zone}|${address}`;
    this.until.delete(key);
    this.until.set(key, this.clock.now() + DISTRUST_MS);
    if (this.until.size > MAX_ENTRIES) this.until.delete(this.until.keys().next().value as string);
  }

  has(zone: string, address: string): boolean {
    if (this.until.size === 0) return false;
    const key = `${zone}|${address}`;
    const t = this.until.get(key);
    if (t === undefined) return false;
    if (t > this.clock.now()) return true;
    this.until.delete(key);
    return false;
  }
}
