/**
 * One interop run: the client table (each program of programs/ against the client bench) and the
 * authoritative table (auth-table.ts), as a Report for report.ts.
 */
import { execFileSync } from 'node:child_process';
import { authTable } from './auth-table.js';
import { startClientBench, CLIENT_ROWS, type ClientProgram } from './client-bench.js';
import { notApplicable } from './cells.js';
import { CLIENT_PROGRAMS } from './programs/index.js';
import type { Cell, ProgramResult, Report, Table } from './types.js';

export interface RunOptions {
  /** Only these client programs (by name), and the authoritative table only when 'authoritative' is among them; empty: all. */
  only?: string[];
  log?: (line: string) => void;
}

function platform(): string {
  const kernel = execFileSync('uname', ['-sr']).toString().trim();
  return `${kernel}, Node.js ${process.version}`;
}

/** A program that failed to run: every cell n.a. with the failure, so nothing is claimed. */
function failed(err: unknown): Record<string, Cell> {
  const why = `the run failed: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`;
  return Object.fromEntries(CLIENT_ROWS.map((r) => [r.id, notApplicable(why)]));
}

async function clientTable(programs: ClientProgram[], log: (line: string) => void): Promise<Table> {
  const bench = await startClientBench();
  const results: ProgramResult[] = [];
  try {
    for (const p of programs) {
      log(`client: ${p.name}`);
      const version = await p.version(bench).catch(() => 'unknown');
      const cells = await p.cells(bench).catch(failed);
      results.push({ name: p.name, version, cells });
    }
  } finally {
    await bench.stop();
  }
  return {
    side: 'Clients of Ward',
    intro: 'Each program asks Ward (127.0.2.70, UDP/TCP 53, DoT 853, certificate from a test CA for dns.ward.test) directly or, '
      + 'for resolvers, by forwarding to it. Evidence comes from the program\'s output and from Ward\'s per-connection '
      + 'observation lines (log level debug: queries read per connection, queries in flight, keepalive and padding options, '
      + 'order of replies written).',
    rows: CLIENT_ROWS,
    programs: results,
  };
}

export async function runInterop(o: RunOptions = {}): Promise<Report> {
  const log = o.log ?? (() => undefined);
  const pick = <T extends { name: string }>(all: T[]): T[] => (o.only && o.only.length > 0 ? all.filter((p) => o.only?.includes(p.name)) : all);
  const only = o.only ?? [];
  const tables = [await clientTable(pick(CLIENT_PROGRAMS), log)];
  if (only.length === 0 || only.includes('authoritative')) tables.push(await authTable(log));
  return { date: new Date().toISOString().slice(0, 10), platform: platform(), tables };
}
