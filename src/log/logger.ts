/** The pino root logger. Components take `log.child({ component })`; sessions and queries add `sid`/`qid`. */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = LevelWithSilent;

/** Builds the root logger writing JSON lines to stderr (stdout stays free for CLI output). */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({ level, base: { app: 'ward' } }, pino.destination({ fd: 2, sync: false }));
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
