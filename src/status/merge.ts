/**
 * The status page of server.workers > 1: each worker counts the queries it answers in its own
 * collector, and the primary merges their snapshots into one, as a single Ward would show it.
 * Totals and time slots add (slots start on the same wall-clock boundaries in every worker); the
 * recent lines interleave by time; the top tables add per key and stay upper bounds (see topOf).
 */
import type { CollectorSnapshot } from './collector.js';
import type { TopEntry } from './space-saving.js';
import type { TimeSeries } from './time-buckets.js';

export function mergeSnapshots(parts: CollectorSnapshot[], top: number): CollectorSnapshot {
  if (parts.length === 1) return parts[0];
  const recent = parts.some((p) => p.recent !== undefined) ? mergeRecent(parts.map((p) => p.recent ?? [])) : undefined;
  return {
    total: parts.reduce((n, p) => n + p.total, 0),
    blocked: parts.reduce((n, p) => n + p.blocked, 0),
    perMinute: addSeries(parts.map((p) => p.perMinute)),
    perTenSeconds: addSeries(parts.map((p) => p.perTenSeconds)),
    topNames: topOf(parts.map((p) => p.topNames), top),
    topBlocked: topOf(parts.map((p) => p.topBlocked), top),
    topClients: topOf(parts.map((p) => p.topClients), top),
    recent: recent?.slice(0, Math.max(...parts.map((p) => p.recent?.length ?? 0))),
  };
}

/** Slot by slot: every part's series ends at the slot of the same `now` (the snapshots are taken together). */
function addSeries(series: TimeSeries[]): TimeSeries {
  const bySlot = new Map<number, { total: number; blocked: number }>();
  for (const s of series) for (const b of s.buckets) {
    const have = bySlot.get(b.start);
    if (have) { have.total += b.total; have.blocked += b.blocked; } else bySlot.set(b.start, { total: b.total, blocked: b.blocked });
  }
  // A snapshot taken just across a slot boundary shifts by one slot: keep the newest `length` slots.
  const length = series[0].buckets.length;
  const buckets = [...bySlot].sort((a, b) => a[0] - b[0]).slice(-length).map(([start, c]) => ({ start, ...c }));
  return { width_seconds: series[0].width_seconds, buckets };
}

/**
 * Each part lists only its own top rows, so a key missing from a part that listed `top` rows may
 * still have been counted there up to that part's last row: that much is added to the key's count
 * and error, so the merged count stays an upper bound and `error` says how much of it is unsure
 * (the Space-Saving guarantee, carried over the merge).
 */
function topOf(parts: TopEntry[][], top: number): TopEntry[] {
  const merged = new Map<string, TopEntry>();
  for (const rows of parts) for (const e of rows) {
    const have = merged.get(e.key);
    if (have) { have.count += e.count; have.error += e.error; } else merged.set(e.key, { ...e });
  }
  for (const rows of parts) {
    if (rows.length < top) continue; // the part listed every key it holds above nothing: absent means 0
    const floor = rows[rows.length - 1].count;
    const listed = new Set(rows.map((e) => e.key));
    for (const e of merged.values()) if (!listed.has(e.key)) { e.count += floor; e.error += floor; }
  }
  return [...merged.values()].sort((a, b) => b.count - a.count || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)).slice(0, top);
}

/** Newest first, each part's lines already newest first. */
function mergeRecent(parts: object[][]): object[] {
  const timeOf = (line: object): string => (line as { time?: string }).time ?? '';
  return parts.flat().sort((a, b) => (timeOf(a) < timeOf(b) ? 1 : timeOf(a) > timeOf(b) ? -1 : 0));
}
