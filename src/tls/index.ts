export * from './certificates.js';
export * from './contexts.js';
