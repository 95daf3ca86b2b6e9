/**
 * The client side's test bench: Ward on 127.0.2.70 (UDP/TCP 53, DoT 853) with a certificate from a
 * test CA for dns.ward.test, its per-connection observation lines on (log level debug), fast names
 * in a local zone and slow names forwarded through a delaying relay (127.0.2.71) to Unbound serving
 * them as local data (127.0.3.70): a slow question and a fast one on one connection can be answered
 * out of order. `observe` cuts Ward's log around one program's run.
 */
import { readFileSync } from 'node:fs';
import { DelayRelay } from '../helpers/delay-relay.js';
import { spkiPin } from '../../src/tls/index.js';
import { makeTestCa, type TestCa } from '../helpers/lab-cert.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { query } from '../helpers/lab-query.js';
import { startUnbound, type Unbound } from '../helpers/lab-unbound.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { E2E_ZONE, runCommand } from '../e2e/ward-under-test.js';
import type { CommandRun } from './cells.js';
import type { Cell, Row } from './types.js';
import { WardWire, type SessionView } from './ward-wire.js';

export const WARD_ADDR = '127.0.2.70';
const RELAY_ADDR = '127.0.2.71';
const SLOW_UPSTREAM_ADDR = '127.0.3.70';
export const WARD_TLS_NAME = 'dns.ward.test';
/** The rows of the client table, in order. */
export const CLIENT_ROWS: Row[] = [
  { id: 'udp', title: 'UDP' },
  { id: 'tcp', title: 'TCP' },
  { id: 'tls', title: 'TLS on 853' },
  { id: 'pin', title: 'authentication by SPKI pin' },
  { id: 'ca', title: 'authentication by name against a test CA' },
  { id: 'reuse', title: 'connection reuse' },
  { id: 'pipelining', title: 'pipelining (several queries in flight on one connection)' },
  { id: 'ooo', title: 'out-of-order replies' },
  { id: 'keepalive', title: 'EDNS0 keepalive (option seen and honoured)' },
  { id: 'padding', title: 'EDNS0 padding (lengths observed)' },
  { id: 'tfo', title: 'TCP fast open' },
];

/** Names a program can be given: fast ones from Ward's local data, slow ones through the relay. */
const NAMES = 80;
export const FAST_ADDR = '192.0.2.81';
export const SLOW_ADDR = '192.0.2.90';
/** Delay each way on the relay: the slow answer comes at least 0.6 s after the fast one. */
const SLOW_DELAY_MS = 300;

export interface ClientBench {
  address: string;
  port: number;
  tlsPort: number;
  tlsName: string;
  ca: TestCa;
  pin: string;
  /** A pin of another key: must not authenticate. */
  wrongPin: string;
  dir: string;
  /** A fresh fast and slow name, never asked before in this run (no cache in between hides them). */
  names(): { fast: string; slow: string };
  /** Runs a command to its end (bounded); the command line is kept for the evidence. */
  run(cmd: string, args: string[], timeoutMs?: number): Promise<CommandRun & { code: number }>;
  /** Runs `fn` and returns the connections Ward saw meanwhile. */
  observe<T>(fn: () => Promise<T>): Promise<{ result: T; sessions: SessionView[] }>;
  stop(): Promise<void>;
}

/** The answer line a program prints for `name` (any presentation: dig, kdig, drill, Go). */
export function answerLine(name: string, address: string): RegExp {
  return new RegExp(`${name.replace(/\./g, '\\.')}\\.?\\s+\\d+\\s+IN\\s+A\\s+${address.replace(/\./g, '\\.')}`, 'i');
}

function shellWord(w: string): string {
  return /^[\w@%+=:,./-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`;
}

/** A client of Ward in the table: its version line and one cell per row of CLIENT_ROWS. */
export interface ClientProgram {
  name: string;
  version(b: ClientBench): Promise<string>;
  cells(b: ClientBench): Promise<Record<string, Cell>>;
}

export async function startClientBench(): Promise<ClientBench> {
  const tmp = makeTempDir('ward-interop');
  const wire = new WardWire();
  let ward: WardProcess | undefined;
  let unbound: Unbound | undefined;
  let relay: DelayRelay | undefined;
  const stop = async (): Promise<void> => {
    await ward?.stop();
    await relay?.close();
    await unbound?.stop();
    tmp.remove();
  };
  const ca = makeTestCa(tmp.dir, WARD_TLS_NAME);
  try {
    unbound = await startUnbound({
      address: SLOW_UPSTREAM_ADDR,
      localZone: { name: 'slow.test.', records: Array.from({ length: NAMES }, (_, i) => `s${i}.slow.test. 300 IN A ${SLOW_ADDR}`) },
    });
    relay = await DelayRelay.start({ listen: { address: RELAY_ADDR, port: 53 }, target: { address: SLOW_UPSTREAM_ADDR, port: 53 }, delayMs: SLOW_DELAY_MS });
    ward = await startWard({
      dir: tmp.dir, address: WARD_ADDR, port: 53, tlsPort: 853, tls: ca, logLevel: 'debug', onOutput: wire.onOutput,
      localZones: [{ ...E2E_ZONE, records: [...E2E_ZONE.records, ...Array.from({ length: NAMES }, (_, i) => `f${i}.ward.test. 300 IN A ${FAST_ADDR}`)] }],
      server: { tcp_fastopen_queue: 0 },
      extra: {
        forward_zones: [{ name: 'slow.test.', addresses: [RELAY_ADDR], tls: false, hosts: [], first: false }],
        upstream: { ipv6: false, tls: 'off', timeout_ms: 3000 },
      },
    });
  } catch (err) {
    await stop();
    throw err;
  }
  let next = 0;
  let marks = 0;
  return {
    address: WARD_ADDR, port: 53, tlsPort: 853, tlsName: WARD_TLS_NAME, ca, dir: tmp.dir,
    pin: spkiPin(readFileSync(ca.certFile, 'utf8')),
    wrongPin: Buffer.alloc(32, 7).toString('base64'),
    names() {
      if (next >= NAMES) throw new Error(`more than ${NAMES} name pairs asked for`);
      const i = next++;
      return { fast: `f${i}.ward.test`, slow: `s${i}.slow.test` };
    },
    async run(cmd, args, timeoutMs = 15_000) {
      const r = await runCommand(cmd, args, timeoutMs);
      return { command: [cmd, ...args].map(shellWord).join(' '), out: `${r.stdout}${r.stderr}`, code: r.code };
    },
    async observe(fn) {
      const from = wire.mark();
      const result = await fn();
      // A marker query over TCP: once its line is in, every line of the run before it is too.
      const marker = `mark${++marks}.ward.test`;
      await query(WARD_ADDR, 53, marker, 'A', { transport: 'tcp', timeoutMs: 3000 });
      for (let i = 0; i < 60 && !wire.sawQuery(marker, from); i++) await new Promise((r) => setTimeout(r, 50));
      return { result, sessions: wire.sessionsBetween(from, wire.mark(), marker) };
    },
    stop,
  };
}
