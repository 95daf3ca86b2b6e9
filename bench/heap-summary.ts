/**
 * What a V8 heap snapshot holds (bench/cold-signed.ts --heap-snapshot writes one): the live bytes by
 * constructor (count, self size, and the bytes each group alone keeps alive, from the dominator tree),
 * and the objects that keep the most alive with the path of edges from the GC roots to them.
 *
 *   node --max-old-space-size=8192 dist/bench/heap-summary.js FILE.heapsnapshot [--top 30]
 */
import { readFileSync } from 'node:fs';

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; edge_fields: string[]; node_types: [string[]]; edge_types: [string[]] }; node_count: number };
  nodes: number[]; edges: number[]; strings: string[];
}

/** The snapshot as flat arrays: per node its type, name, self size and first edge; per edge its type, name and target. */
class Graph {
  readonly count: number;
  readonly type: Uint8Array; readonly name: Uint32Array; readonly self: Float64Array; readonly firstEdge: Uint32Array;
  readonly edgeType: Uint8Array; readonly edgeName: Uint32Array; readonly edgeTo: Uint32Array;
  readonly nodeTypes: string[]; readonly edgeTypes: string[]; readonly strings: string[];

  constructor(s: Snapshot) {
    const nf = s.snapshot.meta.node_fields; const ef = s.snapshot.meta.edge_fields;
    const nStride = nf.length; const eStride = ef.length;
    this.count = s.nodes.length / nStride;
    this.nodeTypes = s.snapshot.meta.node_types[0]; this.edgeTypes = s.snapshot.meta.edge_types[0]; this.strings = s.strings;
    this.type = new Uint8Array(this.count); this.name = new Uint32Array(this.count); this.self = new Float64Array(this.count);
    this.firstEdge = new Uint32Array(this.count + 1);
    const [ti, ni, si, ei] = ['type', 'name', 'self_size', 'edge_count'].map((f) => nf.indexOf(f));
    let edge = 0;
    for (let i = 0; i < this.count; i++) {
      const b = i * nStride;
      this.type[i] = s.nodes[b + ti]; this.name[i] = s.nodes[b + ni]; this.self[i] = s.nodes[b + si];
      this.firstEdge[i] = edge; edge += s.nodes[b + ei];
    }
    this.firstEdge[this.count] = edge;
    const [eti, eni, eto] = ['type', 'name_or_index', 'to_node'].map((f) => ef.indexOf(f));
    this.edgeType = new Uint8Array(edge); this.edgeName = new Uint32Array(edge); this.edgeTo = new Uint32Array(edge);
    for (let e = 0; e < edge; e++) {
      const b = e * eStride;
      this.edgeType[e] = s.edges[b + eti]; this.edgeName[e] = s.edges[b + eni]; this.edgeTo[e] = s.edges[b + eto] / nStride;
    }
  }

  /** A node's group: the constructor for objects, the type in parentheses otherwise ("(string)", "(code)"...). */
  group(i: number): string {
    const t = this.nodeTypes[this.type[i]];
    if (t === 'object' || t === 'native') return this.strings[this.name[i]];
    if (t === 'closure') return `${this.strings[this.name[i]] || '(anonymous)'}()`;
    return `(${t})`;
  }

  edgeLabel(e: number): string {
    const t = this.edgeTypes[this.edgeType[e]];
    return t === 'element' || t === 'hidden' ? `[${this.edgeName[e]}]` : this.strings[this.edgeName[e]];
  }

  /** Weak edges do not keep their target alive; shortcut edges duplicate others (V8's own retainer view skips both). */
  strong(e: number): boolean {
    const t = this.edgeTypes[this.edgeType[e]];
    return t !== 'weak' && t !== 'shortcut';
  }
}

/** Immediate dominators from node 0 (the synthetic root), by the iterative algorithm of Cooper, Harvey and Kennedy. */
function dominators(g: Graph): { idom: Int32Array; order: Uint32Array; retained: Float64Array } {
  const post = new Int32Array(g.count).fill(-1);
  const order = new Uint32Array(g.count);
  let n = 0;
  // Depth-first post-order without recursion.
  const stack = [0]; const next = new Uint32Array(g.count); const seen = new Uint8Array(g.count);
  seen[0] = 1; next[0] = g.firstEdge[0];
  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    if (next[v] < g.firstEdge[v + 1]) {
      const e = next[v]++;
      const w = g.edgeTo[e];
      if (g.strong(e) && !seen[w]) { seen[w] = 1; next[w] = g.firstEdge[w]; stack.push(w); }
    } else { stack.pop(); post[v] = n; order[n++] = v; }
  }
  const preds: number[][] = Array.from({ length: g.count }, () => []);
  for (let v = 0; v < g.count; v++) {
    if (!seen[v]) continue;
    for (let e = g.firstEdge[v]; e < g.firstEdge[v + 1]; e++) if (g.strong(e) && seen[g.edgeTo[e]]) preds[g.edgeTo[e]].push(v);
  }
  const idom = new Int32Array(g.count).fill(-1);
  idom[0] = 0;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (post[a] < post[b]) a = idom[a];
      while (post[b] < post[a]) b = idom[b];
    }
    return a;
  };
  for (let changed = true; changed;) {
    changed = false;
    for (let k = n - 2; k >= 0; k--) {
      const v = order[k];
      let d = -1;
      for (const p of preds[v]) if (idom[p] !== -1) d = d === -1 ? p : intersect(p, d);
      if (d !== -1 && idom[v] !== d) { idom[v] = d; changed = true; }
    }
  }
  const retained = new Float64Array(g.count);
  for (let k = 0; k < n; k++) {
    const v = order[k];
    retained[v] += g.self[v];
    if (v !== 0) retained[idom[v]] += retained[v];
  }
  return { idom, order: order.subarray(0, n), retained };
}

