/** The status page (GET / on the operations HTTP listener): bounded in-memory counters, the page and its JSON. */
export { createStatusCollector, type CollectorSnapshot, type StatusCollector, type StatusCollectorOptions } from './collector.js';
export { mergeSnapshots } from './merge.js';
export { STATUS_JSON_PATH, STATUS_TOP_ROWS, statusRoutes } from './routes.js';
export type { StatusReport } from './report.js';
