/**
 * The recent query log for the status page: the last `size` lines of the query log (log.queries),
 * as the query log writes them, each with the time it was written. A ring of fixed size: the
 * oldest line is overwritten.
 */

export class RecentQueries {
  private readonly lines: (object | undefined)[];
  private readonly times: Float64Array;
  private next = 0;

  constructor(readonly size: number, private readonly now: () => number) {
    this.lines = new Array<object | undefined>(size).fill(undefined);
    this.times = new Float64Array(size);
  }

  /** Takes one query-log line (the query log's writer interface). */
  write(entry: object): void {
    this.lines[this.next] = entry;
    this.times[this.next] = this.now();
    this.next = (this.next + 1) % this.size;
  }

  /** The lines held, newest first, each with `time` (ISO 8601). */
  list(): object[] {
    const out: object[] = [];
    for (let k = 1; k <= this.size; k++) {
      const i = (this.next - k + this.size) % this.size;
      const line = this.lines[i];
      if (line === undefined) break;
      out.push({ time: new Date(this.times[i]).toISOString(), ...line });
    }
    return out;
  }
}
