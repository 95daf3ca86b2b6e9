/**
 * Configuration files and command lines for the lab's authoritative servers (Debian's NSD 4, Knot 3, BIND 9),
 * each run in the foreground as a child process, with every state file inside one temporary directory.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CertFiles } from './lab-cert.js';
import type { LabServer } from './lab-zones.js';

/** How to start a daemon: program and arguments. */
export interface DaemonPlan { cmd: string; args: string[] }

/** A zone served by one daemon: its name and the file holding its master file. */
export interface ServedZone { name: string; file: string }

/**
 * Where a daemon listens: plain DNS on `port`, DNS over TLS (RFC 7858) on `tlsPort` when given.
 * `keepaliveSeconds`: the EDNS keepalive timeout BIND offers over TCP and TLS (RFC 7828; its default
 * is 30 s); NSD 4.6 and Knot 3.2 send no keepalive option, so it does not apply to them.
 */
export interface DaemonListen { address: string; port: number; tlsPort?: number; tls?: CertFiles; keepaliveSeconds?: number }

function nsd(dir: string, l: DaemonListen, zones: ServedZone[]): DaemonPlan {
  const conf = join(dir, 'nsd.conf');
  const dot = l.tlsPort !== undefined && l.tls
    ? `  ip-address: ${l.address}@${l.tlsPort}\n  tls-port: ${l.tlsPort}\n`
      + `  tls-service-key: "${l.tls.keyFile}"\n  tls-service-pem: "${l.tls.certFile}"\n`
    : '';
  writeFileSync(conf, `server:
  ip-address: ${l.address}@${l.port}
${dot}  server-count: 1
  username: ""
  chroot: ""
  zonesdir: "${dir}"
  database: ""
  pidfile: "${dir}/nsd.pid"
  xfrdfile: "${dir}/xfrd.state"
  zonelistfile: "${dir}/zone.list"
  logfile: "${dir}/nsd.log"
  verbosity: 1
  hide-version: yes
remote-control:
  control-enable: no
${zones.map((z) => `zone:\n  name: "${z.name}"\n  zonefile: "${z.file}"\n`).join('')}`);
  return { cmd: 'nsd', args: ['-d', '-c', conf] };
}

function knot(dir: string, l: DaemonListen, zones: ServedZone[]): DaemonPlan {
  const conf = join(dir, 'knot.conf');
  writeFileSync(conf, `server:
  listen: ${l.address}@${l.port}
  rundir: "${dir}"
  pidfile: "${dir}/knot.pid"
  udp-workers: 1
  tcp-workers: 1
  background-workers: 1
control:
  listen: "${dir}/knot.sock"
log:
  - target: stderr
    any: warning
database:
  storage: "${dir}/db"
template:
  - id: default
    storage: "${dir}"
    zonefile-sync: -1
    journal-content: none
zone:
${zones.map((z) => `  - domain: "${z.name}"\n    file: "${z.file}"\n`).join('')}`);
  mkdirSync(join(dir, 'db'), { recursive: true });
  return { cmd: 'knotd', args: ['-c', conf] };
}

function bind(dir: string, l: DaemonListen, zones: ServedZone[]): DaemonPlan {
  const conf = join(dir, 'named.conf');
  const dot = l.tlsPort !== undefined && l.tls;
  writeFileSync(conf, `${dot ? `tls lab-tls { key-file "${l.tls?.keyFile}"; cert-file "${l.tls?.certFile}"; };\n` : ''}options {
  directory "${dir}";
  listen-on port ${l.port} { ${l.address}; };
${dot ? `  listen-on port ${l.tlsPort} tls lab-tls { ${l.address}; };\n` : ''}
  listen-on-v6 { none; };
  pid-file "${dir}/named.pid";
  session-keyfile "${dir}/session.key";
  managed-keys-directory "${dir}";
  recursion no;
  allow-query-cache { none; };
  dnssec-validation no;
  allow-transfer { none; };
  notify no;
  minimal-responses yes;
${l.keepaliveSeconds === undefined ? '' : `  tcp-advertised-timeout ${l.keepaliveSeconds * 10};\n`}};
controls { };
${zones.map((z) => `zone "${z.name}" { type primary; file "${z.file}"; };\n`).join('')}`);
  return { cmd: 'named', args: ['-g', '-n', '1', '-c', conf] };
}

/**
 * Writes the daemon's config into `dir` (which already holds the zone files) and returns how to start it.
 * Knot 3.2 has no DoT listener: `tlsPort` is ignored for it.
 */
export function planDaemon(server: LabServer, dir: string, listen: DaemonListen, zones: ServedZone[]): DaemonPlan {
  switch (server) {
    case 'nsd': return nsd(dir, listen, zones);
    case 'knot': return knot(dir, listen, zones);
    case 'bind': return bind(dir, listen, zones);
  }
}
