/** The iterative resolver: createResolver and its contract (types.ts); LIMITS is the work budget. */
export * from './types.js';
export { createResolver } from './create-resolver.js';
export { LIMITS } from './budget.js';
export { ResolverStats } from './stats.js';
