/**
 * The files for users that CI cannot run (no Docker engine, no systemd as PID 1 here):
 * docker-compose.yml must be valid for Debian's `docker-compose config` (which needs no engine) and
 * name the lab entry point and Dockerfile targets that exist; config/ward.service must pass
 * `systemd-analyze verify` (and a broken copy must not, so the check can fail); the lab entry point
 * the compose file runs must bring the lab up and write a Ward config that resolves through it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUILD_ROOT, REPO_ROOT } from '../helpers/paths.js';
import { startDaemon, waitReady } from '../helpers/lab-process.js';
import { query, rcodeName } from '../helpers/lab-query.js';
import { FLAG } from '../../src/wire/index.js';
import { WARD_MAIN } from '../helpers/lab-ward.js';

function run(cmd: string, args: string[], pkg: string): { ok: boolean; out: string } {
  try {
    return { ok: true, out: execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }) };
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string; stdout?: string };
    if (e.code === 'ENOENT') assert.fail(`${cmd} is not installed (Debian package ${pkg}; .ci/run installs it)`);
    return { ok: false, out: `${e.stdout ?? ''}${e.stderr ?? e.message}` };
  }
}

test('docker-compose.yml passes docker-compose config: the lab, Ward through it, a client, and Ward for production', () => {
  const { ok, out } = run('docker-compose', ['-f', join(REPO_ROOT, 'docker-compose.yml'), 'config'], 'docker-compose');
  assert.ok(ok, `docker-compose config failed: ${out}`);
  for (const service of ['lab:', 'ward-lab:', 'client:', 'ward:']) assert.match(out, new RegExp(`^  ${service}`, 'm'));
  assert.match(out, /network_mode: service:lab/);
  assert.match(out, /53\/udp|published: "?53"?/);
  const compose = readFileSync(join(REPO_ROOT, 'docker-compose.yml'), 'utf8');
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  assert.match(compose, /target: lab/);
  assert.match(dockerfile, /^FROM build AS lab$/m);
  // The lab's command runs this repository's lab entry point, built from test/lab/serve.ts.
  assert.match(compose, /dist\/test\/lab\/serve\.js/);
  assert.ok(existsSync(join(BUILD_ROOT, 'test', 'lab', 'serve.js')));
});

test("the Dockerfile's steps are the README's: npm ci, tsc, then node dist/src/main.js", () => {
  const dockerfile = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8');
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  // Each step as the README writes it, and as the Dockerfile does (its ENTRYPOINT is in exec form).
  const steps: [readme: string, dockerfile: string][] = [['npm ci', 'npm ci'], ['npx tsc -p .', 'npx tsc -p .'], ['node dist/src/main.js', '"node", "dist/src/main.js"']];
  for (const [inReadme, inDockerfile] of steps) {
    assert.ok(dockerfile.includes(inDockerfile), `Dockerfile lacks ${inDockerfile}`);
    assert.ok(readme.includes(inReadme), `README lacks ${inReadme}`);
  }
});

test('config/ward.service passes systemd-analyze verify; a unit with a bad directive does not', () => {
  const unit = join(REPO_ROOT, 'config', 'ward.service');
  const good = run('systemd-analyze', ['verify', unit], 'systemd');
  assert.ok(good.ok && !/unknown|invalid|failed/i.test(good.out), `systemd-analyze verify: ${good.out}`);
  const text = readFileSync(unit, 'utf8');
  for (const directive of ['DynamicUser=yes', 'AmbientCapabilities=CAP_NET_BIND_SERVICE', 'CapabilityBoundingSet=CAP_NET_BIND_SERVICE', 'StateDirectory=ward', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'ExecReload=/bin/kill -HUP $MAINPID']) {
    assert.ok(text.includes(directive), `ward.service lacks ${directive}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'ward-unit-'));
  try {
    const broken = join(dir, 'ward.service');
    writeFileSync(broken, text.replace('ExecStart=/usr/bin/env node', 'ExecStart=/nonexistent/node'));
    const bad = run('systemd-analyze', ['verify', broken], 'systemd');
    assert.ok(!bad.ok || /nonexistent|not executable|No such file/i.test(bad.out), 'a unit whose ExecStart does not exist passed verify');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the compose lab's entry point serves the lab and a Ward config that validates through it", async () => {
  const out = mkdtempSync(join(tmpdir(), 'ward-labserve-'));
  const lab = startDaemon('lab-serve', process.execPath, [join(BUILD_ROOT, 'test', 'lab', 'serve.js'), '--out', out, '--dnssec', '--ward-address', '127.0.2.49']);
  let ward: ReturnType<typeof startDaemon> | undefined;
  try {
    await waitReady(lab, async () => existsSync(join(out, 'ready')), 60_000);
    ward = startDaemon('ward', process.execPath, [WARD_MAIN, '--config', join(out, 'ward.yaml')], { cwd: REPO_ROOT });
    await waitReady(ward, async () => (await query('127.0.2.49', 53, 'localhost.', 'A', { timeoutMs: 300 })) !== undefined, 15_000);
    const secure = await query('127.0.2.49', 53, 'www.lab.', 'A', { timeoutMs: 5_000, dnssecOk: true });
    assert.equal(rcodeName(secure), 'NOERROR');
    assert.ok((secure.flags & FLAG.AD) !== 0, 'www.lab through the compose lab is not secure (no AD)');
    const bogus = await query('127.0.2.49', 53, 'www.bogus.test.', 'A', { timeoutMs: 5_000 });
    assert.equal(rcodeName(bogus), 'SERVFAIL', 'the bogus zone validates through the compose lab config');
  } finally {
    await ward?.stop();
    await lab.stop();
    rmSync(out, { recursive: true, force: true });
  }
});
