/**
 * What server.workers buys (`npm run bench:workers`): cached UDP throughput (dnsperf, local data)
 * of Ward with workers: 1, Ward with workers: 2, Unbound with 2 threads and BIND 9.18 named with 2
 * threads (the record in a primary zone), in one run, as ratios to workers: 1. Nothing is pinned (the workers need more than one CPU), and dnsperf sends from 4
 * sockets so the kernel has several flows to spread. Prints a Markdown report and writes it to
 * bench/results/workers-<date>.md.
 *
 *   node dist/bench/workers.js [--seconds 5] [--rounds 3] [--no-write]
 */
import { cpus } from 'node:os';
import { medianQps, parseBenchOptions, publishReport, ratioRows, runBench } from './report.js';
import { BENCH_RECORD, withLocalBench, startUnboundTarget, startWard } from './targets.js';
import { measureThroughput } from './throughput.js';
import { startNamedLocalData } from './named-resolver.js';

const ONE = 'Ward, workers: 1';
const TWO = 'Ward, workers: 2';
const UNBOUND = 'Unbound, 2 threads';
const NAMED = 'BIND named 9.18, 2 threads';
const LOAD = { udp: { clients: 4, outstanding: 100 } };

async function main(): Promise<void> {
  const o = parseBenchOptions(process.argv.slice(2), { seconds: 5, rounds: 3, write: true });
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  await withLocalBench('ward-bench-workers', async ({ cert, queryFile, dir }, targets) => {
    targets.push(await startWard(dir('one'), '127.0.2.51', cert, [], {}, ONE));
    targets.push(await startWard(dir('two'), '127.0.2.52', cert, [], {}, TWO, { workers: 2 }));
    targets.push(await startUnboundTarget('127.0.3.50', cert, 2, UNBOUND));
    targets.push(await startNamedLocalData('127.0.3.51', 2, NAMED, 'bench.test.', [BENCH_RECORD]));
    const cells = await measureThroughput(targets, { queryFile, seconds: o.seconds, rounds: o.rounds, modes: ['udp'], load: LOAD }, log);
    const report = [
      '# Worker processes: cached UDP with server.workers 1 and 2, Unbound and BIND named with 2 threads',
      '',
      `- date: ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}`,
      `- dnsperf -c ${LOAD.udp.clients} -q ${LOAD.udp.outstanding} over UDP, ${o.rounds} round(s) of ${o.seconds} s per target, targets in rotating order; no CPU pinning (dnsperf shares the CPUs with the servers)`,
      '',
      ...ratioRows(cells, [ONE, TWO, UNBOUND, NAMED], ONE, 'workers: 1'),
      '',
      // Issue 10's targets for workers: 2: at least Unbound's and named's cached UDP with two threads each.
      `Ward workers: 2 ÷ ${UNBOUND}: ${(medianQps(cells, TWO, 'udp') / medianQps(cells, UNBOUND, 'udp')).toFixed(3)}; `
        + `÷ ${NAMED}: ${(medianQps(cells, TWO, 'udp') / medianQps(cells, NAMED, 'udp')).toFixed(3)}`,
      '',
    ].join('\n');
    publishReport('workers', report, o.write, log);
  });
}

runBench(main);
