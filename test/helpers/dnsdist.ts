/**
 * A real dnsdist (Debian's `dnsdist`), the load balancer of the README's two-machine deployment, in
 * front of Ward processes on loopback: round robin over the backends (so consecutive queries go to
 * different Wards), no packet cache of its own, health checks off (every backend is set up by hand,
 * so no probe query reaches a Ward or the lab behind it). Runs in the foreground (--supervised) from a
 * config file written here; `stop` ends it.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { query } from './lab-query.js';
import { startDaemon, waitReady, type Daemon } from './lab-process.js';

export interface Dnsdist { address: string; port: number; daemon: Daemon; stop(): Promise<void> }

export interface DnsdistOptions {
  dir: string;
  address: string;
  port: number;
  backends: { address: string; port: number }[];
}

/** The config: listen, one server per backend forced up, round robin. */
export function dnsdistConfig(o: DnsdistOptions): string {
  const servers = o.backends.map((b, i) => `newServer({ address = "${b.address}:${b.port}", name = "ward-${i + 1}" }):setUp()`);
  return [
    `setLocal("${o.address}:${o.port}")`,
    'setACL({ "127.0.0.0/8" })',
    ...servers,
    'setServerPolicy(roundrobin)',
    '',
  ].join('\n');
}

export async function startDnsdist(o: DnsdistOptions): Promise<Dnsdist> {
  const file = join(o.dir, 'dnsdist.conf');
  writeFileSync(file, dnsdistConfig(o));
  const daemon = startDaemon('dnsdist', 'dnsdist', ['--supervised', '--disable-syslog', '-C', file]);
  try {
    // Probed with a name under .invalid (RFC 6761 §6.4): answered by Ward without asking the lab.
    await waitReady(daemon, async () => (await query(o.address, o.port, 'probe.invalid.', 'A', { timeoutMs: 300 })) !== undefined, 10_000);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { address: o.address, port: o.port, daemon, stop: () => daemon.stop() };
}
