/**
 * Real Debian clients against the real `ward` process over UDP, TCP and DoT (RFC 7766, RFC 7858):
 * dig, kdig (SPKI pin, keepalive RFC 7828, padding RFC 7830/8467), drill, and stubby with Ward as
 * its pinned DoT upstream.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, makeTempDir } from '../helpers/lab-process.js';
import { freePort, startWard, type WardProcess } from './ward-under-test.js';

const ADDR = '127.0.2.41';
const STUBBY_ADDR = '127.0.2.42';
let ward: WardProcess;

/** Runs a client; resolves with stdout (and stderr), never rejects on a non-zero exit. */
function run(cmd: string, args: string[], timeoutMs = 8_000): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${stdout}${stderr}` });
    });
  });
}

before(async () => { ward = await startWard(ADDR); });
after(async () => { await ward?.stop(); });

test('dig over UDP, TCP and TLS', async () => {
  const base = [`@${ADDR}`, 'www.ward.test', 'A', '+tries=1', '+time=3'];
  const udp = await run('dig', [...base, '-p', String(ward.port)]);
  assert.match(udp.out, /status: NOERROR/);
  assert.match(udp.out, /www\.ward\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
  assert.match(udp.out, /flags: qr aa rd ra/);
  const tcp = await run('dig', [...base, '-p', String(ward.port), '+tcp']);
  assert.match(tcp.out, /192\.0\.2\.80/);
  assert.match(tcp.out, /\(TCP\)/);
  const tls = await run('dig', [...base, '-p', String(ward.tlsPort), '+tls']);
  assert.match(tls.out, /192\.0\.2\.80/);
  assert.match(tls.out, /\(TLS\)/);
  const nx = await run('dig', [`@${ADDR}`, '-p', String(ward.port), 'nothere.ward.test', '+tries=1']);
  assert.match(nx.out, /status: NXDOMAIN/);
  assert.match(nx.out, /ward\.test\.\s+300\s+IN\s+SOA/);
  // Outside local data the resolver takes over; its only root (lab-ward.ts DEAD_ROOT) never answers.
  const unreachable = await run('dig', [`@${ADDR}`, '-p', String(ward.port), 'example.com', '+tries=1', '+time=8']);
  assert.match(unreachable.out, /status: SERVFAIL/);
  assert.match(unreachable.out, /EDE: 22 \(No Reachable Authority\)/);
});

test('dig: a reply over the UDP limit comes with TC, and dig gets it whole over TCP', async () => {
  const base = [`@${ADDR}`, '-p', String(ward.port), 'big.ward.test', 'TXT', '+tries=1', '+time=3'];
  const truncated = await run('dig', [...base, '+ignore', '+bufsize=4096']);
  assert.match(truncated.out, /flags: qr aa tc rd ra/);
  assert.ok(Number(/MSG SIZE {2}rcvd: (\d+)/.exec(truncated.out)?.[1]) <= 1232, 'capped at udp_max_payload');
  const whole = await run('dig', base);
  assert.match(whole.out, /Truncated, retrying in TCP mode/);
  assert.equal([...whole.out.matchAll(/big\.ward\.test\.\s+300\s+IN\s+TXT/g)].length, 30);
});

test('kdig over TLS with the SPKI pin; a wrong pin fails', async () => {
  assert.match(ward.pin, /^[A-Za-z0-9+/]{43}=$/);
  const ok = await run('kdig', [`@${ADDR}`, '-p', String(ward.tlsPort), `+tls-pin=${ward.pin}`, 'web.ward.test', 'A']);
  assert.equal(ok.code, 0, ok.out);
  assert.match(ok.out, /web\.ward\.test\.\s+300\s+IN\s+CNAME\s+www\.ward\.test\./);
  assert.match(ok.out, /www\.ward\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
  const wrong = await run('kdig', [`@${ADDR}`, '-p', String(ward.tlsPort), `+tls-pin=${'A'.repeat(43)}=`, 'www.ward.test', '+retry=0']);
  assert.doesNotMatch(wrong.out, /192\.0\.2\.80/);
});

test('kdig: keepalive answered on streams only, padding to 468 octets over TLS only', async () => {
  const received = (out: string): number => Number(/;; Received (\d+) B/.exec(out)?.[1]);
  const tls = await run('kdig', [`@${ADDR}`, '-p', String(ward.tlsPort), `+tls-pin=${ward.pin}`, '+padding', '+ednsopt=11', 'www.ward.test', 'AAAA']);
  assert.match(tls.out, /2001:db8::80/);
  assert.match(tls.out, /Option \(11\): 012C/, 'keepalive 30 s in units of 100 ms');
  assert.match(tls.out, /PADDING: \d+ B/);
  assert.equal(received(tls.out) % 468, 0, `padded length ${received(tls.out)}`);
  const tcp = await run('kdig', [`@${ADDR}`, '-p', String(ward.port), '+tcp', '+padding', '+ednsopt=11', 'www.ward.test', 'AAAA']);
  assert.match(tcp.out, /Option \(11\): 012C/);
  assert.doesNotMatch(tcp.out, /PADDING/, 'never padded in clear text');
  const udp = await run('kdig', [`@${ADDR}`, '-p', String(ward.port), '+padding', '+ednsopt=11', 'www.ward.test', 'AAAA']);
  assert.match(udp.out, /2001:db8::80/);
  assert.doesNotMatch(udp.out, /Option \(11\)/, 'no keepalive over UDP');
  assert.doesNotMatch(udp.out, /PADDING/);
});

test('drill over UDP and TCP', async () => {
  for (const extra of [[], ['-t']]) {
    const r = await run('drill', [...extra, '-p', String(ward.port), 'www.ward.test', `@${ADDR}`]);
    assert.equal(r.code, 0, r.out);
    assert.match(r.out, /rcode: NOERROR/);
    assert.match(r.out, /www\.ward\.test\.\s+300\s+IN\s+A\s+192\.0\.2\.80/);
  }
});

test('stubby uses Ward as its pinned DoT upstream', async () => {
  const tmp = makeTempDir('ward-stubby');
  const port = await freePort(STUBBY_ADDR);
  const conf = join(tmp.dir, 'stubby.yml');
  writeFileSync(conf, [
    'resolution_type: GETDNS_RESOLUTION_STUB',
    'dns_transport_list: [ GETDNS_TRANSPORT_TLS ]',
    'tls_authentication: GETDNS_AUTHENTICATION_REQUIRED',
    'tls_query_padding_blocksize: 128',
    'idle_timeout: 5000',
    'round_robin_upstreams: 0',
    `listen_addresses: [ ${STUBBY_ADDR}@${port} ]`,
    'upstream_recursive_servers:',
    `  - address_data: ${ADDR}`,
    `    tls_port: ${ward.tlsPort}`,
    '    tls_pubkey_pinset:',
    '      - digest: "sha256"',
    `        value: ${ward.pin}`,
    '',
  ].join('\n'));
  const stubby = startDaemon('stubby', 'stubby', ['-C', conf]);
  try {
    let answer = '';
    for (let i = 0; i < 40 && !/192\.0\.2\.80/.test(answer); i++) {
      if (stubby.exited()) assert.fail(`stubby exited:\n${stubby.output()}`);
      await new Promise((r) => setTimeout(r, 100));
      answer = (await run('dig', [`@${STUBBY_ADDR}`, '-p', String(port), 'www.ward.test', '+tries=1', '+time=2'])).out;
    }
    assert.match(answer, /www\.ward\.test\.\s+\d+\s+IN\s+A\s+192\.0\.2\.80/, stubby.output());
  } finally {
    await stubby.stop();
    tmp.remove();
  }
});
