/**
 * What server.workers buys (`npm run bench:workers`): cached UDP throughput (dnsperf, local data)
 * of Ward with workers: 1, Ward with workers: 2 and Unbound with 2 threads, in one run, as ratios to
 * workers: 1. Nothing is pinned (the workers need more than one CPU), and dnsperf sends from 4
 * sockets so the kernel has several flows to spread. Prints a Markdown report and writes it to
 * bench/results/workers-<date>.md.
 *
 *   node dist/bench/workers.js [--seconds 5] [--rounds 3] [--no-write]
 */
import { cpus } from 'node:os';
import { parseBenchOptions, publishReport, ratioRows, runBench } from './report.js';
import { withLocalBench, startUnboundTarget, startWard } from './targets.js';
import { measureThroughput } from './throughput.js';

const ONE = 'Ward, workers: 1';
const TWO = 'Ward, workers: 2';
const UNBOUND = 'Unbound, 2 threads';
const LOAD = { udp: { clients: 4, outstanding: 100 } };

async function main(): Promise<void> {
  const o = parseBenchOptions(process.argv.slice(2), { seconds: 5, rounds: 3, write: true });
  const log = (s: string): void => { process.stderr.write(`bench: ${s}\n`); };
  await withLocalBench('ward-bench-workers', async ({ cert, queryFile, dir }, targets) => {
    targets.push(await startWard(dir('one'), '127.0.2.51', cert, [], {}, ONE));
    targets.push(await startWard(dir('two'), '127.0.2.52', cert, [], {}, TWO, { workers: 2 }));
    targets.push(await startUnboundTarget('127.0.3.50', cert, 2, UNBOUND));
    const cells = await measureThroughput(targets, { queryFile, seconds: o.seconds, rounds: o.rounds, modes: ['udp'], load: LOAD }, log);
    const report = [
      '# Worker processes: cached UDP with server.workers 1 and 2, and Unbound with 2 threads',
      '',
      `- date: ${new Date().toISOString()}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; Node.js ${process.version}`,
      `- dnsperf -c ${LOAD.udp.clients} -q ${LOAD.udp.outstanding} over UDP, ${o.rounds} round(s) of ${o.seconds} s per target, targets in rotating order; no CPU pinning (dnsperf shares the CPUs with the servers)`,
      '',
      ...ratioRows(cells, [ONE, TWO, UNBOUND], ONE, 'workers: 1'),
      '',
    ].join('\n');
    publishReport('workers', report, o.write, log);
  });
}

runBench(main);
