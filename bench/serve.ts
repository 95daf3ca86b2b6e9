/**
 * The serving benchmark (`npm run bench`): dnsperf against a bare Node.js UDP responder, Ward (local_zones)
 * and Unbound (local-data), all answering www.bench.test A over loopback, in one run: throughput over
 * UDP, TCP (RFC 7766) and DoT (RFC 7858), then latency percentiles at a fixed rate. Prints a Markdown
 * report and writes it to bench/results/serve-<date>.md. Every child is stopped at the end, even on error.
 *
 * With two or more CPUs, dnsperf runs on CPU 0 and every server on CPU 1 (taskset), so they do not
 * compete for one core and the runs are steadier.
 *
 *   node dist/bench/serve.js [--seconds 5] [--rounds 3] [--rate 2000] [--no-write] [--no-pin]
 *                            [--latency-only] [--paired] [--nice -10] [--ward-node-arg --trace-gc]...
 * (--nice: dnsperf and every server thread run at that nice value, ahead of other work on a shared machine;
 *  --paired: the latency runs of one transport go at the same time, beside the bare responder over UDP.)
 * (--ward-node-arg passes Node.js flags to Ward, for diagnosis; Ward's output tail is then printed.)
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert } from '../test/helpers/lab-cert.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { REPO_ROOT } from '../test/helpers/paths.js';
import { runDnsperf, type PerfMode, type PerfResult } from './dnsperf.js';
import { publishReport, renderReport, runBench, type Cell } from './report.js';
import { BENCH_NAME, startBare, startUnboundTarget, startWard, type Target } from './targets.js';
import { cellFor, LOAD, measureThroughput, MODES, pinToCpu, portOf, reniceTarget } from './throughput.js';

interface Options {
  seconds: number; rounds: number; rate: number; write: boolean; pin: boolean; latencyOnly: boolean; wardNodeArgs: string[];
  nice?: number;
  /** Latency runs of one transport at the same time, beside a bare UDP control. */
  paired: boolean;
}

