#!/usr/bin/env node
/**
 * The `ward` command: `ward [--config FILE]` runs the resolver; `ward pin` prints the SPKI pin of the
 * DoT certificate on disk, the one a running Ward serves (creating the self-signed one when absent;
 * tls/self-signed-store.ts makes concurrent creators agree on one); `ward stats | upstream | flush |
 * flush-infra | cache dump | reload` talk to the running Ward over its control channel (cli/).
 * SIGTERM and SIGINT stop gracefully (nothing new accepted, queries in flight finished) and exit 0;
 * SIGHUP reloads the config file (a config that fails validation is logged and the old one kept).
 * With server.workers above 1 this process is the primary of that many workers (primary.ts), and
 * each worker runs this file again (worker.ts).
 * A bad config file is one line on stderr and exit code 2; an unreachable control channel or a
 * refused command exits 1; any other start-up failure exits 1.
 */
import cluster from 'node:cluster';
import { loadConfig, workerCount, type Config } from './config/index.js';
import { ConfigError, errorMessage } from './util/index.js';
import { createApp, tlsMaterial } from './app.js';
import { spkiPin } from './tls/index.js';
import { parseArgs, runControlCommand, USAGE, type CliArgs } from './cli/index.js';
import { handleSignals } from './signals.js';
import { runPrimary } from './primary.js';
import { runWorker } from './worker.js';
import { WorkerStartError } from './worker-pool.js';

function fail(message: string, code: number): never {
  process.stderr.write(`ward: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let args: CliArgs;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    return fail(`${errorMessage(err)}\n${USAGE}`, 2);
  }
  if (args.command === 'help') { process.stdout.write(`${USAGE}\n`); return; }
  let config: Config;
  try {
    config = loadConfig(args.config);
  } catch (err) {
    return fail(errorMessage(err), err instanceof ConfigError ? 2 : 1);
  }
  if (args.command === 'pin') {
    const tls = tlsMaterial(config);
    if (!tls) return fail(`${args.config}: no listener with transport tls`, 2);
    process.stdout.write(`${spkiPin(tls.cert)}\n`);
    return;
  }
  if (args.command !== 'run') {
    const out = await runControlCommand(args, config).catch((err: unknown) => fail(errorMessage(err), err instanceof ConfigError ? 2 : 1));
    process.stdout.write(`${out}\n`);
    return;
  }
  if (cluster.isWorker) return runWorker(config, args.config);
  // server.workers: 1 is one process, exactly as without the key: no cluster at all.
  if (workerCount(config) > 1) return runPrimary(config, args.config).catch((err: unknown) => fail(errorMessage(err), err instanceof WorkerStartError ? err.exitCode : 1));
  const app = await createApp(config, { configPath: args.config });
  handleSignals({ log: app.log, stop: () => app.stop(), reload: () => app.admin.reload() });
}

main().catch((err: unknown) => fail(errorMessage(err), err instanceof ConfigError ? 2 : 1));
