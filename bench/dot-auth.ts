/**
 * DoT to authoritative servers, benchmarked (`npm run bench:dot-auth`, issue 11 item 2): the tree of
 * scale-zones.ts in a lab where every authority offers DoT (NSD serves Knot's zones too; NSD and BIND
 * with the lab's self-signed certificate), behind delaying relays on 53 and 853 (the round trip is
 * added to the TLS stream too; the relays count queries in clear and tell full TLS handshakes from
 * resumed ones by source address). In each round, in rotating order, each resolver starts with an
 * empty cache, resolves `--warmup` names in zones of their own (unmeasured, as in bench:cold), then
 * each of the measured names once (dnsperf -n 1): Ward with upstream.tls opportunistic, Ward with
 * upstream.tls off, PowerDNS Recursor with dot-to-auth-names and without. Then the round trip of
 * single queries to NSD and BIND by transport and queries in flight (dot-auth-rtt.ts). Prints Markdown and writes
 * bench/results/dot-auth-<date>.md. Every child is stopped at the end, even on error.
 *
 *   node dist/bench/dot-auth.js [--names 10000] [--warmup 2000] [--rtt 20] [--concurrency 100] [--rounds 3] [--no-write]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { controlRequest } from '../src/control/index.js';
import type { UpstreamSnapshot } from '../src/upstream/tracker.js';
import { startLab, type Lab } from '../test/helpers/lab.js';
import { makeTempDir } from '../test/helpers/lab-process.js';
import { startWard } from '../test/helpers/lab-ward.js';
import { LAB_ADDR } from '../test/helpers/lab-zones.js';
import { checkAnswers, cpuSeconds, splitWarmup } from './cold.js';
import { measureRoundTrips } from './dot-auth-rtt.js';
import { LABELS, renderDotAuth, type DotAuthOptions, type DotAuthRun, type UpstreamCounts } from './dot-auth-report.js';
import { runDnsperf } from './dnsperf.js';
import { recursorVersion, startRecursor } from './pdns-recursor.js';
import { publishReport, runBench } from './report.js';
import { SCALE_TLDS, scaleTree, type ScaleTree } from './scale-zones.js';
import type { Target } from './targets.js';
import type { TlsHandshakeKind } from '../test/helpers/tls-hello.js';

function parseOptions(argv: string[]): DotAuthOptions {
  const o: DotAuthOptions = { names: 10_000, warmup: 2_000, rtt: 20, concurrency: 100, rounds: 3, write: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (min: number, max: number): number => {
      const n = Number(argv[++i]);
      if (!Number.isInteger(n) || n < min || n > max) throw new Error(`${a} needs a whole number from ${min} to ${max}`);
      return n;
    };
    if (a === '--names') o.names = value(10, 39_960);
    else if (a === '--warmup') o.warmup = value(0, 20_000);
    else if (a === '--rtt') o.rtt = value(0, 500);
    else if (a === '--concurrency') o.concurrency = value(1, 1000);
    else if (a === '--rounds') o.rounds = value(1, 10);
    else if (a === '--no-write') o.write = false;
    else throw new Error(`unknown argument ${a}`);
  }
  if (o.names + o.warmup > 39_960) throw new Error('--names plus --warmup: at most 39,960');
  return o;
}

/** What the relays saw from one source address: queries in clear (UDP and TCP), TLS handshakes. */
const relayed = new Map<string, UpstreamCounts['relay']>();

function relayCounts(from: string): UpstreamCounts['relay'] {
  let c = relayed.get(from);
  if (!c) relayed.set(from, c = { clear: 0, full: 0, resumed: 0 });
  return c;
}

/** A resolver under test, started fresh, and how it reports its upstream queries. */
interface Running { target: Target; resolverCounts(): Promise<UpstreamCounts['resolver']> }

interface Contender { label: string; address: string; start(lab: Lab, dir: string): Promise<Running> }

/** Name server names of the tree all end in one of these (dot-to-auth-names is a suffix list). */
const NS_SUFFIXES = ['lab', ...SCALE_TLDS];

function wardContender(label: string, address: string, tls: 'opportunistic' | 'off'): Contender {
  return {
    label, address,
    async start(lab, dir) {
      const w = await startWard({ dir, address, rootHints: lab.rootHints, sourceAddress: address, upstreamTls: tls });
      const socket = join(dir, 'ward-state', 'control.sock');
      return {
        target: { label, address, ports: { udp: 53 }, pid: w.daemon.child.pid, output: () => w.daemon.output(), stop: () => w.stop() },
        async resolverCounts() {
          const u = await controlRequest({ socket }, { command: 'upstream' }) as UpstreamSnapshot;
          return { tls: u.by_transport.tls, clear: u.by_transport.udp + u.by_transport.tcp, full: u.tls_full, resumed: u.tls_resumed, fallbacks: u.fallbacks };
        },
      };
    },
  };
}

