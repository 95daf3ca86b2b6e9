/**
 * What every Ward process does on signals: SIGTERM and SIGINT stop it gracefully once and exit 0
 * (1 when the stop fails); SIGHUP reloads, a refused reload logged while the running config goes on.
 */
import type { Logger } from './log/index.js';
import { errorMessage } from './util/index.js';

export interface Stoppable {
  log: Logger;
  stop(): Promise<void>;
  reload(): Promise<unknown>;
}

/** Installs the handlers and returns the stop, for other reasons to stop (a worker whose primary is gone). */
export function handleSignals(p: Stoppable): (reason: string) => void {
  let stopping = false;
  const stop = (reason: string): void => {
    if (stopping) return;
    stopping = true;
    p.log.info({ signal: reason }, 'stopping');
    p.stop().then(() => p.log.flush(() => process.exit(0)), (err: unknown) => {
      process.stderr.write(`ward: ${errorMessage(err)}\n`);
      process.exit(1);
    });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    p.reload().catch((err: unknown) => p.log.error({ err: errorMessage(err) }, 'reload refused: the running configuration is kept'));
  });
  return stop;
}
