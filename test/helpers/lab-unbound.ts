/**
 * Unbound (Debian) as a peer resolver on 127.0.3.x for comparisons: either recursive through the lab's
 * private root (iterator only, or validating when given a trust anchor), or serving fixed local-data for
 * the benchmarks.
 * Runs in the foreground (`unbound -d`) with every file in a temporary directory.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertFiles } from './lab-cert.js';
import { makeTempDir, startDaemon, waitReady, type Daemon } from './lab-process.js';
import { kdigAt } from './tfo-netns.js';
import { query } from './lab-query.js';

export interface UnboundOptions {
  address: string;
  port?: number;
  /** Also serve DoT on this port with `tls` (RFC 7858). */
  tlsPort?: number;
  tls?: CertFiles;
  /** Recursive mode: the root hints file (do-not-query-localhost is turned off). */
  rootHintsFile?: string;
  /** Validate with this trust anchor file (DS or DNSKEY records); without it, no validation. */
  trustAnchorFile?: string;
  qnameMinimisation?: boolean;
  /** outgoing-interface: the source address of queries to authorities (default: the kernel's choice). */
  outgoingInterface?: string;
  /** Local-data mode: zone name and records in zone-file syntax. */
  localZone?: { name: string; records: string[] };
  /** More clauses appended verbatim (e.g. a `forward-zone:`), one line each. */
  extraLines?: string[];
  readyTimeoutMs?: number;
  /** num-threads (default 1); above 1 each thread gets its own sockets (so-reuseport). */
  threads?: number;
  /** Run inside this network namespace (tfo-netns.ts); readiness is then checked with kdig inside it. */
  netns?: string;
}

export interface Unbound { daemon: Daemon; address: string; port: number; stop(): Promise<void> }

function configText(dir: string, o: UnboundOptions, port: number): string {
  const lines = [
    'server:',
    `  interface: ${o.address}@${port}`,
    '  do-daemonize: no', '  chroot: ""', '  username: ""', `  directory: "${dir}"`,
    `  pidfile: "${dir}/unbound.pid"`, '  use-syslog: no', '  logfile: ""', '  verbosity: 1',
    `  num-threads: ${o.threads ?? 1}`, `  so-reuseport: ${(o.threads ?? 1) > 1 ? 'yes' : 'no'}`, '  do-ip6: no',
    // Answer SERVFAIL for unreachable servers within seconds rather than dropping the query (1.9 s default).
    '  discard-timeout: 0', '  infra-cache-max-rtt: 1000',
    '  access-control: 127.0.0.0/8 allow',
    `  module-config: "${o.trustAnchorFile ? 'validator iterator' : 'iterator'}"`,
    `  qname-minimisation: ${o.qnameMinimisation === false ? 'no' : 'yes'}`,
  ];
  if (o.outgoingInterface) lines.push(`  outgoing-interface: ${o.outgoingInterface}`);
  if (o.tlsPort !== undefined && o.tls) {
    lines.push(`  interface: ${o.address}@${o.tlsPort}`, `  tls-port: ${o.tlsPort}`,
      `  tls-service-key: "${o.tls.keyFile}"`, `  tls-service-pem: "${o.tls.certFile}"`);
  }
  // test. is a special-use name (RFC 6761 §6.2) that Unbound answers itself unless told not to.
  if (o.rootHintsFile) {
    lines.push(`  root-hints: "${o.rootHintsFile}"`, '  do-not-query-localhost: no', '  local-zone: "test." nodefault');
  }
  if (o.trustAnchorFile) lines.push(`  trust-anchor-file: "${o.trustAnchorFile}"`, '  val-log-level: 2');
  if (o.localZone) {
    lines.push(`  local-zone: "${o.localZone.name}" static`);
    for (const r of o.localZone.records) lines.push(`  local-data: "${r}"`);
  }
  lines.push('remote-control:', '  control-enable: no', ...(o.extraLines ?? []), '');
  return lines.join('\n');
}

/** Starts Unbound and resolves once it answers (it serves `localhost.` itself in both modes). */
export async function startUnbound(o: UnboundOptions): Promise<Unbound> {
  const port = o.port ?? 53;
  const tmp = makeTempDir('ward-unbound');
  const conf = join(tmp.dir, 'unbound.conf');
  writeFileSync(conf, configText(tmp.dir, o, port));
  const ns = o.netns;
  const daemon = ns ? startDaemon('unbound', 'ip', ['netns', 'exec', ns, 'unbound', '-d', '-c', conf]) : startDaemon('unbound', 'unbound', ['-d', '-c', conf]);
  const stop = async (): Promise<void> => { await daemon.stop(); tmp.remove(); };
  try {
    await waitReady(daemon, async () => {
      if (ns) return (await kdigAt(ns, `${o.address}`, 'localhost.', '-p', String(port))).length > 0;
      const msg = await query(o.address, port, 'localhost.', 'A', { timeoutMs: 300 });
      return msg.answers.length > 0;
    }, o.readyTimeoutMs ?? 10_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { daemon, address: o.address, port, stop };
}
