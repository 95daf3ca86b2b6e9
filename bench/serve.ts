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
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { makeSelfSignedCert } from '../test/helpers/lab-cert.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { REPO_ROOT } from '../test/helpers/paths.js';
import { runDnsperf, type PerfMode, type PerfRun } from './dnsperf.js';
import { renderReport, type Cell } from './report.js';
import { BENCH_NAME, startBare, startUnboundTarget, startWard, type Target } from './targets.js';

interface Options { seconds: number; rounds: number; rate: number; write: boolean; pin: boolean }

function parseOptions(argv: string[]): Options {
  const o: Options = { seconds: 5, rounds: 3, rate: 2000, write: true, pin: cpus().length >= 2 };
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
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** Load shape for the throughput runs: the same for every server. */
const LOAD: Record<PerfMode, { clients: number; outstanding: number }> = {
  udp: { clients: 1, outstanding: 100 },
  tcp: { clients: 4, outstanding: 100 },
  dot: { clients: 4, outstanding: 100 },
};

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
    'other work on the machine disturbs the numbers: compare ratios within one run, not across runs',
  ];
}

/** Moves every thread of the target's process to one CPU. */
function pinToCpu(t: Target, cpu: number): void {
  if (t.pid === undefined) throw new Error(`${t.label}: no process id to pin`);
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(t.pid)], { stdio: 'ignore' });
}

type Measured = { throughput: Cell[]; latency: Cell[] };

async function measure(targets: Target[], o: Options, queryFile: string, log: (s: string) => void): Promise<Measured> {
  const throughput: Cell[] = [];
  const latency: Cell[] = [];
  const cell = (list: Cell[], target: string, mode: PerfMode): Cell => {
    let c = list.find((x) => x.target === target && x.mode === mode);
    if (!c) list.push(c = { target, mode, runs: [] });
    return c;
  };
  const cpu = o.pin ? 0 : undefined;
  const portOf = (t: Target, mode: PerfMode): number | undefined => (mode === 'udp' ? t.ports.udp : t.ports[mode]);
  for (let round = 1; round <= o.rounds; round++) {
    // Each round starts with a different server, so slow drifts in machine load spread over all of them.
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const mode of ['udp', 'tcp', 'dot'] as PerfMode[]) {
      for (const t of order) {
        const port = portOf(t, mode);
        if (port === undefined) continue;
        const run: PerfRun = { server: t.address, port, mode, queryFile, seconds: o.seconds, cpu, ...LOAD[mode] };
        const r = await runDnsperf(run);
        log(`round ${round} ${mode} ${t.label}: ${Math.round(r.qps)} qps, lost ${r.lost}`);
        cell(throughput, t.label, mode).runs.push(r);
      }
    }
  }
  for (const mode of ['udp', 'tcp', 'dot'] as PerfMode[]) {
    for (const t of targets) {
      const port = portOf(t, mode);
      if (port === undefined) continue;
      const r = await runDnsperf({
        server: t.address, port, mode, queryFile, seconds: o.seconds, cpu,
        clients: 1, outstanding: 100, qps: o.rate, latencies: true,
      });
      log(`latency ${mode} ${t.label}: ${Math.round(r.qps)} qps, ${r.latenciesMs.length} samples`);
      cell(latency, t.label, mode).runs.push(r);
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
    targets.push(await startWard(tmp.dir, '127.0.2.1', cert));
    targets.push(await startUnboundTarget('127.0.3.1', cert));
    if (o.pin) for (const t of targets) pinToCpu(t, 1);
    log(`servers up; ${o.rounds} round(s) of ${o.seconds} s per run`);
    const results = await measure(targets, o, queryFile, log);
    const report = renderReport({ meta: meta(o), ...results, rate: o.rate, seconds: o.seconds, rounds: o.rounds });
    process.stdout.write(report);
    if (o.write) {
      const dir = join(REPO_ROOT, 'bench', 'results');
      mkdirSync(dir, { recursive: true });
      const file = join(dir, `serve-${new Date().toISOString().slice(0, 10)}.md`);
      writeFileSync(file, report);
      log(`wrote ${file}`);
    }
  } finally {
    await cleanup();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
