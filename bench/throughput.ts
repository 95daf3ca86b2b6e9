/**
 * Shared by the serving benchmark (serve.ts) and the hot half of the cold-cache benchmark (cold.ts):
 * the load shape per transport, CPU pinning of servers, and rounds of dnsperf as fast as each server
 * answers over UDP, TCP (RFC 7766) and DoT (RFC 7858).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { runDnsperf, type PerfMode, type PerfRun } from './dnsperf.js';
import type { Cell } from './report.js';
import type { Target } from './targets.js';

export const MODES: PerfMode[] = ['udp', 'tcp', 'dot'];

/** Load shape for the throughput runs: the same for every server. */
export const LOAD: Record<PerfMode, { clients: number; outstanding: number }> = {
  udp: { clients: 1, outstanding: 100 },
  tcp: { clients: 4, outstanding: 100 },
  dot: { clients: 4, outstanding: 100 },
};

/** Moves every thread of the target's process to one CPU. */
export function pinToCpu(t: Target, cpu: number): void {
  if (t.pid === undefined) throw new Error(`${t.label}: no process id to pin`);
  execFileSync('taskset', ['-a', '-p', '-c', String(cpu), String(t.pid)], { stdio: 'ignore' });
}

/** Gives every thread of the target's process the nice value `nice` (negative: ahead of other work). */
export function reniceTarget(t: Target, nice: number): void {
  if (t.pid === undefined) throw new Error(`${t.label}: no process id to renice`);
  const tasks = readdirSync(`/proc/${t.pid}/task`);
  execFileSync('renice', ['-n', String(nice), '-p', ...tasks], { stdio: 'ignore' });
}

/** The port a target serves `mode` on, or undefined. */
export function portOf(t: Target, mode: PerfMode): number | undefined {
  return mode === 'udp' ? t.ports.udp : t.ports[mode];
}

/** The cell for target and mode in `list`, made when missing. */
export function cellFor(list: Cell[], target: string, mode: PerfMode): Cell {
  let c = list.find((x) => x.target === target && x.mode === mode);
  if (!c) list.push(c = { target, mode, runs: [] });
  return c;
}

export interface ThroughputPlan {
  queryFile: string; seconds: number; rounds: number; cpu?: number; nice?: number;
  /** The transports to measure (default all of MODES). */
  modes?: PerfMode[];
  /** Another load shape than LOAD for some transports (the same for every target). */
  load?: Partial<typeof LOAD>;
}

/**
 * `rounds` rounds of one dnsperf run per target and transport, as fast as answers come; each round
 * starts with a different target, so slow drifts in machine load spread over all of them.
 */
export async function measureThroughput(targets: Target[], plan: ThroughputPlan, log: (s: string) => void): Promise<Cell[]> {
  const cells: Cell[] = [];
  for (let round = 1; round <= plan.rounds; round++) {
    const order = targets.map((_, i) => targets[(i + round - 1) % targets.length]);
    for (const mode of plan.modes ?? MODES) {
      for (const t of order) {
        const port = portOf(t, mode);
        if (port === undefined) continue;
        const run: PerfRun = {
          server: t.address, port, mode, queryFile: plan.queryFile, seconds: plan.seconds, cpu: plan.cpu, nice: plan.nice, ...(plan.load?.[mode] ?? LOAD[mode]),
        };
        const r = await runDnsperf(run);
        log(`round ${round} ${mode} ${t.label}: ${Math.round(r.qps)} qps, lost ${r.lost}`);
        cellFor(cells, t.label, mode).runs.push(r);
      }
    }
  }
  return cells;
}
