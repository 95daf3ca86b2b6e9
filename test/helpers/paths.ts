/** Paths for tests, independent of the build output folder. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRepoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) || !existsSync(join(dir, 'src'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('repository root not found');
    dir = up;
  }
  return dir;
}

/** The repository root (holds package.json, src/, config/, root-hints/). */
export const REPO_ROOT = findRepoRoot();
/** The compiled output root that this file lives in (dist/ or dist-NAME/). */
export const BUILD_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the repository, where the Deckard scenarios live (may be absent). */
export const SHARED_DIR = join(REPO_ROOT, '..', 'shared');
