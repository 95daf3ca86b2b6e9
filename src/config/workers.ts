/** server.workers as a number: `auto` is one worker per CPU the process may use. */
import { availableParallelism } from 'node:os';
import type { Config } from './schema.js';

export function workerCount(config: Config): number {
  const w = config.server.workers;
  return w === 'auto' ? availableParallelism() : w;
}
