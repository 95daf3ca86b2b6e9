/**
 * What operating Ward costs on the hot path (`npm run bench:ops`): cached UDP throughput (dnsperf,
 * local data) of Ward with the control channel and the metrics listener off, against Ward with both
 * on (and so the status page, http.status_page's default) while the bench scrapes /metrics and
 * /status.json and asks `stats` over the control socket every second, and
 * Unbound beside them, in one run. Issue target: on ÷ off ≥ 0.97. Prints a Markdown report and
 * writes it to bench/results/operations-<date>.md.
 *
 *   node dist/bench/operations.js [--seconds 5] [--rounds 5] [--no-write] [--no-pin]
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { controlRequest } from '../src/control/index.js';
import { medianQps, parseBenchOptions, publishReport, ratioRows, runBench, type BenchOptions } from './report.js';
import { withLocalBench, startUnboundTarget, startWard } from './targets.js';
import { measureThroughput, pinToCpu } from './throughput.js';

const METRICS_PORT = 9153;
const OFF = 'Ward, control and metrics off';
const ON = 'Ward, control, metrics and status page on, scraped every second';

interface Options extends BenchOptions { pin: boolean }

function parseOptions(argv: string[]): Options {
  return parseBenchOptions<Options>(argv, { seconds: 5, rounds: 5, write: true, pin: cpus().length >= 2 }, (a, o) => {
    if (a !== '--no-pin') return false;
    o.pin = false;
    return true;
  });
}

/** Scrapes /metrics and /status.json and asks `stats` once a second until stopped; counts what it did. */
function scraper(address: string, socket: string): { stop(): Promise<number> } {
  let scrapes = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const path of ['/metrics', '/status.json']) await (await fetch(`http://${address}:${METRICS_PORT}${path}`)).text();
      await controlRequest({ socket }, { command: 'stats' });
      scrapes++;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  })();
  return { async stop() { running = false; await loop; return scrapes; } };
}

async function main(): Promise<void> {
  const o = parseOptions(process.argv.slice(2));
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  await withLocalBench('ward-bench-ops', async ({ cert, queryFile, dir }, targets) => {
    const dirs = [dir('off'), dir('on')];
    targets.push(await startWard(dirs[0], '127.0.2.1', cert, [], { control: { enabled: false } }, OFF));
    targets.push(await startWard(dirs[1], '127.0.2.2', cert, [], { http: { listen: { address: '127.0.2.2', port: METRICS_PORT } } }, ON));
    targets.push(await startUnboundTarget('127.0.3.1', cert));
    if (o.pin) for (const t of targets) pinToCpu(t, 1);
    const scrape = scraper('127.0.2.2', join(dirs[1], 'ward-state', 'control.sock'));
    const cells = await measureThroughput(targets, { queryFile, seconds: o.seconds, rounds: o.rounds, cpu: o.pin ? 0 : undefined, modes: ['udp'] }, log);
    const scrapes = await scrape.stop();
    const off = medianQps(cells, OFF, 'udp');
    const on = medianQps(cells, ON, 'udp');
    const report = [
      '# Operations cost: cached UDP with the control channel and metrics on versus off',
      '',
      `- date: ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}`,
      `- dnsperf -c 1 -q 100 over UDP, ${o.rounds} round(s) of ${o.seconds} s per target, targets in rotating order; ${o.pin ? 'dnsperf on CPU 0, servers on CPU 1' : 'no CPU pinning'}`,
      `- during the whole run: ${scrapes} scrapes of /metrics and /status.json and \`stats\` requests over the control socket (one a second)`,
      '',
      ...ratioRows(cells, [OFF, ON, 'Unbound'], OFF, 'Ward off'),
      '',
      `Cost of operations on the hot path: ${((1 - on / off) * 100).toFixed(1)}% (target under 3%; noise on a shared machine is of that order: compare several runs).`,
      '',
    ].join('\n');
    publishReport('operations', report, o.write, log);
  });
}

runBench(main);
