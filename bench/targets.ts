/**
 * The servers the serving benchmark compares, each a child process answering www.bench.test A 192.0.2.1:
 * the bare Node.js UDP responder (the floor), Ward from local_zones, and Unbound from local-data; and the
 * two recursive resolvers (Ward, Unbound) started against the authoritative lab for the cold-cache runs.
 * Each start resolves once the server answers on every transport it serves.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Lab } from '../test/helpers/lab.js';
import { makeSelfSignedCert, type CertFiles } from '../test/helpers/lab-cert.js';
import { makeTempDir, startDaemon, waitReady } from '../test/helpers/lab-process.js';
import { query } from '../test/helpers/lab-query.js';
import { startUnbound } from '../test/helpers/lab-unbound.js';
import { startWard as startWardProcess, tlsHandshakes } from '../test/helpers/lab-ward.js';

export const BENCH_NAME = 'www.bench.test';
export const BENCH_RECORD = 'www.bench.test. 300 IN A 192.0.2.1';

/** A running server under test: where it listens per transport, and how to stop it. */
export interface Target {
  label: string;
  address: string;
  ports: { udp: number; tcp?: number; dot?: number };
  /** Process id (for CPU pinning). */
  pid: number | undefined;
  /** The tail of the process's output, when kept. */
  output?(): string;
  stop(): Promise<void>;
}

