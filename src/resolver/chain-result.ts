/** What the chain (chain.ts) answers for one (name, type); private-addresses.ts and shared-answers.ts filter and pass it on. */
import type { Record } from '../wire/index.js';
import type { Security } from '../dnssec/index.js';
import type { Ede } from './ede.js';

export interface ChainResult {
  rcode: number; answer: Record[]; authority: Record[]; additional?: Record[]; ede?: Ede[]; security: Security;
  /** Some step of the chain was resolved (not answered from the cache). */
  resolved?: boolean;
  /** With cache.prefetch: how long a copy of this answer may be reused before the cache must see the question again. */
  reuseForMs?: number;
}
