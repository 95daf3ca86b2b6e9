#!/usr/bin/env node
/**
 * `npm start`: builds first only when a source changed since the last build (scripts/build.mjs),
 * then runs Ward in this same process, so an up-to-date tree costs one Node start, not a tsc run
 * (about 10 s) and a second Node. Ward's arguments pass through untouched: it reads
 * process.argv.slice(2), the same for `node scripts/start.mjs --config F` as for
 * `node dist/src/main.js --config F`.
 */
import { pathToFileURL } from 'node:url';
import { build, ENTRY, upToDate } from './build.mjs';

if (!upToDate()) {
  process.stderr.write('ward: sources changed since the last build: building (tsc -p .)\n');
  const code = build();
  if (code !== 0) process.exit(code);
}
await import(pathToFileURL(ENTRY).href);
