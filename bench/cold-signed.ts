/**
 * The signed cold-cache benchmark (`npm run bench:cold-signed`, issue 10): never-asked names of one signed
 * ECDSA zone served by NSD, Knot and BIND behind the delaying relays (signed-zone.ts; the root and TLD are
 * signed too, so every resolver validates the whole chain), resolved by Ward (workers: 1 and 2, and 2 with
 * server.share_cache_between_workers off as the control), Unbound
 * (1 and 2 threads) and BIND named, each validating, in one run. Per repetition and resolver, a process
 * just started (no warm-up) and a process that has first resolved `--warmup` other names of the zone
 * each get a cold pass over the same names (dnsperf -n 1, `--concurrency` outstanding; cold.ts's coldRun),
 * and the warmed one then a hot pass over UDP. Resolvers run one at a time, in an order that rotates with
 * the repetition. Prints Markdown and writes bench/results/cold-signed-<date>.md.
 *
 *   node dist/bench/cold-signed.js [--names 10000] [--warmup 2000] [--rtt 20] [--concurrency 200] [--seconds 5]
 *                                  [--rounds 3] [--no-write] [--only 'Ward, workers: 1']... [--ward-node-arg --cpu-prof]...
 *                                  [--heap-snapshot DIR]
 * --heap-snapshot: after its hot pass, each Ward process writes a V8 heap snapshot into DIR (SIGUSR2 through
 * --heapsnapshot-signal; one process, so workers: 1) before it is stopped; bench/heap-summary.ts reads it.
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startLab, type Lab } from '../test/helpers/lab.js';
import { LAB_ADDR } from '../test/helpers/lab-zones.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { coldRun, countQuery, countsFrom, flagNumber, memoryKiB, sum } from './cold.js';
import { renderColdSigned, type SignedOptions, type SignedRun } from './cold-signed-report.js';
import { runDnsperf } from './dnsperf.js';
import { startNamedResolver } from './named-resolver.js';
import { parseBenchOptions, publishReport, runBench, stopOnSignal } from './report.js';
import { SIGNED_REPLICAS, SIGNED_ZONE, signedTree } from './signed-zone.js';
import { startLabResolver, startNodeFloor, type Target } from './targets.js';
import { measureThroughput } from './throughput.js';

const FLOOR = 'Node floor: one query, one check';

/** The resolvers of one run, each with its own listening and source address (the relays count by source). */
const RESOLVERS: { label: string; coldOnly?: true; start(lab: Lab, dir: string, o: SignedOptions): Promise<Target> }[] = [
  { label: 'Ward, workers: 1', start: (lab, dir, o) => startLabResolver('Ward', lab, dir, { trustAnchorFile: lab.trustAnchorFile, nodeArgs: wardNodeArgs(o), label: 'Ward, workers: 1' }) },
  { label: 'Ward, workers: 2', start: (lab, dir, o) => startLabResolver('Ward', lab, dir, { trustAnchorFile: lab.trustAnchorFile, nodeArgs: wardNodeArgs(o), threads: 2, address: '127.0.2.2', label: 'Ward, workers: 2' }) },
  // The control for server.share_cache_between_workers: each worker resolves what it is asked itself.
  { label: 'Ward, workers: 2, not sharing', start: (lab, dir, o) => startLabResolver('Ward', lab, dir, { trustAnchorFile: lab.trustAnchorFile, nodeArgs: wardNodeArgs(o), threads: 2, shareBetweenWorkers: false, address: '127.0.2.3', label: 'Ward, workers: 2, not sharing' }) },
  { label: 'Unbound, 1 thread', start: (lab, dir) => startLabResolver('Unbound', lab, dir, { trustAnchorFile: lab.trustAnchorFile, label: 'Unbound, 1 thread' }) },
  { label: 'Unbound, 2 threads', start: (lab, dir) => startLabResolver('Unbound', lab, dir, { trustAnchorFile: lab.trustAnchorFile, threads: 2, address: '127.0.3.2', label: 'Unbound, 2 threads' }) },
  { label: 'named, 2 threads', start: (lab) => startNamedResolver(lab, '127.0.3.4', 2, 'named, 2 threads') },
  // Not a resolver: what Node, dns-packet and OpenSSL cost per name (node-floor.ts), so Ward's own share shows;
  // it has no cache, so no hot pass.
  { label: FLOOR, coldOnly: true, start: () => startNodeFloor('127.0.3.80', SIGNED_ZONE, [LAB_ADDR.nsd, LAB_ADDR.knot, LAB_ADDR.bind], `ns1.${SIGNED_ZONE}`, FLOOR) },
];

/** The same load for every resolver's hot pass: several sockets, so the kernel spreads them over threads and workers. */
const HOT_LOAD = { udp: { clients: 4, outstanding: 100 } };

