export * from './certificates.js';
export * from './self-signed-store.js';
export * from './contexts.js';
