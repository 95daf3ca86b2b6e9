/**
 * The query log file (log.queries): one JSON line per client query through its own pino logger, to
 * a file rotated by size (file → file.1 → … → file.N, the oldest dropped), written asynchronously.
 * Off by default; when off nothing here runs.
 */
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { pino, type Logger } from 'pino';

export interface QueryLogFile {
  /** Writes one entry (the fields of a query-log line). */
  write(entry: object): void;
  close(): Promise<void>;
}

export function openQueryLog(file: string, maxBytes: number, keep: number): QueryLogFile {
  mkdirSync(dirname(file), { recursive: true });
  const dest = pino.destination({ dest: file, sync: false, append: true });
  const logger: Logger = pino({ base: null, timestamp: pino.stdTimeFunctions.isoTime, messageKey: 'event' }, dest);
  let written = 0;
  const rotate = (): void => {
    dest.flushSync();
    for (let i = keep; i >= 1; i--) {
      const from = i === 1 ? file : `${file}.${i - 1}`;
      if (!existsSync(from)) continue;
      if (i === keep && existsSync(`${file}.${keep}`)) rmSync(`${file}.${keep}`);
      renameSync(from, `${file}.${i}`);
    }
    if (keep === 0) rmSync(file, { force: true });
    dest.reopen();
    written = 0;
  };
  return {
    write(entry) {
      logger.info(entry);
      // About the line's length: the time stamp and level add a fixed ~50 octets.
      written += 50 + JSON.stringify(entry).length;
      if (written >= maxBytes) rotate();
    },
    close: () => new Promise((resolve) => { dest.flushSync(); dest.end(); resolve(); }),
  };
}
