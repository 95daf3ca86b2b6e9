/**
 * DNS over TLS on loopback (RFC 7858, RFC 8310): SPKI pins (match, mismatch, and the same pin as
 * openssl and kdig compute), strict vs opportunistic authentication, name checks with a private CA,
 * garbage and silence before the handshake. After each bad client a normal query still works.
 */
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { createExchanger, type ExchangeRequest, type Listener } from '../../src/net/index.js';
import { spkiPin } from '../../src/tls/index.js';
import { log, makeQuery, RawClient, responder, serve, testTls, within } from './net-fixtures.js';

let l: Listener;
const ex = createExchanger({ log });
const caEx = createExchanger({ log, tlsContextFor: () => ({ ca: testTls().cert }) });
const clients: RawClient[] = [];

before(async () => {
  l = await serve('tls', responder().sink, { limits: { tlsHandshakeTimeoutMs: 300 } });
});
after(async () => {
  for (const c of clients) c.socket.destroy();
  await ex.close();
  await caEx.close();
  await l.close();
});

function req(tls: ExchangeRequest['tls']): ExchangeRequest {
  return { to: { host: '127.0.0.1', port: l.address().port }, transport: 'tls', query: makeQuery('tls.test'), timeoutMs: 2000, tls };
}

test('SPKI pin: matching pin authenticates, a wrong pin fails strict and is unauthenticated when opportunistic', async () => {
  const pin = spkiPin(testTls().cert);
  const good = await ex.exchange(req({ authenticate: true, spkiPins: [pin] }));
  assert.equal(good.kind, 'reply', JSON.stringify(good));
  assert.equal(good.kind === 'reply' && good.authenticated, true);
  const wrong = 'A'.repeat(43) + '=';
  const strict = await ex.exchange(req({ authenticate: true, spkiPins: [wrong], servername: 'pinned.example' }));
  assert.equal(strict.kind === 'fail' && strict.code, 'tls-auth', JSON.stringify(strict));
  const opportunistic = await ex.exchange(req({ authenticate: false, spkiPins: [wrong], servername: 'opp.example' }));
  assert.equal(opportunistic.kind, 'reply');
  assert.equal(opportunistic.kind === 'reply' && opportunistic.authenticated, false);
});

test('the pin is what openssl computes from the certificate', () => {
  const derived = execFileSync('sh', ['-c', 'openssl x509 -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64'],
    { input: testTls().cert }).toString().trim();
  assert.equal(spkiPin(testTls().cert), derived);
});

test('kdig +tls-pin talks to the DoT listener', { skip: !existsSync('/usr/bin/kdig') && 'kdig not installed' }, async () => {
  const pin = spkiPin(testTls().cert);
  const out = await new Promise<string>((resolve, reject) => execFile('kdig',
    ['@127.0.0.1', '-p', String(l.address().port), `+tls-pin=${pin}`, '+timeout=2', '+retry=0', 'kdig.test', 'A'],
    (err, stdout) => (err ? reject(err) : resolve(stdout))));
  assert.match(out, /kdig\.test\.\s+60\s+IN\s+A\s+192\.0\.2\.1/);
  assert.match(out, /TLS/);
});

test('strict without pins checks chain and name: private CA + right name passes, wrong name or no CA fails', async () => {
  const ok = await caEx.exchange(req({ authenticate: true, servername: 'localhost' }));
  assert.equal(ok.kind === 'reply' && ok.authenticated, true, JSON.stringify(ok));
  const wrongName = await caEx.exchange(req({ authenticate: true, servername: 'other.example' }));
  assert.equal(wrongName.kind === 'fail' && wrongName.code, 'tls-auth');
  const noCa = await ex.exchange(req({ authenticate: true, servername: 'localhost' }));
  assert.equal(noCa.kind === 'fail' && noCa.code, 'tls-auth');
});

test('garbage before the TLS handshake is dropped; a normal query still works', async () => {
  const before = l.stats().tlsErrors;
  const c = await RawClient.open(l.address().port);
  clients.push(c);
  c.socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n' + 'z'.repeat(3000));
  await within(c.done, 2000, 'server drops the connection');
  assert.equal(l.stats().tlsErrors, before + 1);
  const r = await ex.exchange(req({ authenticate: false }));
  assert.equal(r.kind, 'reply');
});

test('a client that never starts the handshake is dropped after the handshake timeout', async () => {
  const t0 = Date.now();
  const s = connect({ port: l.address().port, host: '127.0.0.1' });
  s.on('error', () => undefined);
  await within(new Promise((r) => s.on('close', r)), 2000, 'server drops the silent connection');
  assert.ok(Date.now() - t0 >= 250, `dropped after ${Date.now() - t0} ms`);
  const r = await ex.exchange(req({ authenticate: false }));
  assert.equal(r.kind, 'reply');
});

test('a TLS dial to a plain TCP port fails as a value (tls-handshake), not a throw', async () => {
  const tcp = await serve('tcp', responder().sink);
  try {
    const r = await ex.exchange({ ...req({ authenticate: false }), to: { host: '127.0.0.1', port: tcp.address().port }, timeoutMs: 400 });
    assert.equal(r.kind, 'fail');
    assert.ok(r.kind === 'fail' && ['tls-handshake', 'reset', 'closed'].includes(r.code), JSON.stringify(r));
  } finally {
    await tcp.close(100);
  }
});
