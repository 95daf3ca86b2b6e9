/**
 * Summarises a V8 CPU profile (`node --cpu-prof`, e.g. Ward's under `bench:cold-signed --ward-node-arg --cpu-prof`)
 * as Markdown: the share of sampled time spent in each function itself (self time) and per source file,
 * the largest first, so a profile can be kept in bench/results/ as a short table rather than the raw file.
 *
 *   node dist/bench/cpu-profile.js FILE.cpuprofile [--top 25] [--from S] [--to S] [--inclusive]
 *
 * --inclusive adds a table of total time per function (its own and its callees', each function counted once
 * per sampled stack), so the cost of a stage (scrub, validation, the answer path) shows as one figure.
 * --from/--to keep only the samples taken that many seconds after the profile began, so one phase of a run
 * (e.g. bench:cold-signed's cold pass, between its warm-up and its hot pass) can be summarised alone.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number; children?: number[] }
interface Profile { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] }

/** Where a function's code lives, short: node:internal modules and dependencies by name, Ward's by its path under the build. */
function place(url: string): string {
  if (url === '') return '(native)';
  const dep = /node_modules\/([^/]+)/.exec(url);
  if (dep) return dep[1];
  const own = /\/dist\/(.*)$/.exec(url);
  return own ? own[1] : url.replace(/^file:\/\//, '');
}

/** Microseconds of self time per node id, from the samples (taken fromUs..toUs after the start) and their time deltas. */
function selfTimes(p: Profile, fromUs: number, toUs: number): Map<number, number> {
  const out = new Map<number, number>();
  let at = 0;
  for (let i = 0; i < p.samples.length; i++) {
    const delta = p.timeDeltas[i] ?? 0;
    at += delta;
    if (at >= fromUs && at < toUs) out.set(p.samples[i], (out.get(p.samples[i]) ?? 0) + delta);
  }
  return out;
}

/** "name place:line" of a profile node (the place as `place` gives it). */
function functionKey(n: ProfileNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = place(url);
  return `${functionName || '(anonymous)'} ${where === '(native)' ? '' : `${where}:${lineNumber + 1}`}`.trim();
}

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? fallback : Number(process.argv[i + 1]);
}

/** Each function's time with its callees': a sample's time goes to every function on its stack, once each. */
function inclusiveTimes(p: Profile, self: Map<number, number>, keyOf: (n: ProfileNode) => string): Map<string, number> {
  const parent = new Map<number, ProfileNode>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n);
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  for (const [id, us] of self) {
    const seen = new Set<string>();
    for (let n = byId.get(id); n !== undefined; n = parent.get(n.id)) {
      const key = keyOf(n);
      if (seen.has(key)) continue;
      seen.add(key);
      out.set(key, (out.get(key) ?? 0) + us);
    }
  }
  return out;
}

function table(title: string, rows: [string, number][], total: number, top: number, column = 'self ms'): string[] {
  return [`| ${title} | ${column} | share |`, '|---|--:|--:|',
    ...rows.sort((a, b) => b[1] - a[1]).slice(0, top).map(([k, us]) => `| ${k} | ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% |`)];
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: cpu-profile.js FILE.cpuprofile [--top N]');
  const top = flag('--top', 25) || 25;
  const fromS = flag('--from', 0);
  const toS = flag('--to', Infinity);
  const p = JSON.parse(readFileSync(file, 'utf8')) as Profile;
  const self = selfTimes(p, fromS * 1e6, toS * 1e6);
  const byFunction = new Map<string, number>();
  const byFile = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const n of p.nodes) {
    const us = self.get(n.id) ?? 0;
    if (n.callFrame.functionName === '(idle)') { idle += us; continue; }
    total += us;
    const key = functionKey(n);
    byFunction.set(key, (byFunction.get(key) ?? 0) + us);
    byFile.set(place(n.callFrame.url), (byFile.get(place(n.callFrame.url)) ?? 0) + us);
  }
  const inclusive = process.argv.includes('--inclusive')
    ? ['', ...table('function (with callees)', [...inclusiveTimes(p, self, functionKey)].filter(([k]) => !k.startsWith('(')), total, top, 'total ms')]
    : [];
  process.stdout.write([
    `Profile ${basename(file)}${fromS > 0 || toS < Infinity ? ` (${fromS}–${toS} s)` : ''}: ${(total / 1e6).toFixed(2)} s busy, ${(idle / 1e6).toFixed(2)} s idle (sampled).`, '',
    ...table('function (self time)', [...byFunction], total, top), '',
    ...table('file or module', [...byFile], total, Math.min(top, 15)), ...inclusive, '',
  ].join('\n'));
}

main();
