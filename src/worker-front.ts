/**
 * The primary's admin handle (server.workers > 1): every control command goes to each worker and
 * the answers are combined, so `ward stats`, `ward upstream` and the metrics read as one Ward.
 * Counters add up (addCounters), with a row per worker; shares are computed again from the sums;
 * flush and reload reach every worker; a cache dump lists each worker's entries; the status page's
 * counters merge (status/merge.ts). Reload validates
 * the file here first, so a bad file is refused with the start-up message before any worker sees it.
 */
import { loadConfig } from './config/index.js';
import { addCounters, subtractCounters, type AdminHandle, type ControlRequest, type FlushArgs, type FlushResult, type StatsReport } from './control/index.js';
import { mergeSnapshots, type CollectorSnapshot } from './status/index.js';
import { encryptedShare, mergeUpstreamReports, type UpstreamReport } from './upstream/index.js';
import type { WorkerInfo, WorkerPool } from './worker-pool.js';

/**
 * `ward stats` of a pool: the sum, and what each worker counted since it started: queries, and
 * questions answered from the other workers' answers (server.share_cache_between_workers).
 */
export interface PoolStatsReport extends StatsReport {
  workers: (WorkerInfo & { queries: number; worker_share_hits: number })[];
}

export interface WorkerFront extends AdminHandle {
  stats(reset?: boolean): Promise<PoolStatsReport>;
  upstream(): Promise<UpstreamReport>;
  status(top: number): Promise<CollectorSnapshot>;
  /** Stops reading the workers' counters in the background. */
  close(): void;
}

/** How often the primary reads its workers' counters, so a worker that dies takes at most this much of them along. */
export const RETAIN_POLL_MS = 5_000;

/** The counters of a report (not its gauges: sizes, connections, memory, queries in flight). */
type Counted = Pick<StatsReport, 'queries' | 'cache' | 'dnssec' | 'policy' | 'upstream' | 'latency' | 'since_reset'>;
const countedOf = ({ queries, cache, dnssec, policy, upstream, latency, since_reset }: StatsReport): Counted =>
  ({ queries, cache, dnssec, policy, upstream, latency, since_reset });

/** One StatsReport from the workers' own: uptime and start are the primary's; bucket bounds are shared, not added. */
export function sumStatsReports(reports: StatsReport[], startedAt: number, now: number): StatsReport {
  const sum = reports.reduce((a, b) => addCounters(a, b));
  return {
    ...sum,
    uptime_seconds: Math.round((now - startedAt) / 1000),
    started_at: new Date(startedAt).toISOString(),
    encrypted_share: encryptedShare({ queries: sum.upstream.queries, queries_tls: sum.upstream.tls }),
    latency: { ...sum.latency, bounds: reports[0].latency.bounds },
  };
}

export function createWorkerFront(pool: WorkerPool, configPath: string, now: () => number = Date.now): WorkerFront {
  const startedAt = now();
  // Counters stay monotonic across a worker's death (as Prometheus expects of a counter): each
  // worker's as last read, and the sum of those of workers gone, added to every report.
  const lastSeen = new Map<number, { pid: number; counted: Counted }>();
  let retired: Counted | undefined;
  pool.onWorkerExit((id, pid) => {
    const seen = lastSeen.get(id);
    if (!seen || seen.pid !== pid) return;
    lastSeen.delete(id);
    retired = retired ? addCounters(retired, seen.counted) : seen.counted;
  });
  /** Each worker's result for `request`; the first refusal rejects with its message. */
  const ask = async <T>(request: ControlRequest): Promise<{ worker: WorkerInfo; result: T }[]> => {
    const answers = await pool.request(request);
    return answers.map(({ worker, response }) => {
      if (!response.ok) throw new Error(`worker ${worker.id}: ${response.error}`);
      return { worker, result: response.result as T };
    });
  };
  async function stats(reset = false): Promise<PoolStatsReport> {
    const answers = await ask<StatsReport>({ command: 'stats', args: { reset } });
    for (const a of answers) lastSeen.set(a.worker.id, { pid: a.worker.pid, counted: countedOf(a.result) });
    // Gone workers' counters after the live ones: the first report gives the sum its shape.
    const sum = sumStatsReports([...answers.map((a) => a.result), ...(retired ? [retired as StatsReport] : [])], startedAt, now());
    if (reset && retired) retired = { ...retired, since_reset: subtractCounters(retired.since_reset, retired.since_reset) };
    return { ...sum, workers: answers.map((a) => ({ ...a.worker, queries: a.result.queries.total, worker_share_hits: a.result.cache.workers.hits })) };
  }
  const poll = setInterval(() => { stats().catch(() => { /* no worker serving right now: the next poll reads them */ }); }, RETAIN_POLL_MS);
  poll.unref();

  const removed = async (request: ControlRequest): Promise<{ removed: number }> =>
    ({ removed: (await ask<{ removed: number }>(request)).reduce((n, a) => n + a.result.removed, 0) });

  return {
    stats,
    upstream: async () => mergeUpstreamReports((await ask<UpstreamReport>({ command: 'upstream' })).map((a) => a.result)),
    async flush(args: FlushArgs) {
      const results = (await ask<FlushResult>({ command: 'flush', args: { ...args } })).map((a) => a.result);
      // The workers share one tier: the first to flush it removes the keys, the others find none.
      const shared = results.filter((r) => r.shared_removed !== undefined);
      const failed = results.find((r) => r.shared_error !== undefined);
      return {
        removed: results.reduce((n, r) => n + r.removed, 0),
        ...(shared.length > 0 ? { shared_removed: shared.reduce((n, r) => n + r.shared_removed!, 0) } : {}),
        ...(failed ? { shared_error: failed.shared_error } : {}),
      };
    },
    flushInfra: (address: string) => removed({ command: 'flush-infra', args: { address } }),
    async cacheDump(name?: string) {
      const answers = await ask<object[]>({ command: 'cache-dump', args: name === undefined ? {} : { name } });
      return answers.flatMap((a) => a.result.map((entry) => ({ worker: a.worker.id, ...entry })));
    },
    status: async (top: number) => mergeSnapshots((await ask<CollectorSnapshot>({ command: 'status', args: { top } })).map((a) => a.result), top),
    close: () => clearInterval(poll),
    async reload() {
      loadConfig(configPath); // throws the start-up ConfigError: nothing is sent to the workers
      const answers = await ask<{ applied: string[] }>({ command: 'reload' });
      return { applied: [...new Set(answers.flatMap((a) => a.result.applied))] };
    },
  };
}