function parseOptions(argv: string[]): Options {
  const o: Options = {
    seconds: 5, rounds: 3, rate: 2000, write: true, pin: cpus().length >= 2, latencyOnly: false, wardNodeArgs: [], paired: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): number => {
      const n = Number(argv[++i]);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${a} needs a positive number`);
      return n;
    };
    if (a === '--seconds') o.seconds = Math.min(60, value());
    else if (a === '--rounds') o.rounds = Math.min(10, value());
    else if (a === '--rate') o.rate = value();
    else if (a === '--no-write') o.write = false;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--latency-only') o.latencyOnly = true;
    else if (a === '--paired') o.paired = true;
    else if (a === '--nice') o.nice = Math.max(-20, Math.min(19, Number(argv[++i]) || 0));
    else if (a === '--ward-node-arg') o.wardNodeArgs.push(argv[++i] ?? '');
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** The first line of a tool's output that holds a digit ("Version 2.10.0" → "2.10.0"), or "?". */
function version(cmd: string, args: string[]): string {
  try {
    const out = execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').find((l) => /\d/.test(l))?.trim().replace(/^Version /, '') ?? '?';
  } catch {
    return '?';
  }
}

function meta(o: Options): string[] {
  const commit = version('git', ['-C', REPO_ROOT, 'rev-parse', '--short', 'HEAD']);
  return [
    `date: ${new Date().toISOString()}; commit ${commit} (plus uncommitted changes, if any)`,
    `machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}; dnsperf ${version('dnsperf', ['-h'])}`,
    `Unbound ${version('unbound', ['-V'])}, num-threads 1; Ward: one process`,
    `load: UDP -c ${LOAD.udp.clients} -q ${LOAD.udp.outstanding}; `
      + `TCP and DoT -c ${LOAD.tcp.clients} -q ${LOAD.tcp.outstanding}; latency runs -c 1 -q 100 -Q ${o.rate} -v`,
    o.pin ? 'CPU pinning: dnsperf on CPU 0, each server (all its threads) on CPU 1' : 'no CPU pinning',
    o.nice !== undefined ? `priority: dnsperf and every server thread at nice ${o.nice}` : 'default priority (nice 0)',
    o.paired ? 'latency runs: all servers of a transport at the same time, with the bare responder over UDP beside TCP and DoT'
      : 'latency runs: one server at a time',
    'other work on the machine disturbs the numbers: compare ratios within one run, not across runs',
  ];
}

type Measured = { throughput: Cell[]; latency: Cell[] };

async function measure(targets: Target[], o: Options, queryFile: string, log: (s: string) => void): Promise<Measured> {
  const cpu = o.pin ? 0 : undefined;
  const throughput = o.latencyOnly ? [] : await measureThroughput(targets, { queryFile, seconds: o.seconds, rounds: o.rounds, cpu, nice: o.nice }, log);
  const latency: Cell[] = [];
  const fixedRate = (t: Target, mode: PerfMode): Promise<PerfResult> => runDnsperf({
    server: t.address, port: portOf(t, mode) ?? 0, mode, queryFile, seconds: o.seconds, cpu, nice: o.nice,
    clients: 1, outstanding: 100, qps: o.rate, latencies: true,
  });
  for (const mode of MODES) {
    const serving = targets.filter((t) => portOf(t, mode) !== undefined);
    if (o.paired) {
      // Every server of this transport at once, plus the bare responder over UDP as a control: the
      // machine's hiccups hit all of them in the same seconds.
      const bare = targets.find((t) => t.label === 'bare Node.js');
      const runs = serving.map((t) => ({ t, label: t.label, mode }));
      if (bare && mode !== 'udp') runs.push({ t: bare, label: `bare Node.js beside ${mode.toUpperCase()}`, mode: 'udp' });
      const results = await Promise.all(runs.map((r) => fixedRate(r.t, r.mode)));
      runs.forEach((r, i) => cellFor(latency, r.label, r.mode).runs.push(results[i]));
      log(`latency ${mode}: ${runs.map((r) => r.label).join(', ')} at once`);
      continue;
    }
    for (const t of serving) {
      const r = await fixedRate(t, mode);
      log(`latency ${mode} ${t.label}: ${Math.round(r.qps)} qps, ${r.latenciesMs.length} samples`);
      cellFor(latency, t.label, mode).runs.push(r);
    }
  }
  return { throughput, latency };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  const tmp = makeTempDir('ward-bench');
  const targets: Target[] = [];
  const cleanup = async (): Promise<void> => {
    await Promise.all(targets.map((t) => t.stop().catch(() => undefined)));
    tmp.remove();
  };
  const onSignal = (): void => { void cleanup().then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const cert = makeSelfSignedCert(tmp.dir, 'bench.test');
    const queryFile = join(tmp.dir, 'queries.txt');
    writeFileSync(queryFile, `${BENCH_NAME} A\n`);
    targets.push(await startBare('127.0.3.3', 53));
    targets.push(await startWard(tmp.dir, '127.0.2.1', cert, o.wardNodeArgs));
    targets.push(await startUnboundTarget('127.0.3.1', cert));
    if (o.pin) for (const t of targets) pinToCpu(t, 1);
    if (o.nice !== undefined) for (const t of targets) reniceTarget(t, o.nice);
    log(`servers up; ${o.rounds} round(s) of ${o.seconds} s per run`);
    const results = await measure(targets, o, queryFile, log);
    if (o.wardNodeArgs.length > 0) log(`Ward's output (tail):\n${targets.find((t) => t.label === 'Ward')?.output?.() ?? ''}`);
    publishReport('serve', renderReport({ meta: meta(o), ...results, rate: o.rate, seconds: o.seconds, rounds: o.rounds }), o.write, log);
  } finally {
    await cleanup();
  }
}

runBench(main);
