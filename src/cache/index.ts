/** The DNS cache: RRsets and negative answers with absolute expiry, trust ranks, serve-stale, prefetch. */
export * from './rank.js';
export * from './types.js';
export { DnsCache } from './dns-cache.js';
export { classOf } from './keys.js';
export { SharedTier, emptySharedStats, type SharedTierStats } from './shared-tier.js';
export { connectRedis, type SharedStore } from './redis-store.js';
export { sharedKey, encodeShared, decodeShared, type AnswerTier, type SharedAnswer, type SharedQuestion } from './shared-entry.js';
export { PeerAnswers, emptyPeerStats, type PeerAnswerStats, type PublishAnswer } from './peer-answers.js';
