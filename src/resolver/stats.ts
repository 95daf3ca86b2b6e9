/**
 * The resolver's counters for operators: client questions answered from the RRset cache or
 * resolved, answers served stale (RFC 8767), prefetches, and DNSSEC outcomes of validated answers
 * (RFC 4035 §4.3). Plain integer fields: bumped on the hot path, read on demand.
 */
import type { Security } from '../dnssec/index.js';

export class ResolverStats {
  cacheHits = 0;
  cacheMisses = 0;
  staleServed = 0;
  prefetches = 0;
  readonly validation: { [s in Security]: number } = { secure: 0, insecure: 0, bogus: 0, indeterminate: 0 };
}