function powerdnsContender(label: string, address: string, dot: boolean): Contender {
  return {
    label, address,
    async start(lab, dir) {
      const r = await startRecursor({ address, dir, rootHintsFile: lab.rootHintsFile, dotToAuthNames: dot ? NS_SUFFIXES : [] });
      return {
        target: { label, address, ports: { udp: 53 }, pid: r.daemon.child.pid, output: () => r.daemon.output(), stop: () => r.stop() },
        async resolverCounts() {
          const c = await r.counters();
          return { tls: c['dot-outqueries'] ?? NaN, clear: (c['all-outqueries'] ?? NaN) - (c['dot-outqueries'] ?? NaN) };
        },
      };
    },
  };
}

const CONTENDERS: Contender[] = [
  wardContender(LABELS.wardDot, '127.0.2.1', 'opportunistic'),
  wardContender(LABELS.wardOff, '127.0.2.2', 'off'),
  powerdnsContender(LABELS.pdnsDot, '127.0.3.2', true),
  powerdnsContender(LABELS.pdnsOff, '127.0.3.3', false),
];

/** Queries in flight at once for the round-trip probe (dot-auth-rtt.ts), and the address it asks from. */
const RTT_IN_FLIGHT = [1, 2, 16];
const RTT_SOURCE = '127.0.2.9';

/** Where a run reads its names: the warm-up (unmeasured, optional) and the measured names. */
interface NameFiles { warm?: string; measured: string }

/** One resolver, fresh: warm-up, the measured pass, a sample of answers checked, its upstream counts. */
async function oneRun(lab: Lab, c: Contender, dir: string, round: number, files: NameFiles, o: DotAuthOptions, tree: ScaleTree): Promise<DotAuthRun> {
  relayed.delete(c.address);
  const running = await c.start(lab, dir);
  const { target } = running;
  try {
    const dnsperf = (queryFile: string): ReturnType<typeof runDnsperf> => runDnsperf({
      server: target.address, port: 53, mode: 'udp', queryFile, passes: 1, seconds: 600, timeoutS: 10, clients: 1, outstanding: o.concurrency, latencies: true,
    });
    if (files.warm) await dnsperf(files.warm);
    const cpuStart = cpuSeconds(target.pid);
    const perf = await dnsperf(files.measured);
    const cpu = cpuSeconds(target.pid) - cpuStart;
    const check = await checkAnswers(target, tree, 200);
    const resolver = await running.resolverCounts();
    return { label: c.label, round, perf, cpuSeconds: cpu, check, relay: { ...relayCounts(c.address) }, resolver };
  } catch (err) {
    throw new Error(`${c.label}: ${err instanceof Error ? err.message : String(err)}\n${target.output?.() ?? ''}`);
  } finally {
    await target.stop();
  }
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  const { tree, warmNames } = splitWarmup(scaleTree(o.names + o.warmup), o.warmup);
  const tmp = makeTempDir('ward-dot-auth');
  let lab: Lab | undefined;
  const onSignal = (): void => { void lab?.stop().finally(() => { tmp.remove(); process.exit(130); }); };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    log(`${tree.names.length} names in ${tree.zoneCount} zones; starting the lab with DoT on every authority (rtt ${o.rtt} ms)`);
    lab = await startLab({
      rttMs: o.rtt, zones: tree.zones, dotEverywhere: true, readyTimeoutMs: 120_000,
      onQuery: (_m, from) => { relayCounts(from).clear++; },
      onTlsHandshake: (kind: TlsHandshakeKind, from) => { relayCounts(from)[kind]++; },
    });
    if (lab.dotAddresses.length !== 3) throw new Error(`DoT on ${lab.dotAddresses.join(', ')} only: every authority must offer it`);
    const measured = join(tmp.dir, 'names.txt');
    writeFileSync(measured, tree.names.map((n) => `${n} A\n`).join(''));
    const warm = warmNames.length > 0 ? join(tmp.dir, 'warm-up.txt') : undefined;
    if (warm) writeFileSync(warm, warmNames.map((n) => `${n} A\n`).join(''));
    const runs: DotAuthRun[] = [];
    for (let round = 0; round < o.rounds; round++) {
      for (let k = 0; k < CONTENDERS.length; k++) {
        const c = CONTENDERS[(round + k) % CONTENDERS.length];
        const dir = join(tmp.dir, `r${round}-${k}`);
        mkdirSync(dir);
        const r = await oneRun(lab, c, dir, round, { warm, measured }, o, tree);
        log(`round ${round + 1} ${c.label}: ${Math.round(r.perf.qps)} qps, lost ${r.perf.lost}, over TLS ${r.resolver.tls}, `
          + `in clear ${r.relay.clear}, handshakes ${r.relay.full} full ${r.relay.resumed} resumed`);
        runs.push(r);
      }
    }
    const roundTrips = await measureRoundTrips(
      [{ label: 'NSD', address: LAB_ADDR.nsd, zone: '.' }, { label: 'BIND', address: LAB_ADDR.bind, zone: 'lab.' }], RTT_IN_FLIGHT, RTT_SOURCE,
    );
    const versions = { pdns: await recursorVersion(), labSoftware: lab.software };
    publishReport('dot-auth', renderDotAuth({
      options: o, names: tree.names.length, warmNames: warmNames.length, zones: tree.zoneCount, runs, roundTrips, versions,
    }), o.write, log);
  } finally {
    await lab?.stop();
    tmp.remove();
  }
}

runBench(main);
