/** The status page (GET / on the operations HTTP listener): bounded in-memory counters, the page and its JSON. */
export { createStatusCollector, type StatusCollector, type StatusCollectorOptions } from './collector.js';
export { statusRoutes } from './routes.js';
export type { StatusReport } from './report.js';
