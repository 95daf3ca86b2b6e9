/**
 * A diagnosis preload for benchmarks (`node --import=<build>/bench/loop-delay.js src/main.js ...`, passed
 * with --ward-node-arg): every second it prints one line to stderr with the event-loop delay of that
 * second (perf_hooks.monitorEventLoopDelay: p50, p99, max in ms) and the garbage collections in it
 * (count, total and longest pause in ms, pauses over 1 ms), so latency outliers can be put down to
 * the loop being blocked, to GC, or to neither (then: scheduling, the client, the kernel).
 */
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';

const loop = monitorEventLoopDelay({ resolution: 1 });
loop.enable();
let gc = { count: 0, totalMs: 0, maxMs: 0, over1: 0 };
const observer = new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.totalMs += e.duration;
    gc.maxMs = Math.max(gc.maxMs, e.duration);
    if (e.duration > 1) gc.over1++;
  }
});
observer.observe({ entryTypes: ['gc'] });

const ms = (ns: number): string => (ns / 1e6).toFixed(2);
let second = 0;
const timer = setInterval(() => {
  second++;
  process.stderr.write(`loop-delay t=${second}s p50=${ms(loop.percentile(50))} p99=${ms(loop.percentile(99))} `
    + `max=${ms(loop.max)} gc=${gc.count} gc_total=${gc.totalMs.toFixed(2)} gc_max=${gc.maxMs.toFixed(2)} gc_over_1ms=${gc.over1}\n`);
  loop.reset();
  gc = { count: 0, totalMs: 0, maxMs: 0, over1: 0 };
}, 1000);
timer.unref();
