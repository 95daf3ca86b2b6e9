/** The `ward` command line: a command, its arguments and the global options (--config, --json). */

export type CliCommand = 'run' | 'pin' | 'help' | 'stats' | 'upstream' | 'flush' | 'flush-infra' | 'cache-dump' | 'reload';

export interface CliArgs {
  command: CliCommand;
  config: string;
  json: boolean;
  /** stats --reset */
  reset: boolean;
  /** flush NAME, cache dump [NAME] */
  name?: string;
  /** flush --type T */
  type?: string;
  subtree: boolean;
  all: boolean;
  /** flush-infra ADDRESS */
  address?: string;
}

export const DEFAULT_CONFIG = 'config/ward.yaml';

export const USAGE = [
  'usage: ward [--config FILE]                          run the resolver',
  '       ward pin [--config FILE]                      print the SPKI pin of the DoT certificate',
  '       ward stats [--reset] [--json]                 counters since start (and since the last --reset)',
  '       ward upstream [--json]                        authoritative servers: transport, DoT state, encrypted share',
  '       ward flush NAME [--type T] [--subtree]        drop NAME from every cache',
  '       ward flush --all',
  '       ward flush-infra ADDRESS                      forget what is known about a server (RTT, EDNS, DoT)',
  '       ward cache dump [NAME] [--json]               the cached RRsets (at or below NAME)',
  '       ward reload                                   re-read the config file (also SIGHUP)',
  'The control commands reach the running Ward through the control socket of --config.',
].join('\n');

export class UsageError extends Error {}

const COMMANDS: { [word: string]: CliCommand } = {
  pin: 'pin', stats: 'stats', upstream: 'upstream', flush: 'flush', 'flush-infra': 'flush-infra', reload: 'reload', help: 'help',
};

export function parseArgs(argv: string[]): CliArgs {
  const args: CliArgs = { command: 'run', config: DEFAULT_CONFIG, json: false, reset: false, subtree: false, all: false };
  const positional: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (flag: string): string => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    if (a === '--help' || a === '-h') args.command = 'help';
    else if (a === '--config' || a === '-c') args.config = value(a);
    else if (a.startsWith('--config=')) args.config = a.slice('--config='.length);
    else if (a === '--json') args.json = true;
    else if (a === '--reset') args.reset = true;
    else if (a === '--type' || a === '-t') args.type = value(a).toUpperCase();
    else if (a === '--subtree') args.subtree = true;
    else if (a === '--all') args.all = true;
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a}`);
    else positional.push(a);
  }
  if (args.command === 'help') return args;
  const [word, ...rest] = positional;
  if (word === undefined) return args;
  if (word === 'cache') {
    if (rest[0] !== 'dump') throw new UsageError('cache needs a subcommand: cache dump [NAME]');
    args.command = 'cache-dump';
    rest.shift();
  } else if (COMMANDS[word]) args.command = COMMANDS[word];
  else throw new UsageError(`unknown command ${word}`);
  const takes = args.command === 'flush' || args.command === 'cache-dump' ? 'name' : args.command === 'flush-infra' ? 'address' : undefined;
  if (rest.length > (takes ? 1 : 0)) throw new UsageError(`${word}: unexpected argument ${rest[takes ? 1 : 0]}`);
  if (takes && rest[0] !== undefined) args[takes] = rest[0];
  if (args.command === 'flush' && !args.all && args.name === undefined) throw new UsageError('flush needs a NAME or --all');
  if (args.command === 'flush' && args.all && (args.name !== undefined || args.type !== undefined || args.subtree)) {
    throw new UsageError('flush --all takes no NAME, --type or --subtree');
  }
  if (args.command === 'flush-infra' && args.address === undefined) throw new UsageError('flush-infra needs an ADDRESS');
  return args;
}
