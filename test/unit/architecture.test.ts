/**
 * Enforces DESIGN.md's layering: a folder imports only from strictly lower levels, through their
 * index.ts; and no src/ file imports one that imports it back (inside a folder too).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { importCycles, importGraph, type ImportGraph } from '../helpers/import-cycles.js';

const LEVEL: Record<string, number> = {
  util: 0, wire: 1, tls: 1, log: 1, config: 1, net: 2, control: 2, upstream: 3, dnssec: 3, cache: 3, metrics: 3, status: 3, cli: 3, server: 4, resolver: 4, policy: 5,
};
/** Lower folders a folder still may not import: the policy layer answers through the handler port, never through the resolver (issue 9). */
const NEVER: Record<string, string[]> = { policy: ['resolver'] };
const root = join(fileURLToPath(new URL('.', import.meta.url)), '../../../src');

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('src folders import only from lower levels, through index.ts', () => {
  const problems: string[] = [];
  for (const file of tsFiles(root)) {
    const rel = relative(root, file);
    const folder = rel.includes('/') ? rel.split('/')[0] : undefined;
    if (folder === undefined) continue; // main.ts, app.ts: the composition root may import anything
    const level = LEVEL[folder];
    if (level === undefined) { problems.push(`${rel}: folder '${folder}' has no level`); continue; }
    const src = readFileSync(file, 'utf8');
    for (const m of src.matchAll(/from\s+'(\.\.\/[^']+)'/g)) {
      const target = m[1].split('/')[1];
      const targetLevel = LEVEL[target];
      if (targetLevel === undefined) problems.push(`${rel}: imports ${m[1]} outside src folders`);
      else if (targetLevel >= level) problems.push(`${rel}: imports ${m[1]} (level ${targetLevel} >= ${level})`);
      else if (NEVER[folder]?.includes(target)) problems.push(`${rel}: imports ${m[1]} (${folder}/ never imports ${target}/)`);
      else if (!m[1].endsWith('/index.js')) problems.push(`${rel}: deep import ${m[1]}`);
    }
  }
  assert.deepEqual(problems, []);
});

test('no import cycle among src/ files, type-only imports included', () => {
  assert.deepEqual(importCycles(importGraph(root, tsFiles(root))), []);
});

test('the cycle finder finds a cycle inside a folder, a self-import and a long cycle, and nothing in a diamond', () => {
  const graph = (edges: Record<string, string[]>): ImportGraph => new Map(Object.entries(edges));
  assert.deepEqual(importCycles(graph({
    'net/listener.ts': ['net/udp-listener.ts', 'net/types.ts'], 'net/udp-listener.ts': ['net/listener.ts'], 'net/types.ts': [],
  })), ['net/listener.ts → net/udp-listener.ts → net/listener.ts']);
  assert.deepEqual(importCycles(graph({ 'a.ts': ['a.ts'] })), ['a.ts → a.ts']);
  assert.deepEqual(importCycles(graph({ 'a.ts': ['b.ts'], 'b.ts': ['c.ts', 'd.ts'], 'c.ts': ['a.ts'], 'd.ts': [] })), ['a.ts → b.ts → c.ts → a.ts']);
  assert.deepEqual(importCycles(graph({ 'a.ts': ['b.ts', 'c.ts'], 'b.ts': ['d.ts'], 'c.ts': ['d.ts'], 'd.ts': [] })), []);
});

test('the import graph reads type-only imports, re-exports and import() types, and names .ts files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ward-imports-'));
  try {
    mkdirSync(join(dir, 'net'));
    writeFileSync(join(dir, 'net/a.ts'), "import type { B } from './b.js';\nexport * from '../util/index.js';\nexport type C = import('./c.js').C;\n");
    for (const f of ['net/b.ts', 'net/c.ts']) writeFileSync(join(dir, f), '');
    const g = importGraph(dir, [join(dir, 'net/a.ts')]);
    assert.deepEqual(g.get('net/a.ts'), ['net/b.ts', 'util/index.ts', 'net/c.ts']);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('the lab helpers do not import bench/: the benchmarks build on the lab, not the other way round', () => {
  const helpers = join(root, '../test/helpers');
  const problems = tsFiles(helpers).filter((f) => /from\s+'[^']*\/bench\//.test(readFileSync(f, 'utf8'))).map((f) => relative(helpers, f));
  assert.deepEqual(problems, []);
});
