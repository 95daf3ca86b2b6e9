/** Runs one control command against the Ward that --config describes and returns what to print. */
import type { Config } from '../config/index.js';
import { controlRequest, controlTarget, type ControlRequest, type FlushResult, type StatsReport } from '../control/index.js';
import type { CliArgs } from './args.js';
import { formatDump, formatStats, formatUpstream, type DumpEntry, type UpstreamView } from './format.js';

export async function runControlCommand(args: CliArgs, config: Config): Promise<string> {
  const target = controlTarget(config, false);
  const request = requestOf(args);
  const result = await controlRequest(target, request);
  if (args.json) return JSON.stringify(result, null, 2);
  switch (args.command) {
    case 'stats': return formatStats(result as StatsReport);
    case 'upstream': return formatUpstream(result as UpstreamView);
    case 'cache-dump': return formatDump(result as DumpEntry[]);
    case 'flush': return flushLine(result as FlushResult);
    case 'flush-infra': return `removed ${(result as { removed: number }).removed}`;
    case 'reload': {
      const applied = (result as { applied: string[] }).applied;
      return applied.length === 0 ? 'reloaded: nothing changed' : `reloaded: ${applied.join(', ')}`;
    }
    default: return JSON.stringify(result);
  }
}

/** `removed N`, and with cache.shared what left the shared tier (or why nothing could). */
function flushLine(r: FlushResult): string {
  if (r.shared_error !== undefined) return `removed ${r.removed}; shared cache not flushed: ${r.shared_error}`;
  return r.shared_removed === undefined ? `removed ${r.removed}` : `removed ${r.removed}, ${r.shared_removed} from the shared cache`;
}

function requestOf(a: CliArgs): ControlRequest {
  switch (a.command) {
    case 'stats': return { command: 'stats', args: { reset: a.reset } };
    case 'flush': return { command: 'flush', args: a.all ? { all: true } : { name: a.name, type: a.type, subtree: a.subtree } };
    case 'flush-infra': return { command: 'flush-infra', args: { address: a.address } };
    case 'cache-dump': return { command: 'cache-dump', args: a.name === undefined ? {} : { name: a.name } };
    case 'upstream': return { command: 'upstream' };
    case 'reload': return { command: 'reload' };
    default: throw new Error(`${a.command} is not a control command`);
  }
}
