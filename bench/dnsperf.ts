/**
 * Runs dnsperf (DNS-OARC, Debian package) once and reads its summary: queries sent, completed and lost,
 * queries per second, and, for fixed-rate runs with -v, each query's latency (for p50 and p99).
 * Every run is bounded: dnsperf's own -l limit, and a kill if it overruns that by 10 s.
 */
import { spawn } from 'node:child_process';

export type PerfMode = 'udp' | 'tcp' | 'dot';

export interface PerfRun {
  server: string;
  port: number;
  mode: PerfMode;
  /** File of "name type" lines. */
  queryFile: string;
  seconds: number;
  /** Concurrent clients (sockets or connections). */
  clients: number;
  /** Most queries outstanding at once. */
  outstanding: number;
  /** Fixed rate; undefined: as fast as the server answers. */
  qps?: number;
  /** Record each query's latency (-v). */
  latencies?: boolean;
  /** Run dnsperf on this CPU only (taskset). */
  cpu?: number;
  /** Go through the query file this many times at most (-n; 1: each name once); `seconds` still bounds it. */
  passes?: number;
  /** Seconds before a query counts as lost (-t; default 2). */
  timeoutS?: number;
  /** Run dnsperf with this nice value (negative: ahead of other work on the machine; needs root). */
  nice?: number;
}

export interface PerfResult {
  sent: number;
  completed: number;
  lost: number;
  qps: number;
  avgLatencyMs: number;
  /** Sorted per-query latencies in ms, when asked for. */
  latenciesMs: number[];
  /** Responses per RCODE name ("NOERROR": 9990, ...). */
  rcodes: Record<string, number>;
}

function field(out: string, label: string): number {
  const m = new RegExp(`${label}:\\s+([0-9.]+)`).exec(out);
  if (!m) throw new Error(`dnsperf output lacks "${label}":\n${out.slice(-2000)}`);
  return Number(m[1]);
}

/** The q-th quantile (0..1) of sorted values (nearest rank). */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank];
}

/** "Response codes: NOERROR 9990 (99.90%), SERVFAIL 10 (0.10%)" → { NOERROR: 9990, SERVFAIL: 10 }. */
function parseRcodes(stats: string): Record<string, number> {
  const out: Record<string, number> = {};
  const line = /Response codes:\s+(.*)$/m.exec(stats)?.[1] ?? '';
  for (const m of line.matchAll(/([A-Z]+) (\d+) \(/g)) out[m[1]] = Number(m[2]);
  return out;
}

/** Parses dnsperf's output; exported for tests of the parser. */
export function parseDnsperf(out: string): PerfResult {
  const latenciesMs: number[] = [];
  for (const m of out.matchAll(/^> \S+ \S+ \S+ ([0-9.]+)$/gm)) latenciesMs.push(Number(m[1]) * 1000);
  latenciesMs.sort((a, b) => a - b);
  const stats = out.slice(out.indexOf('Statistics:'));
  return {
    sent: field(stats, 'Queries sent'),
    completed: field(stats, 'Queries completed'),
    lost: field(stats, 'Queries lost'),
    qps: field(stats, 'Queries per second'),
    avgLatencyMs: field(stats, 'Average Latency \\(s\\)') * 1000,
    latenciesMs,
    rcodes: parseRcodes(stats),
  };
}

/** The dnsperf arguments for `run`. */
export function dnsperfArgs(run: PerfRun): string[] {
  const args = [
    '-s', run.server, '-p', String(run.port), '-m', run.mode, '-d', run.queryFile,
    '-l', String(run.seconds), '-c', String(run.clients), '-q', String(run.outstanding), '-t', String(run.timeoutS ?? 2),
    '-O', 'suppress=timeouts,congestion,sendfailed,sockready,unexpected',
  ];
  if (run.qps !== undefined) args.push('-Q', String(run.qps));
  if (run.latencies) args.push('-v');
  if (run.passes !== undefined) args.push('-n', String(run.passes));
  return args;
}

/** Runs dnsperf and resolves with its parsed summary; rejects if it fails or overruns. */
export function runDnsperf(run: PerfRun): Promise<PerfResult> {
  return new Promise((resolve, reject) => {
    let argv = ['dnsperf', ...dnsperfArgs(run)];
    if (run.cpu !== undefined) argv = ['taskset', '-c', String(run.cpu), ...argv];
    if (run.nice !== undefined) argv = ['nice', '-n', String(run.nice), ...argv];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let errTail = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => { errTail = (errTail + c.toString()).slice(-2000); });
    const timer = setTimeout(() => child.kill('SIGKILL'), (run.seconds + (run.timeoutS ?? 2) + 10) * 1000);
    child.on('error', (err) => { clearTimeout(timer); reject(err); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const out = Buffer.concat(chunks).toString('utf8');
      if (code !== 0) return reject(new Error(`dnsperf exited ${code ?? signal}: ${errTail}${out.slice(-1000)}`));
      try { resolve(parseDnsperf(out)); } catch (err) { reject(err); }
    });
  });
}
