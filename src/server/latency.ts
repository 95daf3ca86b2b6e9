/**
 * The latency of client answers in fixed buckets (seconds, Prometheus histogram bounds): one array
 * increment per answer, read by the metrics exporter on scrape. Buckets are upper bounds, not
 * cumulative; the exporter sums them.
 */
export const LATENCY_BOUNDS_S = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export interface LatencySnapshot { bounds: number[]; counts: number[]; sum_seconds: number; count: number }

export class LatencyHistogram {
  /** One slot per bound, plus +Inf. */
  private readonly counts = new Array<number>(LATENCY_BOUNDS_S.length + 1).fill(0);
  private sumMs = 0;
  private n = 0;

  observe(ms: number): void {
    const s = ms / 1000;
    let i = 0;
    while (i < LATENCY_BOUNDS_S.length && s > LATENCY_BOUNDS_S[i]) i++;
    this.counts[i]++;
    this.sumMs += ms;
    this.n++;
  }

  snapshot(): LatencySnapshot {
    return { bounds: LATENCY_BOUNDS_S, counts: [...this.counts], sum_seconds: this.sumMs / 1000, count: this.n };
  }
}
