/**
 * PowerDNS Recursor (Debian's pdns-recursor 4.8) as a peer resolver through the lab's private root, with
 * DoT to the authoritative servers whose names end in `dotToAuthNames` (its `dot-to-auth-names`: the
 * certificate is not checked). Runs in the foreground with every file in `dir`; its counters are read
 * with `rec_control get-all`.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDaemon, waitReady, type Daemon } from '../test/helpers/lab-process.js';
import { query } from '../test/helpers/lab-query.js';

export interface RecursorOptions {
  /** Where it listens (UDP and TCP on 53) and the source address of its queries to authorities. */
  address: string;
  dir: string;
  rootHintsFile: string;
  /** Name server names or suffixes to query over DoT (port 853); none: Do53 only. */
  dotToAuthNames: string[];
}

export interface Recursor { daemon: Daemon; stop(): Promise<void>; counters(): Promise<Record<string, number>> }

function configText(o: RecursorOptions): string {
  return [
    `local-address=${o.address}`, 'local-port=53', `query-local-address=${o.address}`,
    `hint-file=${o.rootHintsFile}`,
    // The default refuses to query 127.0.0.0/8, where the lab lives.
    'dont-query=', 'allow-from=127.0.0.0/8',
    `socket-dir=${o.dir}`, 'daemon=no', 'write-pid=no', 'disable-syslog=yes', 'log-timestamp=no',
    // One worker thread, like one Ward process; no validation (Ward runs without trust anchors here).
    'threads=1', 'pdns-distributes-queries=no', 'dnssec=off',
    ...(o.dotToAuthNames.length > 0 ? [`dot-to-auth-names=${o.dotToAuthNames.join(',')}`] : []),
    'loglevel=4', 'quiet=yes',
  ].join('\n') + '\n';
}

/** `rec_control get-all` as numbers by name. */
async function readCounters(dir: string): Promise<Record<string, number>> {
  const { stdout } = await promisify(execFile)('rec_control', [`--socket-dir=${dir}`, 'get-all'], { timeout: 5000 });
  const out: Record<string, number> = {};
  for (const line of stdout.split('\n')) {
    const [name, value] = line.split('\t');
    if (name && value !== undefined && value !== '') out[name] = Number(value);
  }
  return out;
}

/** `pdns_recursor --version`'s version line ("PowerDNS Recursor 4.8.8"). */
export async function recursorVersion(): Promise<string> {
  const r = await promisify(execFile)('pdns_recursor', ['--version'], { timeout: 5000 }).catch((err: { stderr?: string }) => ({ stderr: err.stderr ?? '', stdout: '' }));
  return /PowerDNS Recursor [0-9.]+/.exec(`${r.stdout}${r.stderr}`)?.[0] ?? 'PowerDNS Recursor (version unknown)';
}

/** Starts the recursor; resolves once it answers `localhost.` and its control socket reports counters. */
export async function startRecursor(o: RecursorOptions): Promise<Recursor> {
  const conf = join(o.dir, 'recursor.conf');
  writeFileSync(conf, configText(o));
  const daemon = startDaemon('pdns_recursor', 'pdns_recursor', [`--config-dir=${o.dir}`]);
  try {
    await waitReady(daemon, async () => (await query(o.address, 53, 'localhost.', 'A', { timeoutMs: 300 })).answers.length > 0
      && Object.keys(await readCounters(o.dir)).length > 0, 15_000);
  } catch (err) {
    await daemon.stop();
    throw err;
  }
  return { daemon, stop: () => daemon.stop(), counters: () => readCounters(o.dir) };
}
