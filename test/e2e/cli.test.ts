/**
 * The `ward` command line: a bad config is one line on stderr and exit code 2; `ward pin` prints the
 * SPKI pin that the running server logs (creating the self-signed certificate when absent).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BUILD_ROOT } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { startWard } from './ward-under-test.js';

const MAIN = join(BUILD_ROOT, 'src/main.js');

function ward(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [MAIN, ...args], { timeout: 15_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

test('a bad config file: one line on stderr naming file and key, exit code 2', async () => {
  const tmp = makeTempDir('ward-cli');
  try {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  listen:\n    - { address: 127.0.0.1, port: 5300, transport: udp, colour: blue }\n');
    const r = await ward(['--config', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.yaml: server\.listen\[0\]\.colour: expected a known key/);
    const missing = await ward(['--config', join(tmp.dir, 'missing.yaml')]);
    assert.equal(missing.code, 2);
    const badZone = join(tmp.dir, 'zone.yaml');
    writeFileSync(badZone, 'local_zones:\n  - { name: z.test., type: static, records: ["www 60 IN A 300.1.1.1"] }\n');
    const zone = await ward(['--config', badZone]);
    assert.equal(zone.code, 2);
    assert.match(zone.stderr, /local_zones\[0\]\.records\[0\]/);
    assert.equal((await ward(['--bogus'])).code, 2);
  } finally {
    tmp.remove();
  }
});

test('ward pin prints the pin the server logs at start', async () => {
  const w = await startWard('127.0.2.45');
  try {
    const r = await ward(['pin', '--config', w.configFile]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), w.pin);
  } finally {
    assert.equal(await w.stop(), 0);
  }
});

test('ward pin creates the self-signed certificate when absent', async () => {
  const tmp = makeTempDir('ward-pin');
  try {
    const file = join(tmp.dir, 'ward.yaml');
    writeFileSync(file, `server:\n  state_dir: ${join(tmp.dir, 'state')}\n`);
    const first = await ward(['pin', '--config', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout.trim(), /^[A-Za-z0-9+/]{43}=$/);
    assert.equal((await ward(['pin', '--config', file])).stdout, first.stdout, 'the same certificate is reused');
  } finally {
    tmp.remove();
  }
});
