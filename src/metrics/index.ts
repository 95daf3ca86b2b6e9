/** Prometheus metrics (prom-client) on the operations HTTP listener. */
export { startMetricsServer, type HttpRoute, type MetricsServer, type MetricsServerOptions } from './http.js';
export { createRegistry, type MetricsSource } from './registry.js';
