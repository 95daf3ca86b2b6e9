/**
 * server.heap_growth_percent: how far V8 lets the old generation grow past what the last major GC
 * found live before it marks again. V8's own factor (up to 4 × on a fast collector) lets a resolver's
 * old space stand at about three times its live data, per-query state of cold resolution promoted and
 * not yet collected (bench/results/memory-2026-12-07.md); a fixed factor trades a little collector
 * time for that memory (bench/results/heap-growth-2026-12-07.md). V8 reads the flag at each major GC,
 * so setting it at run time, and again on reload, takes effect from the next collection.
 */
import { setFlagsFromString } from 'node:v8';

/** 0 gives the growth back to V8's own heuristics; N grows the old generation by N % of what is live. */
export function applyHeapGrowth(percent: number): void {
  setFlagsFromString(`--heap-growing-percent=${percent}`);
}
