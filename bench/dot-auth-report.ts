/**
 * Renders the DoT-to-authoritative benchmark (dot-auth.ts) as Markdown: per resolver the median and
 * min–max over the rounds of cold qps, latency, queries lost, the share of upstream queries over TLS,
 * TLS handshakes (full and resumed, counted at the relays and by the resolver), queries per
 * handshake; the ratios of issue 11 against their targets, per round; and every run's raw figures.
 */
import { cpus } from 'node:os';
import type { LabServer } from '../test/helpers/lab-zones.js';
import { quantile, type PerfResult } from './dnsperf.js';
import type { RttCell } from './dot-auth-rtt.js';

/** The resolvers of a run, as the report names them. */
export const LABELS = {
  wardDot: 'Ward, upstream.tls opportunistic',
  wardOff: 'Ward, upstream.tls off',
  pdnsDot: 'PowerDNS, dot-to-auth-names',
  pdnsOff: 'PowerDNS, Do53 only',
} as const;

export interface DotAuthOptions { names: number; warmup: number; rtt: number; concurrency: number; rounds: number; write: boolean }

/** Upstream queries over a resolver's whole life (warm-up and measured pass). */
export interface UpstreamCounts {
  /** At the relays, from the resolver's source address: queries in clear (UDP and TCP), TLS handshakes. */
  relay: { clear: number; full: number; resumed: number };
  /** What the resolver itself counted: queries over TLS and in clear; Ward also its handshakes and DoT fallbacks. */
  resolver: { tls: number; clear: number; full?: number; resumed?: number; fallbacks?: number };
}

export interface DotAuthRun extends UpstreamCounts {
  label: string;
  round: number;
  /** The measured pass: each name once. */
  perf: PerfResult;
  cpuSeconds: number;
  check: { checked: number; right: number; wrong: string[] };
}

export interface DotAuthInput {
  options: DotAuthOptions;
  names: number;
  warmNames: number;
  zones: number;
  runs: DotAuthRun[];
  roundTrips: RttCell[];
  versions: { pdns: string; labSoftware: Record<LabServer, LabServer> };
}

function num(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }) : '–';
}

function median(values: number[]): number {
  const s = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** "median (min–max)" of `values`, or the one value. */
function spread(values: number[], digits = 0): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '–';
  const m = num(median(finite), digits);
  return finite.length === 1 ? m : `${m} (${num(Math.min(...finite), digits)}–${num(Math.max(...finite), digits)})`;
}

const handshakes = (r: DotAuthRun): number => r.relay.full + r.relay.resumed;
const tlsShare = (r: DotAuthRun): number => r.resolver.tls / (r.resolver.tls + r.relay.clear);
const perHandshake = (r: DotAuthRun): number => (handshakes(r) > 0 ? r.resolver.tls / handshakes(r) : NaN);
const failed = (r: DotAuthRun): number => r.perf.completed - (r.perf.rcodes.NOERROR ?? 0);

/** One row per figure, one column per resolver. */
function figuresTable(labels: string[], runs: DotAuthRun[], allNames: number): string[] {
  const of = (label: string): DotAuthRun[] => runs.filter((r) => r.label === label);
  const rows: [string, (r: DotAuthRun) => number, number][] = [
    ['cold qps (measured pass)', (r) => r.perf.qps, 0],
    ['p50 latency ms', (r) => quantile(r.perf.latenciesMs, 0.5), 1],
    ['p99 latency ms', (r) => quantile(r.perf.latenciesMs, 0.99), 1],
    ['queries lost (dnsperf)', (r) => r.perf.lost, 0],
    ['answers other than NOERROR', failed, 0],
    ['sampled answers right (of 200)', (r) => r.check.right, 0],
    ['CPU seconds (measured pass)', (r) => r.cpuSeconds, 2],
    ['upstream queries per name', (r) => (r.resolver.tls + r.relay.clear) / allNames, 2],
    ['upstream queries over TLS (resolver)', (r) => r.resolver.tls, 0],
    ['upstream queries in clear (relays)', (r) => r.relay.clear, 0],
    ['upstream queries in clear (resolver)', (r) => r.resolver.clear, 0],
    ['share of upstream queries over TLS %', (r) => 100 * tlsShare(r), 1],
    ['TLS handshakes full (relays)', (r) => r.relay.full, 0],
    ['TLS handshakes resumed (relays)', (r) => r.relay.resumed, 0],
    ['TLS handshakes full (resolver)', (r) => r.resolver.full ?? NaN, 0],
    ['TLS handshakes resumed (resolver)', (r) => r.resolver.resumed ?? NaN, 0],
    ['queries per TLS handshake', perHandshake, 0],
    ['DoT fallbacks to clear (resolver)', (r) => r.resolver.fallbacks ?? NaN, 0],
  ];
  return [
    `| figure | ${labels.join(' | ')} |`,
    `|---|${labels.map(() => '--:').join('|')}|`,
    ...rows.map(([name, f, digits]) => `| ${name} | ${labels.map((l) => spread(of(l).map(f), digits)).join(' | ')} |`),
  ];
}

/** Per round: a ratio of two resolvers' figures. */
function ratioPerRound(runs: DotAuthRun[], a: string, b: string, f: (r: DotAuthRun) => number): number[] {
  const rounds = [...new Set(runs.map((r) => r.round))];
  return rounds.map((round) => {
    const x = runs.find((r) => r.round === round && r.label === a);
    const y = runs.find((r) => r.round === round && r.label === b);
    return x && y ? f(x) / f(y) : NaN;
  });
}

