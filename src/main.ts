#!/usr/bin/env node
/**
 * The `ward` command: `ward [--config FILE]` runs the resolver; `ward pin [--config FILE]` prints the
 * SPKI pin of the DoT certificate on disk, the one a running Ward serves (creating the self-signed one
 * when absent; tls/self-signed-store.ts makes concurrent creators agree on one). SIGTERM and SIGINT
 * stop gracefully (nothing new accepted, queries in flight finished) and exit 0; a bad config file
 * is one line on stderr and exit code 2; any other start-up failure exits 1.
 */
import { loadConfig, type Config } from './config/index.js';
import { ConfigError, errorMessage } from './util/index.js';
import { createApp, tlsMaterial } from './app.js';
import { spkiPin } from './tls/index.js';

const DEFAULT_CONFIG = 'config/ward.yaml';
const USAGE = 'usage: ward [--config FILE]\n       ward pin [--config FILE]';

interface Args { command: 'run' | 'pin' | 'help'; config: string }

function parseArgs(argv: string[]): Args {
  const args: Args = { command: 'run', config: DEFAULT_CONFIG };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === 'pin' && i === 0) args.command = 'pin';
    else if (a === '--help' || a === '-h') args.command = 'help';
    else if (a === '--config' || a === '-c') {
      const file = argv[++i];
      if (file === undefined) throw new UsageError('--config needs a file');
      args.config = file;
    } else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else throw new UsageError(`unknown argument ${a}`);
  }
  return args;
}

class UsageError extends Error {}

function fail(message: string, code: number): never {
  process.stderr.write(`ward: ${message}\n`);
  process.exit(code);
}

async function main(): Promise<void> {
  let args: Args;
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
  const app = await createApp(config, { configPath: args.config });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    app.stop().then(() => app.log.flush(() => process.exit(0)), (err) => fail(errorMessage(err), 1));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err: unknown) => fail(errorMessage(err), err instanceof ConfigError ? 2 : 1));
