/**
 * Query counts per time slot for the charts: `slots` slots of `widthMs` each (e.g. 60 one-minute
 * slots), kept in fixed arrays used as a ring, so memory does not grow with time or traffic. A slot
 * is cleared when its time comes round again; slots nothing arrived in read as zero.
 */

export interface TimeBucket {
  /** Start of the slot (ms since the epoch). */
  start: number;
  total: number;
  blocked: number;
}

export interface TimeSeries {
  width_seconds: number;
  /** Oldest first. */
  buckets: TimeBucket[];
}

export class TimeBuckets {
  /** Which slot number (time / width) each position holds; -1: never used. */
  private readonly ids: Float64Array;
  private readonly totals: Float64Array;
  private readonly blocked: Float64Array;
  /** The position being counted into and the time span it covers: most queries only compare and add. */
  private current = 0;
  private from = Infinity;
  private until = -Infinity;

  constructor(readonly widthMs: number, readonly slots: number) {
    this.ids = new Float64Array(slots).fill(-1);
    this.totals = new Float64Array(slots);
    this.blocked = new Float64Array(slots);
  }

  add(nowMs: number, blocked: boolean): void {
    if (nowMs < this.from || nowMs >= this.until) this.enter(nowMs);
    this.totals[this.current]++;
    if (blocked) this.blocked[this.current]++;
  }

  /** The last `slots` slots up to the one holding `nowMs`. */
  series(nowMs: number): TimeSeries {
    const current = Math.floor(nowMs / this.widthMs);
    const out: TimeBucket[] = [];
    for (let id = current - this.slots + 1; id <= current; id++) {
      const i = this.position(id);
      const held = this.ids[i] === id;
      out.push({ start: id * this.widthMs, total: held ? this.totals[i] : 0, blocked: held ? this.blocked[i] : 0 });
    }
    return { width_seconds: this.widthMs / 1000, buckets: out };
  }

  /** Moves to the slot of `nowMs`, clearing its position when it last held an older slot. */
  private enter(nowMs: number): void {
    const id = Math.floor(nowMs / this.widthMs);
    const i = this.position(id);
    if (this.ids[i] !== id) { this.ids[i] = id; this.totals[i] = 0; this.blocked[i] = 0; }
    this.current = i;
    this.from = id * this.widthMs;
    this.until = this.from + this.widthMs;
  }

  private position(id: number): number {
    return ((id % this.slots) + this.slots) % this.slots;
  }
}
