/**
 * TCP Fast Open on Ward's TCP listener (RFC 7413), checked on the wire. Node cannot set TCP_FASTOPEN on
 * a listening socket; on Linux the kernel turns it on for every listener when net.ipv4.tcp_fastopen has
 * 0x400 (TFO_SERVER_WO_SOCKOPT1) and 0x2 (server enable). The sysctl is per network namespace, so the test
 * makes its own namespace (loopback only), sets 0x403 there (0x1: client enable, for kdig), runs Ward in
 * it and asks twice with `kdig +tcp +fastopen`: the first connection fetches a cookie, the second carries
 * the query in its SYN, which the kernel counts as TcpExtTCPFastOpenPassive. Skipped, with the reason,
 * where namespaces cannot be made (not root, no CAP_SYS_ADMIN, no iproute2 or kdig).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTempDir, startDaemon, waitReady, type Daemon } from '../helpers/lab-process.js';
import { WARD_MAIN, writeWardConfig } from '../helpers/lab-ward.js';
import { REPO_ROOT } from '../helpers/paths.js';

const run = promisify(execFile);
const NS = `ward-tfo-${process.pid}`;
/** 0x400 server TFO without setsockopt, 0x2 server enable, 0x1 client enable (kdig). */
const TFO_SYSCTL = '0x403';
const NAME = 'www.tfo.test';

/** Why the platform cannot run this test, or undefined when it can (and the namespace now exists). */
function makeNamespace(): string | undefined {
  if (process.platform !== 'linux') return 'TCP Fast Open for all listeners is a Linux sysctl';
  try {
    execFileSync('kdig', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'kdig (knot-dnsutils) is not installed';
  }
  try {
    execFileSync('ip', ['netns', 'add', NS], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create a network namespace (needs root and iproute2): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  try {
    execFileSync('ip', ['-n', NS, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', NS, 'sysctl', '-q', '-w', `net.ipv4.tcp_fastopen=${TFO_SYSCTL}`], { stdio: 'pipe' });
  } catch (err) {
    removeNamespace();
    return `cannot set up the namespace: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return undefined;
}

function removeNamespace(): void {
  try { execFileSync('ip', ['netns', 'del', NS], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** A TcpExt counter from /proc/net/netstat inside the namespace. */
async function tcpExt(counter: string): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'exec', NS, 'cat', '/proc/net/netstat']);
  const lines = stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = names.indexOf(counter);
  if (i < 0) throw new Error(`no TcpExt counter ${counter}`);
  return Number(values[i]);
}

/** kdig inside the namespace; returns the A records it printed (+short). */
async function kdig(...flags: string[]): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'exec', NS, 'kdig', '@127.0.0.1', '+timeout=2', '+retry=0', '+short', ...flags, NAME, 'A'],
    { timeout: 5000 });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

let skipReason: string | undefined;
let ward: Daemon | undefined;
let tmp: { dir: string; remove(): void } | undefined;

before(async () => {
  skipReason = makeNamespace();
  if (skipReason) return;
  tmp = makeTempDir('ward-tfo');
  const config = writeWardConfig({
    dir: tmp.dir, address: '127.0.0.1', logLevel: 'info',
    localZones: [{ name: 'tfo.test.', type: 'static', records: [`${NAME}. 300 IN A 192.0.2.1`] }],
  });
  ward = startDaemon('ward', 'ip', ['netns', 'exec', NS, process.execPath, WARD_MAIN, '--config', config], { cwd: REPO_ROOT });
  // Ready once it answers over UDP (a plain TCP probe would not fetch a cookie, but keep TCP untouched).
  await waitReady(ward, async () => (await kdig()).includes('192.0.2.1'), 10_000, 100);
});

after(async () => {
  await ward?.stop();
  removeNamespace();
  tmp?.remove();
});

test('the second TCP query carries its data in the SYN (TCP Fast Open, RFC 7413)', { timeout: 30_000 }, async (t) => {
  if (skipReason) {
    process.stdout.write(`# tfo: skipped: ${skipReason}\n`);
    t.skip(skipReason);
    return;
  }
  assert.ok(ward);
  assert.doesNotMatch(ward.output(), /TCP fast open not enabled/, 'Ward saw the kernel-wide setting (fastOpen: kernel-wide)');
  const passive0 = await tcpExt('TCPFastOpenPassive');
  assert.deepEqual(await kdig('+tcp', '+fastopen'), ['192.0.2.1'], 'first TCP query (cookie request)');
  const passive1 = await tcpExt('TCPFastOpenPassive');
  assert.equal(passive1, passive0, 'the first connection has no cookie yet, so no data in its SYN');
  assert.deepEqual(await kdig('+tcp', '+fastopen'), ['192.0.2.1'], 'second TCP query (data in the SYN)');
  const passive2 = await tcpExt('TCPFastOpenPassive');
  assert.equal(passive2, passive1 + 1, 'Ward\'s listener accepted one fast-open connection');
});
