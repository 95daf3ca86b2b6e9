/**
 * DoT listener certificates (src/tls): a self-signed pair is created on first start into the state
 * directory (key mode 0600) and reused later; a reader never pairs the key on disk with a certificate
 * that is not its own; configured files load; bad material is an ERR_TLS_MATERIAL error that names
 * the file. (test/e2e/cli.test.ts races whole processes.)
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { loadOrCreateTlsMaterial, spkiPin, SELF_SIGNED_CERT_FILE, SELF_SIGNED_KEY_FILE, createSelfSigned } from '../../src/tls/index.js';
import { WardError } from '../../src/util/index.js';
import { createExchanger } from '../../src/net/index.js';
import { log, makeQuery, responder, serve, testTls } from './net-fixtures.js';

const dir = mkdtempSync(join(tmpdir(), 'ward-tls-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('first start creates a self-signed pair (key 0600), later starts reuse it', async () => {
  const state = join(dir, 'state');
  const first = loadOrCreateTlsMaterial(null, state);
  assert.equal(first.created, true);
  assert.equal(statSync(join(state, SELF_SIGNED_KEY_FILE)).mode & 0o777, 0o600);
  const cert = new X509Certificate(first.cert);
  assert.match(cert.subjectAltName ?? '', /DNS:localhost/);
  assert.match(cert.subjectAltName ?? '', /IP Address:127\.0\.0\.1/);
  assert.equal(cert.publicKey.asymmetricKeyDetails?.modulusLength, 2048);
  assert.deepEqual(readdirSync(state).sort(), [SELF_SIGNED_CERT_FILE, SELF_SIGNED_KEY_FILE].sort(), 'no temporary files left');
  const second = loadOrCreateTlsMaterial(null, state);
  assert.equal(second.created, false);
  assert.equal(spkiPin(second.cert), spkiPin(first.cert));

  // the generated pair serves DoT and its pin authenticates
  const l = await serve('tls', responder().sink, { tls: second });
  const ex = createExchanger({ log });
  try {
    const r = await ex.exchange({ to: { host: '127.0.0.1', port: l.address().port }, transport: 'tls', query: makeQuery('gen.test'), timeoutMs: 2000,
      tls: { authenticate: true, spkiPins: [spkiPin(first.cert)] } });
    assert.equal(r.kind === 'reply' && r.authenticated, true, JSON.stringify(r));
  } finally {
    await ex.close();
    await l.close(100);
  }
});

test('configured files load; bad or mismatched material names the file', () => {
  const other = createSelfSigned({ commonName: 'other' });
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  const otherKey = join(dir, 'other-key.pem');
  const junk = join(dir, 'junk.pem');
  writeFileSync(certPath, testTls().cert);
  writeFileSync(keyPath, testTls().key);
  writeFileSync(otherKey, other.key);
  writeFileSync(junk, 'not a certificate\n');
  assert.equal(loadOrCreateTlsMaterial({ certificate: certPath, key: keyPath }, dir).cert, testTls().cert);
  const expectError = (fn: () => unknown, file: string): void => {
    assert.throws(fn, (e: unknown) => e instanceof WardError && e.code === 'ERR_TLS_MATERIAL' && e.message.includes(file), file);
  };
  expectError(() => loadOrCreateTlsMaterial({ certificate: junk, key: keyPath }, dir), junk);
  expectError(() => loadOrCreateTlsMaterial({ certificate: certPath, key: junk }, dir), junk);
  expectError(() => loadOrCreateTlsMaterial({ certificate: certPath, key: otherKey }, dir), otherKey);
  expectError(() => loadOrCreateTlsMaterial({ certificate: join(dir, 'missing.pem'), key: keyPath }, dir), 'missing.pem');
});

/** A state directory holding `files` (name to PEM text). */
function stateWith(name: string, files: Record<string, string>): string {
  const state = join(dir, name);
  mkdirSync(state);
  for (const [file, text] of Object.entries(files)) writeFileSync(join(state, file), text);
  return state;
}

test('a key whose certificate is not beside it yet (a creator between its two steps): the reader waits for that certificate, never pairs the key with a stale one', async () => {
  const winner = createSelfSigned({ commonName: 'winner' });
  const stale = createSelfSigned({ commonName: 'stale' });
  const state = stateWith('in-progress', { [SELF_SIGNED_KEY_FILE]: winner.key, [SELF_SIGNED_CERT_FILE]: stale.cert, 'winner-cert.tmp': winner.cert });
  // Another process finishes the winner's install 300 ms later, while this one is blocked reading.
  const finisher = spawn(process.execPath, ['-e', `setTimeout(() => require('node:fs').renameSync(${JSON.stringify(join(state, 'winner-cert.tmp'))}, ${JSON.stringify(join(state, SELF_SIGNED_CERT_FILE))}), 300)`]);
  const loaded = loadOrCreateTlsMaterial(null, state);
  await once(finisher, 'exit');
  assert.equal(loaded.created, false);
  assert.equal(loaded.key, winner.key);
  assert.equal(spkiPin(loaded.cert), spkiPin(winner.cert));
});

test('a key left without its certificate: ERR_TLS_MATERIAL naming both files, and the key is not replaced', () => {
  const orphan = createSelfSigned({ commonName: 'orphan' });
  const state = stateWith('orphan-key', { [SELF_SIGNED_KEY_FILE]: orphan.key });
  assert.throws(() => loadOrCreateTlsMaterial(null, state), (e: unknown) => e instanceof WardError && e.code === 'ERR_TLS_MATERIAL'
    && e.message.includes(join(state, SELF_SIGNED_CERT_FILE)) && e.message.includes(`remove ${join(state, SELF_SIGNED_KEY_FILE)}`));
  assert.equal(readFileSync(join(state, SELF_SIGNED_KEY_FILE), 'utf8'), orphan.key);
});

test('a certificate left without its key is replaced by a new pair', () => {
  const stale = createSelfSigned({ commonName: 'stale' });
  const state = stateWith('orphan-cert', { [SELF_SIGNED_CERT_FILE]: stale.cert });
  const made = loadOrCreateTlsMaterial(null, state);
  assert.equal(made.created, true);
  assert.notEqual(spkiPin(made.cert), spkiPin(stale.cert));
  assert.equal(readFileSync(join(state, SELF_SIGNED_CERT_FILE), 'utf8'), made.cert);
  assert.equal(readFileSync(join(state, SELF_SIGNED_KEY_FILE), 'utf8'), made.key);
});