function status(values: number[], target: number, atMost = false): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return 'not measured';
  const ok = (v: number): boolean => (atMost ? v <= target : v >= target);
  if (finite.every(ok)) return 'met in every round';
  return ok(median(finite)) ? 'met in the median, not in every round' : 'missed';
}

function targetsTable(runs: DotAuthRun[]): string[] {
  const { wardDot, wardOff, pdnsDot, pdnsOff } = LABELS;
  const qps = (r: DotAuthRun): number => r.perf.qps;
  const perHs = runs.filter((r) => r.label === wardDot).map(perHandshake);
  const vsPdnsHs = ratioPerRound(runs, wardDot, pdnsDot, perHandshake);
  const vsUdp = ratioPerRound(runs, wardDot, wardOff, qps);
  const vsPdns = ratioPerRound(runs, wardDot, pdnsDot, qps);
  const lost = runs.filter((r) => r.label === wardDot).map((r) => r.perf.lost + failed(r));
  return [
    '| target (issue 11) | measured: median (min–max) over rounds | status |',
    '|---|---|---|',
    `| queries per TLS handshake ≥ 100 | ${spread(perHs)} | ${status(perHs, 100)} |`,
    `| … and ≥ 10 × PowerDNS's | ${spread(vsPdnsHs, 1)} × | ${status(vsPdnsHs, 10)} |`,
    `| cold qps over DoT ÷ over UDP (Ward opportunistic ÷ Ward off) ≥ 0.8 | ${spread(vsUdp, 2)} | ${status(vsUdp, 0.8)} |`,
    `| Ward over DoT ÷ PowerDNS over DoT ≥ 3 | ${spread(vsPdns, 2)} × | ${status(vsPdns, 3)} |`,
    `| queries lost (and answers other than NOERROR), Ward over DoT: 0 | ${spread(lost)} | ${status(lost, 0, true)} |`,
    `| (context) PowerDNS over DoT ÷ PowerDNS over Do53 | ${spread(ratioPerRound(runs, pdnsDot, pdnsOff, qps), 2)} | – |`,
    `| (context) Ward over Do53 ÷ PowerDNS over Do53 | ${spread(ratioPerRound(runs, wardOff, pdnsOff, qps), 2)} × | – |`,
  ];
}

/** p50 (p90) round trip per server and transport, one column per number of queries in flight. */
function roundTripTable(cells: RttCell[]): string[] {
  const inFlights = [...new Set(cells.map((c) => c.inFlight))];
  const rows = [...new Set(cells.map((c) => `${c.server}|${c.transport}`))];
  return [
    `| server | transport | ${inFlights.map((n) => `${n} in flight: p50 (p90) ms`).join(' | ')} |`,
    `|---|---|${inFlights.map(() => '--:').join('|')}|`,
    ...rows.map((row) => {
      const [server, transport] = row.split('|');
      const of = (n: number): string => {
        const c = cells.find((x) => x.server === server && x.transport === transport && x.inFlight === n);
        return c ? `${num(c.p50, 1)} (${num(c.p90, 1)})${c.failed > 0 ? `, ${c.failed} failed` : ''}` : '–';
      };
      return `| ${server} | ${transport === 'tls' ? 'DoT, one connection' : 'UDP'} | ${inFlights.map(of).join(' | ')} |`;
    }),
  ];
}

function rawRuns(runs: DotAuthRun[]): string[] {
  return runs.map((r) => `- round ${r.round + 1}, ${r.label}: ${num(r.perf.qps)} qps; sent ${r.perf.sent}, completed ${r.perf.completed}, lost ${r.perf.lost}; `
    + `rcodes ${JSON.stringify(r.perf.rcodes)}; relays ${JSON.stringify(r.relay)}; resolver ${JSON.stringify(r.resolver)}; `
    + `sampled ${r.check.right}/${r.check.checked}${r.check.wrong.length > 0 ? ` (wrong: ${r.check.wrong.join('; ')})` : ''}`);
}

export function renderDotAuth(input: DotAuthInput): string {
  const { options: o, runs } = input;
  const labels = [...new Set(runs.map((r) => r.label))];
  const allNames = input.names + input.warmNames;
  return [
    '# DoT to authoritative servers: cold runs over TLS and in clear',
    '',
    `- ${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), Node.js ${process.version}, ${input.versions.pdns}`,
    `- lab: ${Object.entries(input.versions.labSoftware).map(([role, sw]) => `${role} role on ${sw}`).join(', ')}; every authority offers DoT on 853 (self-signed certificate)`,
    `- ${input.zones} zones; per run ${input.warmNames} warm-up names (own zones, unmeasured), then ${input.names} measured names, each once; `
      + `${o.concurrency} queries outstanding; round trip ${o.rtt} ms added by the relays on 53 and 853; ${o.rounds} round(s), resolvers in rotating order, each started with an empty cache`,
    '- upstream figures cover the resolver\'s whole life (warm-up and measured pass): TLS handshakes were made during the warm-up too',
    '',
    ...([
      ['Figures (median, min–max over rounds)', figuresTable(labels, runs, allNames)],
      ['Targets', targetsTable(runs)],
      ['Round trip of one query by queries in flight (Ward\'s exchanger, after the runs)', roundTripTable(input.roundTrips)],
      ['Every run', rawRuns(runs)],
    ] as const).flatMap(([title, lines]) => [`## ${title}`, '', ...lines, '']),
  ].join('\n');
}
