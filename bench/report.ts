/**
 * Renders the serving benchmark's results as Markdown: throughput per transport with ratios
 * (Ward/bare Node.js, Ward/Unbound), and latency percentiles at a fixed query rate.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../test/helpers/paths.js';
import { quantile, type PerfMode, type PerfResult } from './dnsperf.js';

/** Results of one server on one transport: every round's run. */
export interface Cell { target: string; mode: PerfMode; runs: PerfResult[] }

export interface ReportInput {
  /** Lines describing the machine, versions and settings. */
  meta: string[];
  throughput: Cell[];
  latency: Cell[];
  rate: number;
  seconds: number;
  rounds: number;
}

const MODE_LABEL: Record<PerfMode, string> = { udp: 'UDP', tcp: 'TCP', dot: 'DoT' };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** Median queries per second of a cell (NaN when the server does not speak that transport). */
export function medianQps(cells: Cell[], target: string, mode: PerfMode): number {
  const cell = cells.find((c) => c.target === target && c.mode === mode);
  return cell ? median(cell.runs.map((r) => r.qps)) : NaN;
}

function num(n: number, digits = 0): string {
  return Number.isNaN(n) ? '–' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function lossText(runs: PerfResult[]): string {
  const sent = runs.reduce((a, r) => a + r.sent, 0);
  const lost = runs.reduce((a, r) => a + r.lost, 0);
  return lost === 0 ? '0' : `${lost} (${((100 * lost) / sent).toFixed(2)}%)`;
}

/** Throughput per transport with Ward/bare and Ward/Unbound ratios (median of each cell's runs). */
export function throughputTable(cells: Cell[]): string[] {
  const rows = [
    '| transport | bare Node.js qps | Ward qps | Unbound qps | Ward / bare | Ward / Unbound | Ward lost |',
    '|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const mode of ['udp', 'tcp', 'dot'] as PerfMode[]) {
    const bare = medianQps(cells, 'bare Node.js', mode);
    const ward = medianQps(cells, 'Ward', mode);
    const unbound = medianQps(cells, 'Unbound', mode);
    const wardCell = cells.find((c) => c.target === 'Ward' && c.mode === mode);
    rows.push(`| ${MODE_LABEL[mode]} | ${num(bare)} | ${num(ward)} | ${num(unbound)} | ${num(ward / bare, 2)} | `
      + `${num(ward / unbound, 2)} | ${wardCell ? lossText(wardCell.runs) : '–'} |`);
  }
  return rows;
}

function runsDetail(input: ReportInput): string[] {
  if (input.rounds < 2) return [];
  const lines = input.throughput.map((c) => `- ${MODE_LABEL[c.mode]} ${c.target}: ${c.runs.map((r) => num(r.qps)).join(', ')}`);
  return ['', 'Every round, per server (rounds start with a different server each time):', '', ...lines];
}

function latencyTable(input: ReportInput): string[] {
  const rows = [
    '| transport | server | achieved qps | p50 ms | p99 ms | max ms | over 1 ms | lost |',
    '|---|---|--:|--:|--:|--:|--:|--:|',
  ];
  for (const cell of input.latency) {
    const all = cell.runs.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    rows.push(`| ${MODE_LABEL[cell.mode]} | ${cell.target} | ${num(median(cell.runs.map((r) => r.qps)))} | `
      + `${num(quantile(all, 0.5), 3)} | ${num(quantile(all, 0.99), 3)} | ${num(all[all.length - 1] ?? NaN, 3)} | `
      + `${num((100 * all.filter((ms) => ms > 1).length) / all.length, 2)}% | ${lossText(cell.runs)} |`);
  }
  return rows;
}

/** The whole report as Markdown. */
export function renderReport(input: ReportInput): string {
  return [
    '# Serving benchmark: cache-hit-like answers from local data',
    '',
    ...input.meta.map((m) => `- ${m}`),
    '',
    `## Throughput (dnsperf as fast as answers come; median of ${input.rounds} round(s) of ${input.seconds} s)`,
    '',
    ...throughputTable(input.throughput),
    ...runsDetail(input),
    '',
    `## Latency at a fixed rate (${num(input.rate)} qps, one connection or socket, ${input.seconds} s per run)`,
    '',
    ...latencyTable(input),
    '',
    'The bare Node.js responder answers one fixed packet over UDP only; it is the floor for any Node.js',
    'server on this machine. DESIGN.md target: Ward over UDP at least 0.90 of it; p99 under 1 ms',
    '("over 1 ms": the share of answers slower than that; the bare responder\'s share is this machine\'s floor).',
    '',
  ].join('\n');
}

/** Prints a report and, when `write`, keeps it as bench/results/<kind>-<date>.md. */
export function publishReport(kind: string, report: string, write: boolean, log: (line: string) => void): void {
  process.stdout.write(report);
  if (!write) return;
  const dir = join(REPO_ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${kind}-${new Date().toISOString().slice(0, 10)}.md`);
  writeFileSync(file, report);
  log(`wrote ${file}`);
}

/** Runs a benchmark's main, reporting a failure on stderr with exit code 1. */
export function runBench(main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  });
}

/** On SIGINT or SIGTERM: runs `cleanup` (every child stopped, files removed), then exits with 130. */
export function stopOnSignal(cleanup: () => Promise<void>): void {
  const onSignal = (): void => { void cleanup().then(() => process.exit(130)); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
}

/** A Markdown table `| target | median qps | ÷ base |` of `labels` over UDP, as ratios to `base` (named `baseName` in the header). */
export function ratioRows(cells: Cell[], labels: string[], base: string, baseName: string): string[] {
  const b = medianQps(cells, base, 'udp');
  return [`| target | median qps | ÷ ${baseName} |`, '|---|---:|---:|',
    ...labels.map((label) => { const q = medianQps(cells, label, 'udp'); return `| ${label} | ${Math.round(q)} | ${(q / b).toFixed(3)} |`; })];
}

/** What every throughput bench takes: `--seconds` (1..60), `--rounds` (1..10), `--no-write`. */
export interface BenchOptions { seconds: number; rounds: number; write: boolean }

/**
 * Reads `argv` over `defaults`: a value that is not a number falls back to its default. `own` reads
 * the bench's own flags (e.g. `--no-pin`; `next()` takes the argument after a flag as its value) and
 * returns whether it took `arg`; anything else is an error.
 */
export function parseBenchOptions<T extends BenchOptions>(
  argv: string[], defaults: T, own: (arg: string, o: T, next: () => string) => boolean = () => false,
): T {
  const o = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--seconds') o.seconds = Math.min(60, Math.max(1, Number(argv[++i]) || defaults.seconds));
    else if (a === '--rounds') o.rounds = Math.min(10, Math.max(1, Number(argv[++i]) || defaults.rounds));
    else if (a === '--no-write') o.write = false;
    else if (!own(a, o, () => argv[++i] ?? '')) throw new Error(`unknown argument ${a}`);
  }
  return o;
}
