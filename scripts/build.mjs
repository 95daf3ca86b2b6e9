#!/usr/bin/env node
/**
 * Builds Ward: `tsc -p .` (everything tsconfig.json includes), then, when it succeeds, touches
 * dist/.build-stamp. `upToDate()` tells scripts/start.mjs whether it may skip the build: no input of
 * the runtime code is newer than the stamp (the .ts files under src/ and the src folders themselves,
 * since adding, removing or renaming a file changes its folder's mtime; tsconfig.json, package.json,
 * package-lock.json). Run directly (`npm run build`, and `npm ci` through prepare) it always builds.
 * Plain Node, no dependency but TypeScript.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const stamp = join(root, 'dist', '.build-stamp');
/** Ward's built entry point. */
export const ENTRY = join(root, 'dist', 'src', 'main.js');

/** The newest mtime (ms) among the inputs of dist/src. */
function newestInput() {
  let newest = 0;
  const visit = (dir) => {
    newest = Math.max(newest, statSync(dir).mtimeMs);
    for (const item of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, item.name);
      if (item.isDirectory()) visit(path);
      else if (item.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
    }
  };
  visit(join(root, 'src'));
  for (const file of ['tsconfig.json', 'package.json', 'package-lock.json']) {
    if (existsSync(join(root, file))) newest = Math.max(newest, statSync(join(root, file)).mtimeMs);
  }
  return newest;
}

/** True when dist/ holds a successful build no older than any source of the runtime code. */
export function upToDate() {
  return existsSync(stamp) && existsSync(ENTRY) && statSync(stamp).mtimeMs >= newestInput();
}

/** Runs tsc with its output on this terminal; returns the exit code (0: built and stamped). */
export function build() {
  let tsc;
  try {
    tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    process.stderr.write('ward: cannot build: TypeScript is not installed (run `npm ci` without --omit=dev)\n');
    return 1;
  }
  // The stamp gets the time the build started: a source saved while tsc runs stays newer than it.
  const started = new Date();
  const result = spawnSync(process.execPath, [tsc, '-p', root], { stdio: 'inherit' });
  if (result.status !== 0) return result.status ?? 1;
  mkdirSync(dirname(stamp), { recursive: true });
  writeFileSync(stamp, `built ${started.toISOString()} by scripts/build.mjs\n`);
  utimesSync(stamp, started, started);
  return 0;
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) process.exitCode = build();
