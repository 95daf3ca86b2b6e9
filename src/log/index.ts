export * from './logger.js';
export { openQueryLog, type QueryLogFile } from './query-log.js';
