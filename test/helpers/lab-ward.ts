/**
 * Ward as a child process for the lab and the benchmarks: writes a YAML config (DESIGN.md "The user-facing
 * contract") into a directory, runs `node <build>/src/main.js --config FILE` from the repository root, and
 * resolves once Ward answers on UDP, TCP and (when configured) DoT.
 */
import { writeFileSync } from 'node:fs';
import { connect as tlsConnect } from 'node:tls';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import type { LocalZone, RootHint } from '../../src/config/index.js';
import type { CertFiles } from './lab-cert.js';
import { startDaemon, waitReady, type Daemon } from './lab-process.js';
import { query } from './lab-query.js';
import { REPO_ROOT } from './paths.js';

export interface WardOptions {
  /** Directory for the config file and Ward's state_dir. */
  dir: string;
  address: string;
  /** UDP and TCP port (default 53). */
  port?: number;
  /** DoT port and certificate; both or neither. */
  tlsPort?: number;
  tls?: CertFiles;
  localZones?: LocalZone[];
  /** Resolver mode through a lab: its root hints (do_not_query_localhost is turned off). */
  rootHints?: RootHint[];
  /** Trust anchor files for validation (e.g. Lab.trustAnchorFile); default none: no validation. */
  trustAnchors?: string[];
  logLevel?: string;
  readyTimeoutMs?: number;
  /** cache.max_bytes (default: Ward's default, 64 MiB). */
  cacheMaxBytes?: number;
  /** upstream.source_address: where Ward's queries to authorities come from (default: the kernel's choice). */
  sourceAddress?: string;
  /** upstream.tls (RFC 9539) in resolver mode; default: Ward's default (opportunistic). */
  upstreamTls?: 'off' | 'opportunistic' | 'strict';
  /** resolver.qname_minimisation (RFC 9156); default: Ward's default (on). */
  qnameMinimisation?: boolean;
  /** Extra Node.js flags before the script (e.g. --trace-gc, --cpu-prof) for benchmarks and diagnosis. */
  nodeArgs?: string[];
  /** More `server` keys (limits, tcp_fastopen_queue, ...), merged over the ones above. */
  server?: Record<string, unknown>;
  /** More top-level keys (http, control, log, ...), set over the ones above. */
  extra?: Record<string, unknown>;
  /** Sees all of Ward's output (its JSON log lines), not only the tail the daemon keeps. */
  onOutput?: (chunk: string) => void;
}

/** The root server address of a Ward started without a lab: in the lab range, nothing listens there. */
export const DEAD_ROOT = '127.53.255.254';

export interface WardProcess { daemon: Daemon; address: string; port: number; configFile: string; stop(): Promise<void> }

/** True once a TLS handshake with address:port completes. */
export function tlsHandshakes(address: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = tlsConnect({ host: address, port, rejectUnauthorized: false });
    const done = (ok: boolean): void => { clearTimeout(timer); sock.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.once('secureConnect', () => done(true));
    sock.once('error', () => done(false));
  });
}

function configObject(o: WardOptions, port: number): object {
  const listen: object[] = [
    { address: o.address, port, transport: 'udp' },
    { address: o.address, port, transport: 'tcp' },
  ];
  if (o.tlsPort !== undefined) listen.push({ address: o.address, port: o.tlsPort, transport: 'tls' });
  const config: { [k: string]: unknown } = {
    server: {
      listen,
      tls: o.tls ? { certificate: o.tls.certFile, key: o.tls.keyFile } : null,
      state_dir: join(o.dir, 'ward-state'),
      ...o.server,
    },
    dnssec: { trust_anchors: o.trustAnchors ?? [] },
    local_zones: o.localZones ?? [],
    ...(o.cacheMaxBytes === undefined ? {} : { cache: { max_bytes: o.cacheMaxBytes } }),
    log: { level: o.logLevel ?? 'warn' },
  };
  if (o.rootHints) {
    config.resolver = {
      root_hints: o.rootHints, do_not_query_localhost: false,
      ...(o.qnameMinimisation === undefined ? {} : { qname_minimisation: o.qnameMinimisation }),
    };
    config.upstream = {
      ipv6: false, ...(o.sourceAddress === undefined ? {} : { source_address: o.sourceAddress }), ...(o.upstreamTls === undefined ? {} : { tls: o.upstreamTls }),
    };
  } else {
    // No lab: the only root is a lab address where nothing listens, so no query ever leaves loopback,
    // and short tries make names outside local data fail fast (SERVFAIL, EDE 22).
    config.resolver = { root_hints: [{ name: 'dead.root.lab', addresses: [DEAD_ROOT] }], root_priming: false, do_not_query_localhost: false };
    config.upstream = { ipv6: false, tls: 'off', timeout_ms: 300 };
  }
  return { ...config, ...o.extra };
}

/** Ward's entry point in this build (src/main.js). */
export const WARD_MAIN = fileURLToPath(new URL('../../src/main.js', import.meta.url));

/** Writes Ward's YAML config for `o` into `o.dir` (ward.yaml) and returns its path. */
export function writeWardConfig(o: WardOptions): string {
  const configFile = join(o.dir, 'ward.yaml');
  writeFileSync(configFile, YAML.stringify(configObject(o, o.port ?? 53)));
  return configFile;
}

/** Starts Ward; rejects (after stopping it) with its output when it does not answer in time. */
export async function startWard(o: WardOptions): Promise<WardProcess> {
  const port = o.port ?? 53;
  const configFile = writeWardConfig(o);
  // From the repository root, so relative paths in Ward's defaults resolve.
  const daemon = startDaemon('ward', process.execPath, [...(o.nodeArgs ?? []), WARD_MAIN, '--config', configFile], { cwd: REPO_ROOT, onOutput: o.onOutput });
  const answers = async (transport: 'udp' | 'tcp'): Promise<boolean> =>
    (await query(o.address, port, 'localhost.', 'A', { transport, timeoutMs: 300 })) !== undefined;
  try {
    await waitReady(daemon, async () => (await answers('udp')) && (await answers('tcp'))
      && (o.tlsPort === undefined || tlsHandshakes(o.address, o.tlsPort)), o.readyTimeoutMs ?? 10_000);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { daemon, address: o.address, port, configFile, stop: () => daemon.stop() };
}
