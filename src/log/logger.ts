/** The pino root logger. Components take `log.child({ component })`; sessions and queries add `sid`/`qid`. */
import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };
export type LogLevel = LevelWithSilent;

/**
 * Component loggers (children with a `component` binding) of each root: pino children copy the
 * level when made, so a reload's new level is pushed to them. Session and query children are not
 * tracked (they are many and short-lived); the ones made after a change take the new level.
 */
const components = new WeakMap<Logger, Set<Logger>>();

/** Builds the root logger writing JSON lines to stderr (stdout stays free for CLI output); `base`: fields on every line. */
export function createLogger(level: LogLevel = 'info', base: { [field: string]: string | number } = {}): Logger {
  const set = new Set<Logger>();
  // onChild is inherited by every descendant; only component loggers are kept.
  const root = pino({
    level, base: { app: 'ward', ...base },
    onChild: (c) => {
      const b = c.bindings();
      if ('component' in b && !('sid' in b) && !('qid' in b)) set.add(c as unknown as Logger);
    },
  }, pino.destination({ fd: 2, sync: false }));
  components.set(root, set);
  return root;
}

/** Sets the level of a createLogger root and of its component loggers (log.level on reload). */
export function setLogLevel(root: Logger, level: LogLevel): void {
  root.level = level;
  for (const c of components.get(root) ?? []) c.level = level;
}

/** A logger that drops everything, for tests and library use. */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