/** Ward's node flags: those given, and with --heap-snapshot the signal that writes one into that directory. */
function wardNodeArgs(o: SignedOptions): string[] {
  if (o.heapSnapshotDir === undefined) return o.wardNodeArgs;
  mkdirSync(o.heapSnapshotDir, { recursive: true });
  return [...o.wardNodeArgs, '--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${o.heapSnapshotDir}`];
}

/** Has Ward write a heap snapshot (see --heap-snapshot) and waits until the file stops growing; returns its path. */
async function heapSnapshot(t: Target, dir: string): Promise<string> {
  const pid = t.pid as number;
  const mine = (): string[] => readdirSync(dir).filter((f) => f.endsWith('.heapsnapshot') && f.includes(`.${pid}.`));
  const before = new Set(mine());
  process.kill(pid, 'SIGUSR2');
  let size = -1;
  for (let waited = 0; waited < 300_000; waited += 1000) {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const file = mine().find((f) => !before.has(f));
    if (file === undefined) continue;
    const now = statSync(join(dir, file)).size;
    if (now > 0 && now === size) return join(dir, file);
    size = now;
  }
  throw new Error(`no heap snapshot from process ${pid} in ${dir}`);
}

function parseOptions(argv: string[]): SignedOptions {
  const defaults: SignedOptions = { names: 10_000, warmup: 2_000, rtt: 20, concurrency: 200, seconds: 5, rounds: 3, write: true, only: [], wardNodeArgs: [] };
  return parseBenchOptions(argv, defaults, (a, o, next) => {
    const value = (max: number): number => flagNumber(a, next(), max);
    if (a === '--only') o.only.push(next());
    else if (a === '--ward-node-arg') o.wardNodeArgs.push(next());
    else if (a === '--heap-snapshot') o.heapSnapshotDir = next();
    else if (a === '--names') o.names = Math.max(10, value(90_000));
    else if (a === '--warmup') o.warmup = value(9_000);
    else if (a === '--rtt') o.rtt = value(500);
    else if (a === '--concurrency') o.concurrency = Math.max(1, value(1000));
    else return false;
    return true;
  });
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  const tree = signedTree(o.names + o.warmup);
  const warmNames = tree.names.slice(0, o.warmup);
  const measured = { ...tree, names: tree.names.slice(o.warmup) };
  const resolvers = RESOLVERS.filter((r) => o.only.length === 0 || o.only.includes(r.label));
  const tmp = makeTempDir('ward-cold-signed');
  let lab: Lab | undefined;
  let running: Target | undefined;
  const cleanup = async (): Promise<void> => {
    await running?.stop().catch(() => undefined);
    await lab?.stop();
    tmp.remove();
  };
  stopOnSignal(cleanup);
  try {
    log(`${measured.names.length} names (+${warmNames.length} for the warm-up) in one signed zone; signing and starting the lab (rtt ${o.rtt} ms)`);
    lab = await startLab({
      rttMs: o.rtt, zones: tree.zones, replicas: SIGNED_REPLICAS, dnssec: true, dot: false, readyTimeoutMs: 120_000,
      onQuery: (m, from) => countQuery(tree, m, from),
    });
    const queryFile = join(tmp.dir, 'names.txt');
    writeFileSync(queryFile, measured.names.map((n) => `${n} A\n`).join(''));
    const warmFile = join(tmp.dir, 'warm-up.txt');
    writeFileSync(warmFile, warmNames.map((n) => `${n} A\n`).join(''));
    const runs: SignedRun[] = [];
    const warmups = o.warmup > 0 ? [0, o.warmup] : [0];
    for (let round = 1; round <= o.rounds; round++) {
      const order = resolvers.map((_, i) => resolvers[(i + round - 1) % resolvers.length]);
      for (const warmup of warmups) {
        for (const r of order) {
          const dir = join(tmp.dir, `${round}-${warmup}-${runs.length}`);
          mkdirSync(dir);
          const t = running = await r.start(lab, dir, o);
          if (warmup > 0) {
            await runDnsperf({ server: t.address, port: t.ports.udp, mode: 'udp', queryFile: warmFile, passes: 1, seconds: 600, timeoutS: 10, clients: 1, outstanding: o.concurrency });
          }
          const cold = await coldRun(lab, t, measured, o, queryFile, true);
          const run: SignedRun = { round, label: r.label, warmup, cold, hotQps: NaN, hotLost: NaN, hotUpstream: NaN };
          if (warmup > 0 && r.coldOnly !== true) {
            const upstreamBefore = sum(countsFrom(t.address));
            const hot = (await measureThroughput([t], { queryFile, seconds: o.seconds, rounds: 1, modes: ['udp'], load: HOT_LOAD }, () => undefined))[0]?.runs[0];
            run.hotQps = hot?.qps ?? NaN;
            run.hotLost = hot?.lost ?? NaN;
            run.hotUpstream = sum(countsFrom(t.address)) - upstreamBefore;
            cold.hwmHot = memoryKiB(t.pid, 'VmHWM');
            if (o.heapSnapshotDir !== undefined && r.label.startsWith('Ward')) log(`heap snapshot: ${await heapSnapshot(t, o.heapSnapshotDir)}`);
          }
          log(`round ${round}, warm-up ${warmup}, ${r.label}: ${cold.perf.completed}/${cold.perf.sent} answered, ${Math.round(cold.perf.qps)} qps, `
            + `${(cold.upstream / cold.perf.completed).toFixed(2)} upstream q/name, ${((1000 * cold.cpuSeconds) / cold.perf.completed).toFixed(3)} ms CPU/name, `
            + `AD ${cold.check.authentic}/${cold.check.checked}, right ${cold.check.right}/${cold.check.checked}${!Number.isNaN(run.hotQps) ? `, hot ${Math.round(run.hotQps)} qps (lost ${run.hotLost}, upstream queries ${run.hotUpstream})` : ''}`);
          runs.push(run);
          if (o.wardNodeArgs.length > 0 && r.label.startsWith('Ward')) log(`${r.label}'s output (tail):\n${t.output?.() ?? ''}`);
          running = undefined;
          await t.stop();
        }
      }
    }
    publishReport('cold-signed', renderColdSigned({ options: o, tree: measured, runs, labSoftware: lab.software }), o.write, log);
  } finally {
    await cleanup();
  }
}

runBench(main);
