/**
 * The `ward` command line: a bad config is one line on stderr and exit code 2; `ward pin` prints the
 * SPKI pin that the running server logs and serves (creating the self-signed certificate when absent,
 * once, even when Ward and several `ward pin` start together on an empty state_dir).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { keyMatchesCertificate, loadOrCreateTlsMaterial, spkiPin, SELF_SIGNED_CERT_FILE, SELF_SIGNED_KEY_FILE } from '../../src/tls/index.js';
import { REPO_ROOT } from '../helpers/paths.js';
import { makeTempDir, startDaemon, waitReady } from '../helpers/lab-process.js';
import { tlsHandshakes, WARD_MAIN, writeWardConfig } from '../helpers/lab-ward.js';
import { freePort, startWard, wardCli } from './ward-under-test.js';



test('a bad config file: one line on stderr naming file and key, exit code 2', async () => {
  const tmp = makeTempDir('ward-cli');
  try {
    const file = join(tmp.dir, 'bad.yaml');
    writeFileSync(file, 'server:\n  listen:\n    - { address: 127.0.0.1, port: 5300, transport: udp, colour: blue }\n');
    const r = await wardCli(['--config', file]);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /bad\.yaml: server\.listen\[0\]\.colour: expected a known key/);
    const missing = await wardCli(['--config', join(tmp.dir, 'missing.yaml')]);
    assert.equal(missing.code, 2);
    const badZone = join(tmp.dir, 'zone.yaml');
    writeFileSync(badZone, 'local_zones:\n  - { name: z.test., type: static, records: ["www 60 IN A 300.1.1.1"] }\n');
    const zone = await wardCli(['--config', badZone]);
    assert.equal(zone.code, 2);
    assert.match(zone.stderr, /local_zones\[0\]\.records\[0\]/);
    assert.equal((await wardCli(['--bogus'])).code, 2);
  } finally {
    tmp.remove();
  }
});

test('ward pin prints the pin the server logs at start', async () => {
  const w = await startWard('127.0.2.45');
  try {
    const r = await wardCli(['pin', '--config', w.configFile]);
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
    const first = await wardCli(['pin', '--config', file]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout.trim(), /^[A-Za-z0-9+/]{43}=$/);
    assert.equal((await wardCli(['pin', '--config', file])).stdout, first.stdout, 'the same certificate is reused');
  } finally {
    tmp.remove();
  }
});

/** The SPKI pin of the certificate a DoT listener presents. */
function servedPin(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = tlsConnect({ host, port, rejectUnauthorized: false }, () => {
      resolve(spkiPin(sock.getPeerCertificate().raw));
      sock.destroy();
    });
    sock.once('error', reject);
  });
}

test('Ward, four `ward pin` and in-process creators starting together on an empty state_dir agree on one pin: the one on disk and served', async () => {
  const tmp = makeTempDir('ward-pin-race');
  const address = '127.0.2.47';
  try {
    const tlsPort = await freePort(address);
    const configFile = writeWardConfig({ dir: tmp.dir, address, port: await freePort(address), tlsPort, logLevel: 'info', server: { tcp_fastopen_queue: 0 } });
    const stateDir = join(tmp.dir, 'ward-state');
    const daemon = startDaemon('ward', process.execPath, [WARD_MAIN, '--config', configFile], { cwd: REPO_ROOT });
    try {
      const printed = Array.from({ length: 4 }, () => wardCli(['pin', '--config', configFile]));
      // In-process creators at staggered moments, inside the children's start-up and key generation.
      const inProcess: string[] = [];
      for (const delayMs of [150, 150, 150]) {
        await sleep(delayMs);
        inProcess.push(spkiPin(loadOrCreateTlsMaterial(null, stateDir).cert));
      }
      const results = await Promise.all(printed);
      for (const r of results) assert.equal(r.code, 0, r.stderr);
      await waitReady(daemon, () => tlsHandshakes(address, tlsPort));
      const logged = /"spki_pin":"([^"]+)"/.exec(daemon.output())?.[1];

      const cert = readFileSync(join(stateDir, SELF_SIGNED_CERT_FILE), 'utf8');
      assert.ok(keyMatchesCertificate(cert, readFileSync(join(stateDir, SELF_SIGNED_KEY_FILE), 'utf8')), 'the key on disk is the certificate\'s');
      const onDisk = spkiPin(cert);
      assert.deepEqual(results.map((r) => r.stdout.trim()), Array(4).fill(onDisk), 'every `ward pin` prints the pin on disk');
      assert.deepEqual(inProcess, Array(3).fill(onDisk), 'every in-process creator loads the pin on disk');
      assert.equal(logged, onDisk, 'Ward logs the pin on disk');
      assert.equal(await servedPin(address, tlsPort), onDisk, 'Ward serves the certificate on disk');
      // The running Ward's control socket is there too; what matters is that no creator left its temporary files.
      assert.deepEqual(readdirSync(stateDir).filter((f) => f !== 'control.sock').sort(), [SELF_SIGNED_CERT_FILE, SELF_SIGNED_KEY_FILE].sort(), 'no temporary files left');
    } finally {
      await daemon.stop();
    }
  } finally {
    tmp.remove();
  }
});
