/**
 * Renders the signed cold-cache benchmark (cold-signed.ts) as Markdown: per resolver and warm-up, min–max
 * over the repetitions of names answered, qps, p50/p99, upstream queries per name, CPU seconds per 10,000
 * names, peak RSS and the AD bit on sampled answers; the hot pass; and the ratios to one-thread Unbound
 * (each taken within one repetition) against issue 10's targets.
 */
import { cpus } from 'node:os';
import type { LabServer } from '../test/helpers/lab-zones.js';
import type { ColdResult } from './cold-report.js';
import type { BenchOptions } from './report.js';
import { quantile } from './dnsperf.js';
import type { ScaleTree } from './scale-zones.js';

export interface SignedOptions extends BenchOptions {
  names: number; warmup: number; rtt: number; concurrency: number;
  /** Run only the resolvers with these labels (all when empty). */
  only: string[];
  /** Extra Node.js flags for Ward (diagnosis only). */
  wardNodeArgs: string[];
  /** Where a heap snapshot of each Ward process is written after its hot pass (`--heap-snapshot DIR`; diagnosis only, workers: 1). */
  heapSnapshotDir?: string;
}

/** One resolver's cold pass (and, after a warm-up, hot pass) in one repetition. */
export interface SignedRun {
  round: number; label: string; warmup: number; cold: ColdResult;
  /** The hot pass (runs after a warm-up only): qps, queries dnsperf counted lost (no answer in 2 s), queries the authorities saw. */
  hotQps: number; hotLost: number; hotUpstream: number;
}

export interface SignedReport { options: SignedOptions; tree: ScaleTree; runs: SignedRun[]; labSoftware: Record<LabServer, LabServer> }

/** The base of every ratio: Unbound with one thread, as in the issue. */
const BASE = 'Unbound, 1 thread';

function num(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

/** "min–max" of `values` (one value when they agree at this precision). */
function range(values: number[], digits = 0): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const lo = num(Math.min(...finite), digits);
  const hi = num(Math.max(...finite), digits);
  return lo === hi ? lo : `${lo}–${hi}`;
}

const cpuMsPerName = (c: ColdResult): number => (1000 * c.cpuSeconds) / c.perf.completed;
const metrics: [string, (r: SignedRun) => number, number][] = [
  ['qps', (r) => r.cold.perf.qps, 0],
  ['p50 ms', (r) => quantile(r.cold.perf.latenciesMs, 0.5), 1],
  ['p99 ms', (r) => quantile(r.cold.perf.latenciesMs, 0.99), 1],
  ['upstream q per name', (r) => r.cold.upstream / r.cold.perf.completed, 2],
  ['CPU s per 10,000 names', (r) => (10_000 * r.cold.cpuSeconds) / r.cold.perf.completed, 2],
  ['peak RSS cold MiB', (r) => r.cold.hwmCold / 1024, 1],
];

function labels(runs: SignedRun[]): string[] {
  return [...new Set(runs.map((r) => r.label))];
}

function coldTable(runs: SignedRun[]): string[] {
  const rows = [
    `| resolver | names answered | ${metrics.map(([m]) => m).join(' | ')} | AD on sampled answers | sampled answers right |`,
    `|---|--:|${metrics.map(() => '--:').join('|')}|--:|--:|`,
  ];
  for (const label of labels(runs)) {
    const mine = runs.filter((r) => r.label === label);
    const answered = range(mine.map((r) => r.cold.perf.completed));
    const sample = (f: (c: ColdResult) => number): string => range(mine.map((r) => f(r.cold)));
    rows.push(`| ${label} | ${answered} / ${num(mine[0].cold.perf.sent)} | ${metrics.map(([, f, d]) => range(mine.map(f), d)).join(' | ')} | `
      + `${sample((c) => c.check.authentic)} / ${mine[0].cold.check.checked} | ${sample((c) => c.check.right)} / ${mine[0].cold.check.checked} |`);
  }
  return rows;
}

function hotTable(runs: SignedRun[]): string[] {
  const rows = ['| resolver | hot UDP qps | ÷ Unbound, 1 thread | lost | upstream queries | peak RSS after cold + hot MiB | ÷ Unbound, 1 thread |', '|---|--:|--:|--:|--:|--:|--:|'];
  for (const label of labels(runs)) {
    const mine = runs.filter((r) => r.label === label);
    rows.push(`| ${label} | ${range(mine.map((r) => r.hotQps))} | ${range(ratios(runs, label, (r) => r.hotQps), 2)} | ${range(mine.map((r) => r.hotLost))} | ${range(mine.map((r) => r.hotUpstream))} | `
      + `${range(mine.map((r) => r.cold.hwmHot / 1024), 1)} | ${range(ratios(runs, label, (r) => r.cold.hwmHot), 2)} |`);
  }
  return rows;
}

