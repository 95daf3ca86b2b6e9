/**
 * CLI: `npm run scenarios -- PATH...` plays the Deckard-format scenario files or folders given,
 * prints one line per failing scenario with the reason, and ends with `N passed, M failed`.
 * Exit status 1 when any failed. WARD_SCENARIO_LOG=debug (or trace) logs Ward's work to stderr.
 */
import { basename } from 'node:path';
import { createLogger, silentLogger, type LogLevel } from '../../src/log/index.js';
import { runScenarioFile } from './harness.js';
import { scenarioFiles } from './scenario-files.js';

async function main(argv: string[]): Promise<number> {
  const verbose = argv.includes('--verbose') || argv.includes('-v');
  const paths = argv.filter((a) => !a.startsWith('-'));
  if (paths.length === 0) {
    process.stderr.write('usage: npm run scenarios -- [--verbose] FILE_OR_FOLDER...\n');
    return 2;
  }
  const level = process.env.WARD_SCENARIO_LOG as LogLevel | undefined;
  const log = level ? createLogger(level) : silentLogger();
  let passed = 0;
  let failed = 0;
  for (const file of scenarioFiles(paths)) {
    const r = await runScenarioFile(file, log);
    if (r.passed) passed++;
    else failed++;
    if (!r.passed) process.stdout.write(`FAIL ${basename(file)}: ${r.reason}\n`);
    if (!r.passed && verbose) for (const line of r.trace) process.stdout.write(`     ${line}\n`);
    else if (verbose) process.stdout.write(`ok   ${basename(file)} (${Math.round(r.ms)} ms, ${r.upstreamQueries} upstream queries)\n`);
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; }, (err: unknown) => {
  process.stderr.write(`scenarios: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 2;
});