/** Starts the bare responder (bench/bare-responder.js beside this file) on address:port/udp. */
export async function startBare(address: string, port: number): Promise<Target> {
  const script = fileURLToPath(new URL('./bare-responder.js', import.meta.url));
  const daemon = startDaemon('bare-responder', process.execPath, [script, address, String(port)]);
  try {
    await waitReady(daemon, async () => (await query(address, port, BENCH_NAME, 'A', { timeoutMs: 300 })).answers.length === 1);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { label: 'bare Node.js', address, ports: { udp: port }, pid: daemon.child.pid, stop: () => daemon.stop() };
}

/**
 * Starts the floor of a validating cold resolution (bench/node-floor.js) on address:53/udp, asking
 * `zone`'s `servers`; resolves once it answers `probe` (a name of the zone).
 */
export async function startNodeFloor(address: string, zone: string, servers: string[], probe: string, label: string): Promise<Target> {
  const script = fileURLToPath(new URL('./node-floor.js', import.meta.url));
  const daemon = startDaemon('node-floor', process.execPath, [script, address, zone, ...servers]);
  try {
    await waitReady(daemon, async () => (await query(address, 53, probe, 'A', { timeoutMs: 500 })).answers.length > 0);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { label, address, ports: { udp: 53 }, pid: daemon.child.pid, output: () => daemon.output(), stop: () => daemon.stop() };
}

/** Starts Ward (src/main.js of this build) serving the record from local_zones, with DoT on 853. */
export async function startWard(
  dir: string, address: string, tls: CertFiles, nodeArgs: string[] = [], extra: Record<string, unknown> = {}, label = 'Ward', server: Record<string, unknown> = {},
): Promise<Target> {
  const ward = await startWardProcess({
    dir, address, tlsPort: 853, tls, nodeArgs, extra, server,
    localZones: [{ name: 'bench.test.', type: 'static', records: [BENCH_RECORD] }],
  });
  return {
    label, address, ports: { udp: 53, tcp: 53, dot: 853 }, pid: ward.daemon.child.pid,
    output: () => ward.daemon.output(), stop: () => ward.stop(),
  };
}

/** Starts Unbound serving the record as local-data, with DoT on 853. */
export async function startUnboundTarget(address: string, tls: CertFiles, threads = 1, label = 'Unbound'): Promise<Target> {
  const ub = await startUnbound({
    address, tlsPort: 853, tls, localZone: { name: 'bench.test.', records: [BENCH_RECORD] }, threads,
  });
  try {
    await waitReady(ub.daemon, () => tlsHandshakes(address, 853));
  } catch (err) {
    await ub.stop();
    throw err;
  }
  return { label, address, ports: { udp: 53, tcp: 53, dot: 853 }, pid: ub.daemon.child.pid, stop: () => ub.stop() };
}

/** Which resolver to start against a lab. */
export type LabResolver = 'Unbound' | 'Ward';

/** Where each resolver listens in lab runs (DESIGN.md: Ward on 127.0.2.x, peers on 127.0.3.x). */
export const LAB_RESOLVER_ADDRESS: Record<LabResolver, string> = { Ward: '127.0.2.1', Unbound: '127.0.3.1' };

export interface LabResolverOptions {
  /** DoT on port 853 with this certificate. */
  tls?: CertFiles;
  /** QNAME minimisation (RFC 9156); default: each resolver's default (on). */
  qnameMinimisation?: boolean;
  /** Ward only: extra Node.js flags (--trace-gc, --cpu-prof, ...). */
  nodeArgs?: string[];
  /** Ward only: cache.max_bytes. */
  cacheMaxBytes?: number;
  /** Validate against this trust anchor file (e.g. Lab.trustAnchorFile); default: no validation. */
  trustAnchorFile?: string;
  /** Unbound: num-threads; Ward: server.workers (default 1 each). */
  threads?: number;
  /** Ward only: server.share_cache_between_workers (default: Ward's, on). */
  shareBetweenWorkers?: boolean;
  /** Another listening and source address and label than the kind's (to run several of one kind). */
  address?: string;
  label?: string;
}

/**
 * Starts a recursive resolver, empty cache, through the lab's private root; with `tls`, also serving
 * DoT on 853. Its queries to the authorities come from its own listening address, so the lab's
 * `onQuery` can tell the resolvers apart. `dir` holds Ward's config and state (Unbound makes its own).
 */
export async function startLabResolver(kind: LabResolver, lab: Lab, dir: string, o: LabResolverOptions = {}): Promise<Target> {
  const { tls, qnameMinimisation, trustAnchorFile } = o;
  const address = o.address ?? LAB_RESOLVER_ADDRESS[kind];
  const label = o.label ?? kind;
  const ports = { udp: 53, tcp: 53, dot: tls ? 853 : undefined };
  if (kind === 'Unbound') {
    const u = await startUnbound({
      address, rootHintsFile: lab.rootHintsFile, tlsPort: ports.dot, tls, qnameMinimisation, outgoingInterface: address,
      trustAnchorFile, threads: o.threads,
    });
    try {
      if (tls) await waitReady(u.daemon, () => tlsHandshakes(address, 853));
    } catch (err) {
      await u.stop();
      throw err;
    }
    return { label, address, ports, pid: u.daemon.child.pid, output: () => u.daemon.output(), stop: () => u.stop() };
  }
  const w = await startWardProcess({
    dir, address, rootHints: lab.rootHints, tlsPort: ports.dot, tls, qnameMinimisation, nodeArgs: o.nodeArgs, sourceAddress: address,
    cacheMaxBytes: o.cacheMaxBytes, trustAnchors: trustAnchorFile === undefined ? undefined : [trustAnchorFile],
    server: {
      ...(o.threads === undefined ? {} : { workers: o.threads }),
      ...(o.shareBetweenWorkers === undefined ? {} : { share_cache_between_workers: o.shareBetweenWorkers }),
    },
  });
  return { label, address, ports, pid: w.daemon.child.pid, output: () => w.daemon.output(), stop: () => w.stop() };
}

/** What a local-data comparison needs, made in a temporary `root`: the DoT certificate, a query file of www.bench.test A, a directory per Ward. */
export interface LocalBench { root: string; cert: CertFiles; queryFile: string; dir(name: string): string }

/** Runs `body` with a LocalBench; every target it puts in `targets` is stopped and the directory removed after, even on error. */
export async function withLocalBench(prefix: string, body: (bench: LocalBench, targets: Target[]) => Promise<void>): Promise<void> {
  const tmp = makeTempDir(prefix);
  const targets: Target[] = [];
  try {
    const root = tmp.dir;
    const queryFile = join(root, 'queries.txt');
    writeFileSync(queryFile, `${BENCH_NAME} A\n`);
    const dir = (name: string): string => { const p = join(root, name); mkdirSync(p); return p; };
    await body({ root, cert: makeSelfSignedCert(root, 'bench.test'), queryFile, dir }, targets);
  } finally {
    await Promise.all(targets.map((t) => t.stop().catch(() => undefined)));
    tmp.remove();
  }
}