/** `label`'s value over BASE's in the same repetition and warm-up, for every repetition where both ran. */
function ratios(runs: SignedRun[], label: string, f: (r: SignedRun) => number): number[] {
  return runs.filter((r) => r.label === label).flatMap((r) => {
    const base = runs.find((b) => b.label === BASE && b.round === r.round && b.warmup === r.warmup);
    return base ? [f(r) / f(base)] : [];
  });
}

function targets(runs: SignedRun[]): string[] {
  const verdict = (values: number[], ok: (v: number) => boolean): string =>
    (values.length === 0 ? 'not run' : values.every(ok) ? 'met' : values.some(ok) ? '**met in some repetitions**' : '**missed**');
  const one = runs.filter((r) => r.label === 'Ward, workers: 1');
  const cpu = one.map((r) => cpuMsPerName(r.cold));
  const qps1 = ratios(runs, 'Ward, workers: 1', (r) => r.cold.perf.qps);
  const qps2 = ratios(runs, 'Ward, workers: 2', (r) => r.cold.perf.qps);
  const rss = ratios(runs.filter((r) => r.warmup > 0), 'Ward, workers: 1', (r) => r.cold.hwmHot);
  return [
    `- CPU per cold signed name, Ward workers: 1: ${range(cpu, 3)} ms (target ≤ 0.15 ms: ${verdict(cpu, (v) => v <= 0.15)})`,
    `- cold qps, Ward workers: 1 / ${BASE}: ${range(qps1, 2)} (target ≥ 1.00: ${verdict(qps1, (v) => v >= 1)})`,
    `- cold qps, Ward workers: 2 / ${BASE}: ${range(qps2, 2)} (target ≥ 1.25: ${verdict(qps2, (v) => v >= 1.25)})`,
    ...(rss.length === 0 ? [] : [`- peak RSS after cold + hot, Ward workers: 1 / ${BASE}: ${range(rss, 2)} (target ≤ 2.00: ${verdict(rss, (v) => v <= 2)})`]),
  ];
}

/** The whole report as Markdown. */
export function renderColdSigned(r: SignedReport): string {
  const o = r.options;
  const wrong = r.runs.flatMap((run) => run.cold.check.wrong.map((w) => `- ${run.label}, round ${run.round}: ${w}`)).slice(0, 10);
  const byWarmup = [...new Set(r.runs.map((run) => run.warmup))].flatMap((w) => {
    const runs = r.runs.filter((run) => run.warmup === w);
    return [
      w === 0 ? '## Cold pass, no warm-up (each process just started)' : `## Cold pass after a warm-up of ${num(w)} other names of the zone`,
      '',
      ...coldTable(runs),
      '',
      'Cold qps ÷ Unbound, 1 thread (within each repetition): '
        + `${labels(runs).filter((l) => l !== BASE).map((l) => `${l} ${range(ratios(runs, l, (x) => x.cold.perf.qps), 2)}`).join('; ')}.`,
      'CPU per name ÷ Unbound, 1 thread: '
        + `${labels(runs).filter((l) => l !== BASE).map((l) => `${l} ${range(ratios(runs, l, (x) => x.cold.cpuSeconds / x.cold.perf.completed), 2)}`).join('; ')}.`,
      '',
      ...targets(runs),
      '',
    ];
  });
  return [
    '# Cold-cache benchmark, signed: never-asked names of one ECDSA zone, validated',
    '',
    `- date: ${new Date().toISOString()}; machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}`,
    `- tree: the lab's root and TLDs, scale. (Knot) and big.scale. served by NSD, Knot and ${r.labSoftware.bind === 'bind' ? 'BIND' : 'a second Knot'}; `
      + 'every zone signed with ECDSA P-256 (algorithm 13, NSEC); resolvers validate from the root\'s DS',
    `- ${num(r.tree.names.length)} unique A names, shuffled; round-trip time ${o.rtt} ms to every authority (delaying relays, which count the queries)`,
    `- load: dnsperf over UDP, each name once (-n 1), ${o.concurrency} outstanding, 10 s timeout; ${o.rounds} repetition(s), `
      + 'each resolver alone on the machine with the lab and dnsperf, in an order rotating with the repetition, started anew for every pass (empty cache)',
    '- hot pass (after the warmed cold pass): the same names, cached, dnsperf UDP from 4 sockets, 100 outstanding, '
      + `${o.seconds} s; nothing pinned; peak RSS (VmHWM) of a resolver with several processes is the sum of each process's peak`,
    '- Ward: defaults, validating; Unbound: module-config "validator iterator", default caches; named: `dnssec-validation yes`, default caches, -n 2'
      + `${o.wardNodeArgs.length > 0 ? `; Ward's node flags: ${o.wardNodeArgs.join(' ')}` : ''}`,
    '',
    ...byWarmup,
    ...(o.warmup > 0 ? [`## Hot pass: the same names, cached (after the warm-up and cold pass)`, '', ...hotTable(r.runs.filter((run) => run.warmup > 0)), ''] : []),
    ...(wrong.length > 0 ? ['Wrong sampled answers (first few):', '', ...wrong, ''] : []),
  ].join('\n');
}
