/**
 * Summarises a V8 sampling heap profile (heap-sample.ts's, or DevTools' .heapprofile) as Markdown: the bytes
 * allocated in total and per `--per` units of work (e.g. the names of a cold pass), and the largest
 * allocators by self bytes (allocated in the function itself) and inclusive bytes (in it or anything it
 * called, each function counted once per stack), so a profile can be kept in bench/results/ as a short table.
 *
 *   node dist/bench/heap-profile.js FILE.heapprofile [--per 10000] [--top 25]
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface HeapNode { callFrame: { functionName: string; url: string; lineNumber: number }; selfSize: number; children: HeapNode[] }
interface HeapProfile { head: HeapNode }

/** "name file:line", the file short: Ward's by its path under the build, dependencies by name. */
function frameKey(n: HeapNode): string {
  const { functionName, url, lineNumber } = n.callFrame;
  const dep = /node_modules\/([^/]+)/.exec(url);
  const own = /\/dist\/(.*)$/.exec(url);
  const where = url === '' ? '' : dep ? dep[1] : own ? `${own[1]}:${lineNumber + 1}` : url.replace(/^(file|node):\/*/, '');
  return `${functionName || '(anonymous)'} ${where}`.trim();
}

/** Adds each node's self bytes to its function's self total and, once per stack, to the inclusive total of every function on it. */
function walk(n: HeapNode, stack: Map<string, number>, self: Map<string, number>, inclusive: Map<string, number>): number {
  const key = frameKey(n);
  stack.set(key, (stack.get(key) ?? 0) + 1);
  let total = n.selfSize;
  for (const c of n.children) total += walk(c, stack, self, inclusive);
  self.set(key, (self.get(key) ?? 0) + n.selfSize);
  const depth = stack.get(key) ?? 1;
  // Recursion: only the outermost frame of a function adds the subtree, so nothing is counted twice.
  if (depth === 1) inclusive.set(key, (inclusive.get(key) ?? 0) + total);
  if (depth === 1) stack.delete(key); else stack.set(key, depth - 1);
  return total;
}

function table(title: string, rows: Map<string, number>, total: number, per: number, top: number): string[] {
  return [`| ${title} | MB | KB per unit | share |`, '|---|--:|--:|--:|',
    ...[...rows].sort((a, b) => b[1] - a[1]).slice(0, top)
      .map(([k, b]) => `| ${k} | ${(b / 1e6).toFixed(1)} | ${(b / per / 1e3).toFixed(2)} | ${((100 * b) / total).toFixed(1)}% |`)];
}

function main(): void {
  const file = process.argv[2];
  if (!file) throw new Error('usage: heap-profile.js FILE.heapprofile [--per N] [--top N]');
  const flag = (name: string): number => { const i = process.argv.indexOf(name); return i > 0 ? Number(process.argv[i + 1]) : NaN; };
  const per = flag('--per') || 1;
  const top = flag('--top') || 25;
  const p = JSON.parse(readFileSync(file, 'utf8')) as HeapProfile;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const total = walk(p.head, new Map(), self, inclusive);
  process.stdout.write([
    `Profile ${basename(file)}: ${(total / 1e6).toFixed(1)} MB sampled, ${(total / per / 1e3).toFixed(1)} KB per unit (${per}).`, '',
    ...table('function (self)', self, total, per, top), '',
    ...table('function (inclusive)', inclusive, total, per, top), '',
  ].join('\n'));
}

main();
