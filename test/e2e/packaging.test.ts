/**
 * The files for users that CI cannot run (no Docker engine here): docker-compose.yml must be valid
 * for Debian's `docker-compose config` (which needs no engine), and the Dockerfile must build the
 * service it names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../helpers/paths.js';

test('docker-compose.yml passes docker-compose config and builds from the Dockerfile', () => {
  let out: string;
  try {
    out = execFileSync('docker-compose', ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    assert.fail(e.code === 'ENOENT' ? 'docker-compose is not installed (Debian package docker-compose; .ci/run installs it)' : `docker-compose config failed: ${e.stderr ?? e.message}`);
  }
  assert.match(out, /ward:/);
  assert.match(out, /53\/udp|published: "?53"?/);
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /npm ci/);
  assert.match(dockerfile, /dist\/src\/main\.js/);
});
