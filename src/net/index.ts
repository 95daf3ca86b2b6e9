/** The shared connection core: sessions, listeners, UDP endpoints and the upstream exchanger. */
export * from './types.js';
export { DEFAULT_SESSION_LIMITS, DEFAULT_OUTBOUND_LIMITS, sessionLimits, outboundLimits, sessionLimitsFromConfig, type OutboundLimits } from './limits.js';
export { Session, type SessionOptions, type SessionRole, type SessionState } from './session.js';
export { listen } from './listener.js';
export { ConnectionBudget } from './connection-budget.js';
export { createExchanger, type ExchangerOptions, type ExchangerStats, type NetExchanger } from './exchanger.js';
export { isReplyTo } from './match.js';
