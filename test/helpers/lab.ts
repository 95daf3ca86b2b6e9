/**
 * The authoritative lab (DESIGN.md "Tests", test/integration): NSD, Knot and BIND started as child processes
 * on 127.53.0.x port 53, serving the private tree of lab-zones.ts, plus root hints for resolvers under test.
 * NSD and BIND also serve DNS over TLS on port 853 (RFC 7858; Knot 3.2 cannot), for RFC 9539 probing.
 * `startLab()` resolves once every zone answers authoritatively; `stop()` kills everything and removes files.
 * BIND listens only on addresses configured on an interface, so its address is added to `lo` for the lab's
 * lifetime; where that is not allowed, a second Knot instance serves BIND's zones instead.
 * With `rttMs`, delaying relays (test/helpers/delay-relay.ts) stand on the public ports and count the queries.
 * With `dotEverywhere`, a second NSD serves Knot's zones, so that every authority answers DoT.
 */
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DelayRelay } from './delay-relay.js';
import type { TlsHandshakeKind } from './tls-hello.js';
import { FLAG } from '../../src/wire/index.js';
import { makeSelfSignedCert, type CertFiles } from './lab-cert.js';
import { planDaemon } from './lab-daemons.js';
import { signLabZones, type ZoneFile } from './lab-dnssec.js';
import { addLoopbackAddress } from './lab-loopback.js';
import { makeTempDir, startDaemon, stopAll, waitReady, type Daemon } from './lab-process.js';
import { query } from './lab-query.js';
import { LAB_ADDR, LAB_ROOT_HINTS, LAB_ZONES, type LabServer } from './lab-zones.js';

/** Traffic the relays saw at one authority address (plain DNS on 53, DoT on 853). */
export interface LabTraffic { udpQueries: number; tcpConnections: number; tcpQueries: number; dotConnections: number }

export interface Lab {
  /** Root hints file for the private root (named.root syntax). */
  rootHintsFile: string;
  /** The private root's servers, as Ward's `resolver.root_hints` list form. */
  rootHints: { name: string; addresses: string[] }[];
  /** Temporary directory holding all lab files; other helpers may put their own files under it. */
  dir: string;
  daemons: Daemon[];
  /** The software serving each role (BIND's role falls back to Knot where its address cannot be added). */
  software: Record<LabServer, LabServer>;
  /** With `dnssec`: the root's DS records, a trust anchor file for validating resolvers. */
  trustAnchorFile?: string;
  /** Addresses that also answer DNS over TLS on port 853. */
  dotAddresses: string[];
  /** With `rttMs`: what the relays saw so far, per authority address. */
  traffic(): Record<string, LabTraffic>;
  stop(): Promise<void>;
}

export interface LabOptions {
  /**
   * Round-trip time to add to every authority. When given (even 0), the daemons listen on ports 10053 and
   * 10853 and a DelayRelay on 53 and 853 adds half of it in each direction and counts queries.
   */
  rttMs?: number;
  /** Sign the zones (lab-dnssec.ts) and return a trust anchor (default false). */
  dnssec?: boolean;
  /** With `dnssec`: zones signed with opt-out NSEC3 instead (RFC 5155 §6; none by default). */
  nsec3OptOut?: string[];
  /** Serve DoT on NSD and BIND (default true). */
  dot?: boolean;
  /** The DoT certificate (e.g. from makeTestCa, for strict authentication); default: a self-signed one for "lab". */
  tls?: CertFiles;
  /** The keepalive timeout BIND offers (RFC 7828, see DaemonListen); default: BIND's own. */
  keepaliveSeconds?: number;
  /** Bound on the wait for all servers to answer. */
  readyTimeoutMs?: number;
  /** The zones to serve instead of LAB_ZONES (e.g. a larger generated tree for bench/scale-zones.ts). */
  zones?: Record<string, [LabServer, string]>;
  /**
   * Zones also served, from a copy of the same (signed) file, by other servers than their owner in
   * `zones`: zone name → those servers (one zone on NSD, Knot and BIND, as a zone with three providers).
   */
  replicas?: Record<string, LabServer[]>;
  /** With `rttMs`: called with every plain DNS query a relay forwards to an authority, and its source. */
  onQuery?: (msg: Buffer, from: string) => void;
  /** With `rttMs`: called with every TLS handshake a relay on 853 passes, full or resumed, and its source. */
  onTlsHandshake?: (kind: TlsHandshakeKind, from: string) => void;
  /** Serve the Knot role's zones with NSD instead (Knot 3.2 has no DoT), so every authority offers DoT (default false). */
  dotEverywhere?: boolean;
}

const SERVERS: LabServer[] = ['nsd', 'knot', 'bind'];
const PORT = 53;
const TLS_PORT = 853;
const RELAYED = 10_000;

/** True when the server at address:port answers SOA for `zone` authoritatively. */
async function servesZone(address: string, port: number, zone: string): Promise<boolean> {
  const msg = await query(address, port, zone, 'SOA', { rd: false, timeoutMs: 300 });
  return (msg.flags & FLAG.AA) !== 0 && msg.answers.some((rr) => rr.type === 'SOA');
}

