/**
 * One worker process of server.workers: a whole Ward (resolver, cache, upstream pools of its own)
 * on the sockets the primary shares, without a control channel or HTTP listener of its own. It
 * answers the control requests the primary relays, says when it serves, shares what it resolves
 * with the other workers (server.share_cache_between_workers, worker-share.ts), and stops
 * gracefully on SIGTERM or when its primary is gone (the IPC channel closed).
 */
import type { Config } from './config/index.js';
import { handleControlRequest } from './control/index.js';
import { createApp } from './app.js';
import { handleSignals } from './signals.js';
import { systemClock } from './util/index.js';
import { startWorkerShare } from './worker-share.js';
import { isWorkerRequest, WORKER_ENV, type WorkerMessage } from './worker-messages.js';

export async function runWorker(config: Config, configPath: string): Promise<void> {
  const worker = Number(process.env[WORKER_ENV]);
  const peers = config.server.share_cache_between_workers ? startWorkerShare(config.cache.max_bytes, systemClock) : undefined;
  const app = await createApp(config, { configPath, worker, ...(peers ? { peers } : {}) });
  const log = app.log;
  const send = (m: WorkerMessage): void => { if (process.connected) process.send!(m); };
  process.on('message', (m: unknown) => {
    if (!isWorkerRequest(m)) return;
    void handleControlRequest(m.request, app.admin).then((response) => send({ ward: 'reply', id: m.id, response }));
  });
  const stop = handleSignals({ log, stop: () => app.stop(), reload: () => app.admin.reload() });
  process.on('disconnect', () => stop('primary gone'));
  send({ ward: 'ready' });
}
