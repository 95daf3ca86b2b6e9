/** The authority-facing side: createUpstream (returns a ManagedUpstream) and its contract. */
export * from './types.js';
export { createUpstream } from './upstream.js';
export { DOT_PORT, DOT_OK_TTL_MS, DOT_FAILED_TTL_MS } from './transport-policy.js';
export { encryptedShare } from './tracker.js';
export { mergeUpstreamReports } from './merge-reports.js';
