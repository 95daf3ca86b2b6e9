/**
 * The import graph of a TypeScript tree and the cycles in it, for test/unit/architecture. Every
 * relative import counts, type-only ones and re-exports included: a cycle of types is still two files
 * that cannot be read (or moved) one without the other.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

/** File → the files it imports, all as paths relative to the tree's root. */
export type ImportGraph = Map<string, string[]>;

/** `from '…'`, `import '…'` and `import('…')` with a relative specifier. */
const RELATIVE_IMPORT = /(?:\bfrom\s+|\bimport\s*\(?\s*)'(\.{1,2}\/[^']+)'/g;

/** The graph of `files` (absolute paths) under `root`; `.js` specifiers name the `.ts` file beside them. */
export function importGraph(root: string, files: string[]): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const file of files) {
    const targets = [...readFileSync(file, 'utf8').matchAll(RELATIVE_IMPORT)]
      .map((m) => relative(root, join(dirname(file), m[1].replace(/\.js$/, '.ts'))));
    graph.set(relative(root, file), [...new Set(targets)]);
  }
  return graph;
}

/**
 * One cycle per strongly connected component of more than one file (or a file importing itself),
 * written as the path round it (`a → b → a`); [] when the graph has none. Tarjan's algorithm.
 */
export function importCycles(graph: ImportGraph): string[] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[] = [];

  const visit = (file: string): void => {
    index.set(file, index.size);
    low.set(file, index.get(file)!);
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file)!, index.get(next)!));
      }
    }
    if (low.get(file) !== index.get(file)) return;
    const component: string[] = [];
    let member: string;
    do {
      member = stack.pop()!;
      onStack.delete(member);
      component.push(member);
    } while (member !== file);
    if (component.length > 1 || graph.get(file)?.includes(file)) cycles.push(pathRound(graph, new Set(component), file));
  };

  for (const file of [...graph.keys()].sort()) if (!index.has(file)) visit(file);
  return cycles;
}

/** A path from `start` back to itself inside `component` (breadth-first, so a shortest one). */
function pathRound(graph: ImportGraph, component: Set<string>, start: string): string {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const next of graph.get(file) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path: string[] = [];
        for (let at = file; at !== start; at = cameFrom.get(at)!) path.unshift(at);
        return [start, ...path, start].join(' → ');
      }
      if (!cameFrom.has(next)) { cameFrom.set(next, file); queue.push(next); }
    }
  }
  return start; // not reached: every member of a component lies on a cycle through start
}
