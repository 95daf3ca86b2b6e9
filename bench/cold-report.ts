/**
 * Renders the cold-cache benchmark at scale (cold.ts) as Markdown: per resolver the cold pass (qps,
 * latency percentiles, upstream queries per name and by question type, peak memory, sampled answers),
 * Ward/Unbound ratios against DESIGN.md's targets, and the hot pass (throughput table of report.ts).
 */
import { cpus } from 'node:os';
import type { LabServer } from '../test/helpers/lab-zones.js';
import { quantile, type PerfResult } from './dnsperf.js';
import { throughputTable, type Cell } from './report.js';
import type { ScaleTree } from './scale-zones.js';

export interface ColdOptions {
  names: number; rtt: number; concurrency: number; seconds: number; rounds: number; write: boolean; pin: boolean;
  /** QNAME minimisation in both resolvers (--no-qmin turns it off). */
  qmin: boolean;
  /** Extra Node.js flags for Ward (diagnosis only). */
  wardNodeArgs: string[];
  /** Ward's cache.max_bytes in MiB (default 64). */
  wardCacheMiB: number;
  /** Names in zones of their own resolved (unmeasured) by each resolver first (--warmup; 0: none). */
  warmup: number;
}

export interface ColdResult {
  label: string;
  perf: PerfResult;
  /** UDP and TCP queries the authorities saw during the cold pass. */
  upstream: number;
  upstreamTcp: number;
  /** Those queries by what they asked (see classify in cold.ts), e.g. "zone cut NS". */
  classes: Map<string, number>;
  /** CPU seconds the resolver used during the cold pass. */
  cpuSeconds: number;
  /** KiB: resident right after start, peak after the cold pass, peak after the hot pass. */
  rssStart: number;
  hwmCold: number;
  hwmHot: number;
  /** Sampled answers: asked, at the expected address, with the AD bit (when asked with DO). */
  check: { checked: number; right: number; authentic: number; wrong: string[] };
}

export interface ColdReport {
  options: ColdOptions;
  tree: ScaleTree;
  cold: ColdResult[];
  hot: Cell[];
  /** Upstream queries each resolver sent during the hot pass, by class. */
  hotUpstream: Map<string, Map<string, number>>;
  labSoftware: Record<LabServer, LabServer>;
}

