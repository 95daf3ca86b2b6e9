/**
 * The primary of server.workers > 1: owns nothing but the workers (no resolver, no cache, no DNS
 * socket of its own beyond the ones the cluster module creates to share). It holds the control
 * channel and the HTTP listener as a front whose answers are the workers' combined
 * (worker-front.ts), restarts workers that die, fans reloads out, and on SIGTERM/SIGINT stops
 * every worker gracefully and exits 0.
 */
import { workerCount, type Config } from './config/index.js';
import { controlTarget, startControlServer, type StatsReport } from './control/index.js';
import { createLogger } from './log/index.js';
import { STATUS_JSON_PATH, STATUS_TOP_ROWS, statusRoutes, type CollectorSnapshot } from './status/index.js';
import type { UpstreamReport } from './upstream/index.js';
import { handleSignals } from './signals.js';
import { createWorkerFront } from './worker-front.js';
import { WorkerPool } from './worker-pool.js';

export async function runPrimary(config: Config, configPath: string): Promise<void> {
  const log = createLogger(config.log.level).child({ component: 'primary' });
  const count = workerCount(config);
  const pool = new WorkerPool({ count, log });
  log.info({ workers: count }, 'starting workers');
  await pool.start();
  const front = createWorkerFront(pool, configPath);
  const closers: (() => Promise<void>)[] = [];
  try {
    if (config.control.enabled) {
      const control = await startControlServer({ handle: front, log: log.child({ component: 'control' }), at: controlTarget(config, true) });
      closers.push(() => control.close());
      log.info({ control: control.where }, 'operations');
    }
    if (config.http.listen) {
      // Each request reads from the workers what its route shows (refresh), then the route reads it.
      let stats: StatsReport | undefined;
      let upstream: UpstreamReport | undefined;
      let status: CollectorSnapshot | undefined;
      const page = config.http.status_page;
      const admin = { stats: () => stats!, upstream: () => upstream! };
      const http = await (await import('./metrics/index.js')).startMetricsServer({
        listen: config.http.listen, topZones: config.http.top_zones, log: log.child({ component: 'http' }), admin,
        refresh: async (path) => {
          if (path === '/metrics') [stats, upstream] = await Promise.all([front.stats(), front.upstream()]);
          else if (path === STATUS_JSON_PATH) [stats, status] = await Promise.all([front.stats(), front.status(STATUS_TOP_ROWS)]);
          // '/': the page itself, nothing to read
        },
        routes: page ? statusRoutes(() => status!, admin, Date.now) : undefined,
      });
      closers.push(() => http.close());
      log.info({ metrics: `${http.url}/metrics`, ...(page ? { status_page: `${http.url}/` } : {}) }, 'operations');
    }
  } catch (err) {
    front.close();
    await pool.stop();
    throw err;
  }
  handleSignals({
    log,
    stop: async () => { front.close(); await pool.stop(); for (const close of closers) await close(); },
    reload: () => front.reload(),
  });
}
