/**
 * The cold-cache benchmark at scale (`npm run bench:cold`): a generated tree of hundreds of delegated
 * zones (scale-zones.ts) behind delaying relays (realistic round trips, queries counted at the
 * authorities); Unbound and Ward, each started with an empty cache, resolve every one of N unique names
 * once (dnsperf -n 1, bounded concurrency). Per resolver: upstream queries per name (by what they ask), qps,
 * p50/p99 latency, answers checked on a sample, and peak RSS (VmHWM). Then the hot half: the same names,
 * now cached, as fast as each answers over UDP, TCP and DoT, next to the bare Node.js responder.
 * Prints Markdown and writes bench/results/cold-<date>.md. Every child is stopped at the end, even on error.
 *
 *   node dist/bench/cold.js [--names 10000] [--warmup 2000] [--rtt 20] [--concurrency 100] [--seconds 5] [--rounds 1]
 *                           [--no-write] [--no-pin] [--no-qmin] [--ward-cache-mib 64] [--ward-node-arg --trace-gc]...
 *
 * --warmup N: before the measured pass, each resolver resolves N other names, in zones none of the measured
 * names are in (so every measured zone is still cold), the way a running resolver has resolved other names
 * before: the process is warm (Node.js's JIT compiles the hot code after a few thousand queries), and so are
 * the root and TLD delegations. --warmup 0 measures a process just started.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { startLab, type Lab } from '../test/helpers/lab.js';
import { makeSelfSignedCert } from '../test/helpers/lab-cert.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { answerView, query } from '../test/helpers/lab-query.js';
import { FLAG, peekQuestion } from '../src/wire/index.js';
import { renderCold, type ColdOptions, type ColdResult } from './cold-report.js';
import { publishReport, runBench, stopOnSignal } from './report.js';
import { quantile, runDnsperf } from './dnsperf.js';
import { NAMES_PER_ZONE, scaleTree, type ScaleTree } from './scale-zones.js';
import { LAB_RESOLVER_ADDRESS, startBare, startLabResolver, type LabResolver, type Target } from './targets.js';
import { measureThroughput, pinToCpu } from './throughput.js';

/** The number after `flag`, from 0 to `max` (also read by cold-signed.ts); throws naming the flag otherwise. */
export function flagNumber(flag: string, text: string | undefined, max: number): number {
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0 || n > max) throw new Error(`${flag} needs a number from 0 to ${max}`);
  return n;
}

