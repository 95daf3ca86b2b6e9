/**
 * The real `ward` process for end-to-end tests, on test/helpers/lab-ward.ts: a temporary directory,
 * free ports on a 127.0.2.x address (DESIGN.md lab addresses), the e2e local zone, the DoT pin read
 * from Ward's log, process RSS from /proc, and a stop that reports the exit code.
 */
import { readFileSync } from 'node:fs';
import { execFile, type ChildProcess } from 'node:child_process';
import { makeTempDir } from '../helpers/lab-process.js';
import { freePort } from '../helpers/free-port.js';

export { freePort };
import { startWard as startWardProcess, WARD_MAIN } from '../helpers/lab-ward.js';

/** Local data every e2e Ward serves. */
export const E2E_ZONE = {
  name: 'ward.test.',
  type: 'static' as const,
  records: [
    'ward.test. 3600 IN SOA ns.ward.test. hostmaster.ward.test. 1 3600 900 604800 300',
    'www.ward.test. 300 IN A 192.0.2.80',
    'www.ward.test. 300 IN AAAA 2001:db8::80',
    'web.ward.test. 300 IN CNAME www.ward.test.',
    // 30 TXT records of 80 characters: about 2.7 kB, over any UDP limit Ward uses.
    ...Array.from({ length: 30 }, (_, i) => `big.ward.test. 300 IN TXT "${String(i).padStart(2, '0')}${'x'.repeat(78)}"`),
  ],
};

export interface CommandResult { code: number; stdout: string; stderr: string }

/** Runs a command to its end (bounded); a non-zero exit is a result, not an error. */
export function runCommand(cmd: string, args: string[], timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : -1) : 0, stdout, stderr });
    });
  });
}

/** The `ward` command line of this build (`node dist/src/main.js ARGS`). */
export function wardCli(args: string[]): Promise<CommandResult> {
  return runCommand(process.execPath, [WARD_MAIN, ...args]);
}

export interface WardProcess {
  address: string;
  port: number;
  tlsPort: number;
  pin: string;
  child: ChildProcess;
  configFile: string;
  /** The tail of stdout and stderr. */
  output(): string;
  /** Resident set size of the process (kB). */
  rssKb(): number;
  /** SIGTERM, then waits for exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts Ward with `server` keys merged over the e2e defaults (self-signed DoT, no fast open notice). */
export async function startWard(address: string, server: Record<string, unknown> = {}, extra: Record<string, unknown> = {}): Promise<WardProcess> {
  const tmp = makeTempDir('ward-e2e');
  try {
    const port = await freePort(address);
    const tlsPort = await freePort(address);
    const w = await startWardProcess({
      dir: tmp.dir, address, port, tlsPort, localZones: [E2E_ZONE], logLevel: 'info',
      server: { tcp_fastopen_queue: 0, ...server }, extra,
    });
    const pin = /"spki_pin":"([^"]+)"/.exec(w.daemon.output())?.[1] ?? '';
    const child = w.daemon.child;
    return {
      address, port, tlsPort, pin, child, configFile: w.configFile,
      output: () => w.daemon.output(),
      rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
      async stop(graceMs = 5_000) {
        await w.daemon.stop(graceMs);
        tmp.remove();
        return child.exitCode;
      },
    };
  } catch (err) {
    tmp.remove();
    throw err;
  }
}

/** The value of one series in a Prometheus scrape (`name` with its labels, as the line starts). */
export function series(scrape: string, name: string): number {
  const line = scrape.split('\n').find((l) => l.startsWith(`${name} `));
  if (line === undefined) throw new Error(`the scrape has no ${name}`);
  return Number(line.slice(name.length + 1));
}