/** Writes each server's zone files into its own directory; returns the zones per server. */
function writeZones(root: string, zones: Record<string, [LabServer, string]>): Record<LabServer, ZoneFile[]> {
  const out: Record<LabServer, ZoneFile[]> = { nsd: [], knot: [], bind: [] };
  for (const server of SERVERS) mkdirSync(join(root, server), { recursive: true });
  for (const [name, [owner, text]] of Object.entries(zones)) {
    const zone = { name, dir: join(root, owner), file: `${name === '.' ? 'root' : name.slice(0, -1)}.zone` };
    writeFileSync(join(zone.dir, zone.file), text);
    out[owner].push(zone);
  }
  return out;
}

/** Copies each replicated zone's (signed) file into the directories of its other servers, and lists it there. */
function addReplicas(root: string, perServer: Record<LabServer, ZoneFile[]>, replicas: Record<string, LabServer[]>): void {
  for (const [name, servers] of Object.entries(replicas)) {
    const zone = Object.values(perServer).flat().find((z) => z.name === name);
    if (!zone) throw new Error(`replica of ${name}: no such zone`);
    for (const server of servers) {
      const dir = join(root, server);
      copyFileSync(join(zone.dir, zone.file), join(dir, zone.file));
      perServer[server].push({ name, dir, file: zone.file });
    }
  }
}

/** Starts the lab. Throws (after cleaning up) if a server fails to start or to answer in time. */
export async function startLab(opts: LabOptions = {}): Promise<Lab> {
  const relayed = opts.rttMs !== undefined;
  const port = relayed ? PORT + RELAYED : PORT;
  const tlsPort = relayed ? TLS_PORT + RELAYED : TLS_PORT;
  const tmp = makeTempDir('ward-lab');
  const daemons: Daemon[] = [];
  const relays: { address: string; dot: boolean; relay: DelayRelay }[] = [];
  const removeAddress = addLoopbackAddress(LAB_ADDR.bind);
  const software: Record<LabServer, LabServer> = {
    nsd: 'nsd', knot: opts.dotEverywhere ? 'nsd' : 'knot', bind: removeAddress ? 'bind' : 'knot',
  };
  const dotRoles = opts.dot === false ? [] : SERVERS.filter((s) => software[s] !== 'knot');
  const stop = async (): Promise<void> => {
    await Promise.all(relays.map((r) => r.relay.close()));
    await stopAll(daemons);
    removeAddress?.();
    tmp.remove();
  };
  try {
    const rootHintsFile = join(tmp.dir, 'root.hints');
    writeFileSync(rootHintsFile, LAB_ROOT_HINTS);
    const tls = dotRoles.length > 0 ? opts.tls ?? makeSelfSignedCert(tmp.dir, 'lab') : undefined;
    const perServer = writeZones(tmp.dir, opts.zones ?? LAB_ZONES);
    const trustAnchorFile = opts.dnssec ? signLabZones(Object.values(perServer).flat(), tmp.dir, opts.nsec3OptOut) : undefined;
    addReplicas(tmp.dir, perServer, opts.replicas ?? {});
    const ready = SERVERS.map((server) => {
      const zones = perServer[server];
      const dir = join(tmp.dir, server);
      const address = LAB_ADDR[server];
      const dot = dotRoles.includes(server);
      const plan = planDaemon(software[server], dir, { address, port, tlsPort: dot ? tlsPort : undefined, tls, keepaliveSeconds: opts.keepaliveSeconds }, zones);
      const daemon = startDaemon(server, plan.cmd, plan.args);
      daemons.push(daemon);
      const probe = async (): Promise<boolean> => {
        for (const z of zones) if (!(await servesZone(address, port, z.name))) return false;
        return true;
      };
      return waitReady(daemon, probe, opts.readyTimeoutMs ?? 15_000);
    });
    const failed = (await Promise.allSettled(ready)).filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed.length > 0) throw new Error(failed.map((f) => String(f.reason)).join('\n'));
    if (relayed) {
      const delayMs = (opts.rttMs ?? 0) / 2;
      for (const server of SERVERS) {
        const address = LAB_ADDR[server];
        const pairs: [number, number, boolean][] = [[PORT, port, false]];
        if (dotRoles.includes(server)) pairs.push([TLS_PORT, tlsPort, true]);
        for (const [from, to, dot] of pairs) {
          const relay = await DelayRelay.start({
            listen: { address, port: from }, target: { address, port: to }, delayMs, countFrames: !dot, onQuery: opts.onQuery, onTlsHandshake: opts.onTlsHandshake,
          });
          relays.push({ address, dot, relay });
        }
      }
    }
    const traffic = (): Record<string, LabTraffic> => {
      const out: Record<string, LabTraffic> = {};
      for (const { address, dot, relay } of relays) {
        const s = relay.stats();
        const acc = out[address] ??= { udpQueries: 0, tcpConnections: 0, tcpQueries: 0, dotConnections: 0 };
        if (dot) acc.dotConnections += s.tcpConnections;
        else {
          acc.udpQueries += s.udpQueries;
          acc.tcpConnections += s.tcpConnections;
          acc.tcpQueries += s.tcpQueries;
        }
      }
      return out;
    };
    return {
      rootHintsFile,
      trustAnchorFile,
      rootHints: [{ name: 'a.root.lab.', addresses: [LAB_ADDR.nsd] }],
      dir: tmp.dir,
      daemons,
      software,
      dotAddresses: dotRoles.map((s) => LAB_ADDR[s]),
      traffic,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
