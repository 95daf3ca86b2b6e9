export * from './schema.js';
export { loadConfig, parseConfig } from './load.js';
export { validateConfig } from './validate.js';
export { workerCount } from './workers.js';
