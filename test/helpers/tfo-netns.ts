/**
 * A network namespace (loopback only) where TCP Fast Open (RFC 7413) is on for every listener:
 * Node cannot set TCP_FASTOPEN on a listening socket, and on Linux net.ipv4.tcp_fastopen with 0x400
 * (TFO_SERVER_WO_SOCKOPT1) and 0x2 (server enable) turns it on kernel-wide; 0x1 is client enable (kdig).
 * The sysctl is per namespace, so nothing outside it changes. Also Ward started in it, and the
 * kernel's TcpExt counters read inside it (TCPFastOpenPassive: a SYN carried data that was accepted).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { makeTempDir, startDaemon, waitReady, type Daemon } from './lab-process.js';
import { WARD_MAIN, writeWardConfig } from './lab-ward.js';
import { REPO_ROOT } from './paths.js';

const run = promisify(execFile);
export const TFO_SYSCTL = '0x403';

/** Why the platform cannot make the namespace, or undefined when it now exists. */
export function makeTfoNamespace(ns: string): string | undefined {
  if (process.platform !== 'linux') return 'TCP Fast Open for all listeners is a Linux sysctl';
  try {
    execFileSync('kdig', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'kdig (knot-dnsutils) is not installed';
  }
  try {
    execFileSync('ip', ['netns', 'add', ns], { stdio: 'pipe' });
  } catch (err) {
    return `cannot create a network namespace (needs root and iproute2): ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  try {
    execFileSync('ip', ['-n', ns, 'link', 'set', 'lo', 'up'], { stdio: 'pipe' });
    execFileSync('ip', ['netns', 'exec', ns, 'sysctl', '-q', '-w', `net.ipv4.tcp_fastopen=${TFO_SYSCTL}`], { stdio: 'pipe' });
  } catch (err) {
    removeNamespace(ns);
    return `cannot set up the namespace: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  }
  return undefined;
}

export function removeNamespace(ns: string): void {
  try { execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore' }); } catch { /* already gone */ }
}

/** A TcpExt counter from /proc/net/netstat inside the namespace. */
export async function tcpExt(ns: string, counter: string): Promise<number> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, 'cat', '/proc/net/netstat']);
  const lines = stdout.split('\n').filter((l) => l.startsWith('TcpExt:'));
  const names = lines[0]?.split(/\s+/) ?? [];
  const values = lines[1]?.split(/\s+/) ?? [];
  const i = names.indexOf(counter);
  if (i < 0) throw new Error(`no TcpExt counter ${counter}`);
  return Number(values[i]);
}

/** kdig inside the namespace against `server`; returns the A records it printed (+short). */
export async function kdigAt(ns: string, server: string, name: string, ...flags: string[]): Promise<string[]> {
  const { stdout } = await run('ip', ['netns', 'exec', ns, 'kdig', `@${server}`, '+timeout=2', '+retry=0', '+short', ...flags, name, 'A'],
    { timeout: 5000 });
  return stdout.split('\n').map((l) => l.trim()).filter((l) => l !== '');
}

/** kdig inside the namespace against Ward there (127.0.0.1). */
export function kdigIn(ns: string, name: string, ...flags: string[]): Promise<string[]> {
  return kdigAt(ns, '127.0.0.1', name, ...flags);
}

export interface NamespacedWard { daemon: Daemon; stop(): Promise<void> }

/** Ward on 127.0.0.1:53 inside the namespace, answering `name` A `address` from local data. */
export async function startWardIn(ns: string, name: string, address: string): Promise<NamespacedWard> {
  const tmp = makeTempDir('ward-tfo');
  const config = writeWardConfig({
    dir: tmp.dir, address: '127.0.0.1', logLevel: 'info',
    localZones: [{ name: `${name.split('.').slice(1).join('.')}.`, type: 'static', records: [`${name}. 300 IN A ${address}`] }],
  });
  const daemon = startDaemon('ward', 'ip', ['netns', 'exec', ns, process.execPath, WARD_MAIN, '--config', config], { cwd: REPO_ROOT });
  const stop = async (): Promise<void> => { await daemon.stop(); tmp.remove(); };
  try {
    // Ready once it answers over UDP (a plain TCP probe would not fetch a cookie, but keep TCP untouched).
    await waitReady(daemon, async () => (await kdigIn(ns, name)).includes(address), 10_000, 100);
  } catch (err) {
    await stop();
    throw err;
  }
  return { daemon, stop };
}