/** The first strong edge from `from` to `to` ("…" when the dominator reaches it through several paths). */
function edgeBetween(g: Graph, from: number, to: number): string {
  for (let e = g.firstEdge[from]; e < g.firstEdge[from + 1]; e++) if (g.edgeTo[e] === to && g.strong(e)) return g.edgeLabel(e);
  return '…';
}

function mib(n: number): string {
  return (n / 1048576).toFixed(2);
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args.find((a) => !a.startsWith('--'));
  if (file === undefined) throw new Error('usage: heap-summary FILE.heapsnapshot [--top N]');
  const top = Number(args[args.indexOf('--top') + 1]) || 30;
  const g = new Graph(JSON.parse(readFileSync(file, 'utf8')) as Snapshot);
  const { idom, order, retained } = dominators(g);
  const total = retained[0];
  const out: string[] = [`${file}: ${g.count} nodes, ${mib(total)} MiB reachable`, ''];

  // Per group: count, self bytes, and retained bytes of the group's members not dominated by another member.
  const groups = new Map<string, { count: number; self: number; retained: number }>();
  for (const v of order) {
    const name = g.group(v);
    const s = groups.get(name) ?? { count: 0, self: 0, retained: 0 };
    s.count++; s.self += g.self[v];
    let d = idom[v]; let inside = false;
    while (d !== 0 && !inside) { inside = g.group(d) === name; d = idom[d]; }
    if (!inside) s.retained += retained[v];
    groups.set(name, s);
  }
  out.push('| group | count | self MiB | retained MiB |', '|---|--:|--:|--:|');
  for (const [name, s] of [...groups].sort((a, b) => b[1].self - a[1].self).slice(0, top)) {
    out.push(`| ${name.slice(0, 60)} | ${s.count} | ${mib(s.self)} | ${mib(s.retained)} |`);
  }

  // By retaining path: each object's self size under the chain of named objects that dominate it
  // (arrays, hidden and system objects skipped), the nearest last: what holds the bytes, and through what.
  const paths = new Map<string, number>();
  const named = (u: number): boolean => !/^\(|^system \/|^Array$|^Object$/.test(g.group(u)) || g.group(u) === '(closure)';
  for (const v of order) {
    const chain: string[] = [g.group(v)];
    for (let u = idom[v]; u !== 0 && chain.length < 4; u = idom[u]) if (named(u) && g.nodeTypes[g.type[u]] !== 'synthetic') chain.push(g.group(u));
    const k = chain.reverse().join(' › ');
    paths.set(k, (paths.get(k) ?? 0) + g.self[v]);
  }
  out.push('', 'By retaining path (self MiB of the last element, under the named objects dominating it):');
  for (const [k, b] of [...paths].sort((a, c) => c[1] - a[1]).slice(0, top)) out.push(`- ${mib(b)} ${k}`);

  // The biggest dominators that are not just the root's synthetic children, with their path.
  out.push('', `Top ${top} retainers (retained MiB, path from the roots):`);
  const candidates = [...order].filter((v) => v !== 0 && g.nodeTypes[g.type[v]] !== 'synthetic').sort((a, b) => retained[b] - retained[a]);
  let shown = 0;
  for (const v of candidates) {
    if (shown >= top) break;
    // Skip a node whose immediate dominator is shown with nearly the same size (the same thing twice).
    const d = idom[v];
    if (d !== 0 && retained[d] - retained[v] < retained[v] * 0.05 && g.nodeTypes[g.type[d]] !== 'synthetic') continue;
    const path: string[] = [];
    for (let u = v; u !== 0 && path.length < 12; u = idom[u]) path.unshift(`${edgeBetween(g, idom[u], u)}→${g.group(u)}`);
    out.push(`- ${mib(retained[v])} MiB ${g.group(v)}: ${path.join(' ')}`);
    shown++;
  }
  process.stdout.write(`${out.join('\n')}\n`);
}

main();