function num(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

function mib(kib: number): string {
  return num(kib / 1024, 1);
}

function hotText(m: Map<string, number>): string {
  const total = [...m.values()].reduce((a, n) => a + n, 0);
  if (total === 0) return '0';
  return `${num(total)} (${[...m].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${num(n)}`).join(', ')})`;
}

/** One row per kind of upstream query, one column per resolver. */
function classTable(r: ColdReport): string[] {
  const keys = [...new Set(r.cold.flatMap((c) => [...c.classes.keys()]))]
    .sort((a, b) => Math.max(...r.cold.map((c) => c.classes.get(b) ?? 0)) - Math.max(...r.cold.map((c) => c.classes.get(a) ?? 0)));
  return [
    `| upstream query asked for | ${r.cold.map((c) => `${c.label} | per name`).join(' | ')} |`,
    `|---|${r.cold.map(() => '--:|--:').join('|')}|`,
    ...keys.map((k) => `| ${k} | ${r.cold.map((c) => `${num(c.classes.get(k) ?? 0)} | ${num((c.classes.get(k) ?? 0) / c.perf.completed, 3)}`).join(' | ')} |`),
  ];
}

function coldTable(r: ColdReport): string[] {
  const rows = [
    '| resolver | names answered | rcodes | qps | p50 ms | p99 ms | upstream q | per name | over TCP | CPU s | RSS at start MiB | peak RSS cold MiB | peak RSS after hot MiB | sampled answers right |',
    '|---|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  for (const c of r.cold) {
    const lat = c.perf.latenciesMs;
    const rcodes = Object.entries(c.perf.rcodes).map(([k, v]) => `${k} ${num(v)}`).join(', ');
    rows.push(`| ${c.label} | ${num(c.perf.completed)} / ${num(c.perf.sent)} | ${rcodes} | ${num(c.perf.qps)} | `
      + `${num(quantile(lat, 0.5), 1)} | ${num(quantile(lat, 0.99), 1)} | ${num(c.upstream)} | `
      + `${num(c.upstream / c.perf.completed, 2)} | ${num(c.upstreamTcp)} | ${num(c.cpuSeconds, 1)} | ${mib(c.rssStart)} | ${mib(c.hwmCold)} | `
      + `${mib(c.hwmHot)} | ${c.check.right}/${c.check.checked} |`);
  }
  return rows;
}

function ratios(r: ColdReport): string[] {
  const ward = r.cold.find((c) => c.label === 'Ward');
  const ub = r.cold.find((c) => c.label === 'Unbound');
  if (!ward || !ub) return [];
  const perName = (c: ColdResult): number => c.upstream / c.perf.completed;
  const q = perName(ward) / perName(ub);
  const qps = ward.perf.qps / ub.perf.qps;
  const p = (c: ColdResult, x: number): number => quantile(c.perf.latenciesMs, x);
  const verdict = (ok: boolean): string => (ok ? 'met' : '**missed**');
  return [
    `- upstream queries per name, Ward / Unbound: ${num(q, 2)} (target ≤ 1.00: ${verdict(q <= 1)})`,
    `- cold qps, Ward / Unbound: ${num(qps, 2)} (target ≥ 1.00: ${verdict(qps >= 1)})`,
    `- p50 latency, Ward / Unbound: ${num(p(ward, 0.5) / p(ub, 0.5), 2)}; p99: ${num(p(ward, 0.99) / p(ub, 0.99), 2)}`,
    `- peak RSS after the hot pass: Ward ${mib(ward.hwmHot)} MiB (cache.max_bytes ${r.options.wardCacheMiB} MiB, RSS at start ${mib(ward.rssStart)} MiB), `
      + `Unbound ${mib(ub.hwmHot)} MiB (default msg/rrset caches 4 + 4 MiB)`,
  ];
}

/** The whole report as Markdown. */
export function renderCold(r: ColdReport): string {
  const o = r.options;
  const wrong = r.cold.flatMap((c) => c.check.wrong.map((w) => `- ${c.label}: ${w}`));
  return [
    '# Cold-cache benchmark at scale: unique names through a delegated tree',
    '',
    `- date: ${new Date().toISOString()}; machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}`,
    `- tree: ${r.tree.zoneCount} second-level zones under 4 TLDs (Knot), on NSD and BIND (${r.labSoftware.bind}), `
      + `every 5th behind an out-of-bailiwick name server; ${num(r.tree.names.length)} unique A names `
      + '(www, mail, api, blog, shop, cdn CNAME www, 4 wildcard matches per zone), shuffled',
    `- round-trip time added to every authority: ${o.rtt} ms (delaying relays, which count the queries); no DoT at the authorities`,
    `- load: dnsperf over UDP, each name once (-n 1), ${o.concurrency} queries outstanding, 10 s timeout; `
      + `each resolver starts with an empty cache; ${o.warmup > 0
        ? `it first resolves ${num(o.warmup)} other names in zones of their own (not measured: the process, its JIT and its `
          + 'root and TLD delegations are warm, every measured zone is cold); '
        : 'no warm-up (a process just started: Ward\'s JIT is cold too); '}`
      + 'Unbound first, then Ward; lab, relays, resolver and dnsperf share the machine',
    `- Unbound: num-threads 1, qname-minimisation ${o.qmin ? 'yes' : 'no'}, default caches; `
      + `Ward: defaults (qname_minimisation ${o.qmin ? 'on' : 'off'}, cache.max_bytes ${o.wardCacheMiB} MiB)`
      + `${o.wardNodeArgs.length > 0 ? `, node ${o.wardNodeArgs.join(' ')}` : ''}`,
    '',
    '## Cold pass',
    '',
    ...coldTable(r),
    '',
    'Upstream queries by what they asked (name relative to the tree, and type):',
    '',
    ...classTable(r),
    '',
    ...(wrong.length > 0 ? ['Wrong sampled answers (first few):', '', ...wrong, ''] : []),
    '## Against the targets (DESIGN.md "Performance targets", issue 3)',
    '',
    ...ratios(r),
    '',
    `## Hot pass: the same names, now cached (dnsperf as fast as answers come, ${o.rounds} round(s) of ${o.seconds} s)`,
    '',
    o.pin ? 'dnsperf on CPU 0, every server on CPU 1.' : 'No CPU pinning.',
    'The bare Node.js responder answers every query with one fixed packet (no lookup): the floor.',
    `Upstream queries during the hot pass: ${[...r.hotUpstream].map(([label, m]) => `${label} ${hotText(m)}`).join('; ')}.`,
    '',
    ...throughputTable(r.hot),
    '',
  ].join('\n');
}
