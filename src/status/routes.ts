/**
 * The status page's two routes on the operations HTTP listener: GET / (the page) and
 * GET /status.json (its data, made fresh for each request from the collector and the admin stats).
 */
import type { StatsReport } from '../control/index.js';
import type { CollectorSnapshot } from './collector.js';
import { STATUS_PAGE_HEADERS, STATUS_PAGE_HTML } from './page.js';
import { statusReport } from './report.js';

/** Rows in each top table. */
export const STATUS_TOP_ROWS = 20;

/** One route as the HTTP listener serves it (metrics/http.ts HttpRoute). */
interface StatusRoute { headers: { [name: string]: string }; body(): string }

/** Where the page's data is (the page's script fetches it). */
export const STATUS_JSON_PATH = '/status.json';

/** `snapshot`: the collector's (collector.snapshot), or the workers' merged (mergeSnapshots) in a primary. */
export function statusRoutes(snapshot: (top: number) => CollectorSnapshot, admin: { stats(): StatsReport }, now: () => number): { [path: string]: StatusRoute } {
  return {
    '/': { headers: STATUS_PAGE_HEADERS, body: () => STATUS_PAGE_HTML },
    [STATUS_JSON_PATH]: {
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
      body: () => JSON.stringify(statusReport(snapshot(STATUS_TOP_ROWS), admin.stats(), now())),
    },
  };
}