function parseOptions(argv: string[]): ColdOptions {
  const o: ColdOptions = {
    names: 10_000, warmup: 2_000, rtt: 20, concurrency: 100, seconds: 5, rounds: 1, write: true, pin: cpus().length >= 2, qmin: true, wardNodeArgs: [], wardCacheMiB: 64,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (max: number): number => flagNumber(a, argv[++i], max);
    if (a === '--names') o.names = Math.max(10, value(39_960));
    else if (a === '--warmup') o.warmup = value(20_000);
    else if (a === '--rtt') o.rtt = value(500);
    else if (a === '--concurrency') o.concurrency = Math.max(1, value(1000));
    else if (a === '--seconds') o.seconds = Math.max(1, value(60));
    else if (a === '--rounds') o.rounds = Math.max(1, value(10));
    else if (a === '--no-write') o.write = false;
    else if (a === '--no-pin') o.pin = false;
    else if (a === '--no-qmin') o.qmin = false;
    else if (a === '--ward-cache-mib') o.wardCacheMiB = Math.max(1, value(4096));
    else if (a === '--ward-node-arg') o.wardNodeArgs.push(argv[++i] ?? '');
    else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

/** A process and its descendants (Ward's workers, server.workers), from /proc/PID/task/TID/children. */
function processTree(pid: number): number[] {
  const out = [pid];
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    const children = readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').trim();
    if (children !== '') for (const child of children.split(' ')) out.push(...processTree(Number(child)));
  }
  return out;
}

/**
 * A process's memory in KiB from /proc/PID/status (VmRSS: now, VmHWM: peak), summed over it and its
 * descendants (for workers: the sum of each process's own peak).
 */
export function memoryKiB(pid: number | undefined, field: 'VmRSS' | 'VmHWM'): number {
  if (pid === undefined) return NaN;
  return processTree(pid).reduce((total, p) => {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${p}/status`, 'utf8'));
    return total + (m ? Number(m[1]) : NaN);
  }, 0);
}

function tcpTotal(lab: Lab): number {
  return Object.values(lab.traffic()).reduce((a, t) => a + t.tcpQueries, 0);
}

const TYPE_NAMES: Record<number, string> = { 1: 'A', 2: 'NS', 5: 'CNAME', 6: 'SOA', 28: 'AAAA', 43: 'DS', 48: 'DNSKEY' };

/** What an upstream query asked, relative to the tree: "asked name A", "zone cut NS", ... */
function classify(tree: ScaleTree, msg: Buffer): string {
  const q = peekQuestion(msg);
  if (!q) return 'malformed';
  const name = q.name.toLowerCase();
  const labels = name === '' ? [] : name.split('.');
  const type = TYPE_NAMES[q.type] ?? `TYPE${q.type}`;
  let what: string;
  if (tree.expected.has(`${name}.`)) what = 'asked name';
  else if (labels.length <= 1) what = 'root or TLD';
  else if (/^ns\d$/.test(labels[0])) what = 'name server name';
  else if (labels.length === 2) what = 'zone cut';
  else if (labels[0] === 'dyn') what = 'empty non-terminal above a wildcard';
  else what = 'other';
  return `${what} ${type}`;
}

/**
 * Asks `sample` names again (now cached) and counts those whose answer ends at the expected address; with
 * `dnssecOk` (DO set, RFC 3225), also those with the AD bit (RFC 4035 §3.2.3: the resolver validated them).
 */
export async function checkAnswers(t: Target, tree: ScaleTree, sample: number, dnssecOk = false): Promise<ColdResult['check']> {
  const step = Math.max(1, Math.floor(tree.names.length / sample));
  let checked = 0;
  let right = 0;
  let authentic = 0;
  const wrong: string[] = [];
  for (let i = 0; i < tree.names.length && checked < sample; i += step) {
    const name = tree.names[i];
    checked++;
    try {
      const msg = await query(t.address, t.ports.udp, name, 'A', { timeoutMs: 2000, dnssecOk });
      if ((msg.flags & FLAG.AD) !== 0) authentic++;
      const view = answerView(msg);
      if (view.rcode === 'NOERROR' && view.answers.some((a) => a.endsWith(` A ${tree.expected.get(name)}`))) right++;
      else if (wrong.length < 5) wrong.push(`${name}: ${view.rcode} ${view.answers.join(', ')}`);
    } catch (err) {
      if (wrong.length < 5) wrong.push(`${name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { checked, right, authentic, wrong };
}

/**
 * Splits a tree's names: those of the first zones (in shuffled order) that hold `warmup` names are the
 * warm-up; the rest, in zones of their own, are measured. The tree returned lists the measured names.
 */
export function splitWarmup(full: ScaleTree, warmup: number): { tree: ScaleTree; warmNames: string[] } {
  const zoneOf = (name: string): string => name.replace(/\.$/, '').split('.').slice(-2).join('.');
  const warmZones = new Set<string>();
  for (const n of full.names) {
    if (warmZones.size * NAMES_PER_ZONE >= warmup) break;
    warmZones.add(zoneOf(n));
  }
  const warmNames = full.names.filter((n) => warmZones.has(zoneOf(n)));
  return { tree: { ...full, names: full.names.filter((n) => !warmZones.has(zoneOf(n))) }, warmNames };
}

/** Upstream queries seen so far per source address (each resolver sends from its own), by class. */
const seen = new Map<string, Map<string, number>>();

export function countQuery(tree: ScaleTree, msg: Buffer, from: string): void {
  const classes = seen.get(from) ?? new Map<string, number>();
  seen.set(from, classes);
  const k = classify(tree, msg);
  classes.set(k, (classes.get(k) ?? 0) + 1);
}

/** A copy of the counts from `address` so far. */
export function countsFrom(address: string): Map<string, number> {
  return new Map(seen.get(address) ?? []);
}

export function sum(m: Map<string, number>): number {
  return [...m.values()].reduce((a, n) => a + n, 0);
}

function minus(after: Map<string, number>, before: Map<string, number>): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, n] of after) if (n - (before.get(k) ?? 0) > 0) out.set(k, n - (before.get(k) ?? 0));
  return out;
}

/** CPU seconds (user + system) a process and its descendants have used, from /proc/PID/stat (clock ticks of 1/100 s). */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  return processTree(pid).reduce((total, p) => {
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return total + (Number(fields[11]) + Number(fields[12])) / 100;
  }, 0);
}

/** One cold pass of `t` over the names in `queryFile` (dnsperf -n 1, `concurrency` outstanding), then the sampled check. */
export async function coldRun(lab: Lab, t: Target, tree: ScaleTree, o: Pick<ColdOptions, 'concurrency'>, queryFile: string, dnssecOk = false): Promise<ColdResult> {
  const rssStart = memoryKiB(t.pid, 'VmRSS');
  const cpuStart = cpuSeconds(t.pid);
  const before = { counts: countsFrom(t.address), tcp: tcpTotal(lab) };
  const perf = await runDnsperf({
    server: t.address, port: t.ports.udp, mode: 'udp', queryFile, passes: 1, seconds: 600, timeoutS: 10,
    clients: 1, outstanding: o.concurrency, latencies: true,
  });
  const classes = minus(countsFrom(t.address), before.counts);
  const upstream = sum(classes);
  const upstreamTcp = tcpTotal(lab) - before.tcp;
  const hwmCold = memoryKiB(t.pid, 'VmHWM');
  const cpuUsed = cpuSeconds(t.pid) - cpuStart;
  const check = await checkAnswers(t, tree, 200, dnssecOk);
  return { label: t.label, perf, upstream, upstreamTcp, classes, cpuSeconds: cpuUsed, rssStart, hwmCold, hwmHot: NaN, check };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  if (o.names + o.warmup > 39_960) throw new Error('--names plus --warmup: at most 39,960');
  const { tree, warmNames } = splitWarmup(scaleTree(o.names + o.warmup), o.warmup);
  const tmp = makeTempDir('ward-cold');
  const targets: Target[] = [];
  let lab: Lab | undefined;
  const cleanup = async (): Promise<void> => {
    await Promise.all(targets.map((t) => t.stop().catch(() => undefined)));
    await lab?.stop();
    tmp.remove();
  };
  stopOnSignal(cleanup);
  try {
    log(`${tree.names.length} names in ${tree.zoneCount} zones; starting the lab (rtt ${o.rtt} ms)`);
    lab = await startLab({ rttMs: o.rtt, zones: tree.zones, dot: false, readyTimeoutMs: 120_000, onQuery: (m, from) => countQuery(tree, m, from) });
    const cert = makeSelfSignedCert(tmp.dir, 'bench.test');
    const queryFile = join(tmp.dir, 'names.txt');
    writeFileSync(queryFile, tree.names.map((n) => `${n} A\n`).join(''));
    const warmFile = join(tmp.dir, 'warm-up.txt');
    writeFileSync(warmFile, warmNames.map((n) => `${n} A\n`).join(''));
    const cold: ColdResult[] = [];
    for (const kind of ['Unbound', 'Ward'] as LabResolver[]) {
      const t = await startLabResolver(kind, lab, tmp.dir, {
        tls: cert, qnameMinimisation: o.qmin, nodeArgs: o.wardNodeArgs, cacheMaxBytes: o.wardCacheMiB * 1024 * 1024,
      });
      targets.push(t);
      if (warmNames.length > 0) {
        const w = await runDnsperf({
          server: t.address, port: t.ports.udp, mode: 'udp', queryFile: warmFile, passes: 1, seconds: 600, timeoutS: 10,
          clients: 1, outstanding: o.concurrency,
        });
        log(`warm-up ${kind}: ${w.completed} names in their own zones, ${Math.round(w.qps)} qps`);
      }
      const r = await coldRun(lab, t, tree, o, queryFile);
      const lat = r.perf.latenciesMs;
      const mean = lat.reduce((a, x) => a + x, 0) / Math.max(1, lat.length);
      log(`cold ${kind}: ${Math.round(r.perf.qps)} qps, ${(r.upstream / r.perf.completed).toFixed(2)} upstream q/name, `
        + `latency mean ${mean.toFixed(1)} ms, p99.9 ${quantile(lat, 0.999).toFixed(1)} ms, max ${(lat.at(-1) ?? NaN).toFixed(1)} ms, `
        + `${r.check.right}/${r.check.checked} sampled answers right`);
      cold.push(r);
    }
    targets.push(await startBare('127.0.3.3', 53));
    if (o.pin) for (const t of targets) pinToCpu(t, 1);
    const beforeHot = new Map(cold.map((r) => [r.label, countsFrom(LAB_RESOLVER_ADDRESS[r.label as LabResolver])]));
    const hot = await measureThroughput(targets, { queryFile, seconds: o.seconds, rounds: o.rounds, cpu: o.pin ? 0 : undefined }, log);
    const hotUpstream = new Map(cold.map((r) => {
      const address = LAB_RESOLVER_ADDRESS[r.label as LabResolver];
      return [r.label, minus(countsFrom(address), beforeHot.get(r.label) ?? new Map())];
    }));
    for (const r of cold) r.hwmHot = memoryKiB(targets.find((t) => t.label === r.label)?.pid, 'VmHWM');
    if (o.wardNodeArgs.length > 0) log(`Ward's output (tail):\n${targets.find((t) => t.label === 'Ward')?.output?.() ?? ''}`);
    publishReport('cold', renderCold({ options: o, tree, cold, hot, hotUpstream, labSoftware: lab.software }), o.write, log);
  } finally {
    await cleanup();
  }
}

// Run only as a script: cold-signed.ts imports the passes from here.
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) runBench(main);
