/**
 * The authoritative side's test bench: the lab (test/helpers/lab.ts: NSD 127.53.0.1, Knot 127.53.0.2,
 * BIND 127.53.0.3) serving its tree plus, in each column's zone, a wildcard A (fresh names for bursts)
 * and a wildcard TXT set too big for UDP (TC, then TCP); and Ward instances on 127.0.2.8x resolving
 * through it at log level debug, so their outbound observation lines (src/net/observe.ts) show what
 * each connection to an authoritative server carried.
 */
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { controlRequest } from '../../src/control/index.js';
import type { Lab } from '../helpers/lab.js';
import { query, recordText, rcodeName } from '../helpers/lab-query.js';
import { startWard, type WardProcess } from '../helpers/lab-ward.js';
import { BIG_TXT_COUNT, bigTxt, LAB_ADDR, LAB_ZONES, type LabServer } from '../helpers/lab-zones.js';
import type { Asked, ServerRow } from './auth-cells.js';
import type { Row } from './types.js';
import { WardWire, type SessionView } from './ward-wire.js';

/** The rows of the authoritative table, in order. */
export const AUTH_ROWS: Row[] = [
  { id: 'udp', title: 'UDP' },
  { id: 'tcp', title: 'TCP (after TC)' },
  { id: 'tls', title: 'TLS to 853 with RFC 9539 probing' },
  { id: 'fallback', title: 'fallback to Do53 when 853 is closed or stalls' },
  { id: 'strict', title: 'authentication in strict mode (test CA and name)' },
  { id: 'reuse', title: 'connection reuse' },
  { id: 'pipelining', title: 'pipelining (several queries in flight on one connection)' },
  { id: 'ooo', title: 'out-of-order replies processed' },
  { id: 'keepalive', title: 'EDNS0 keepalive honoured (RFC 7828)' },
  { id: 'padding', title: 'queries padded to 128 octets (RFC 8467)' },
  { id: 'tfo', title: 'TCP fast open' },
];

/** A column: the lab role, the zone its names come from, how to ask its version, whether it serves DoT. */
export interface AuthServer { name: string; role: LabServer; zone: string; version: [string, string[]]; dot: boolean }

export const AUTH_SERVERS: AuthServer[] = [
  { name: 'NSD', role: 'nsd', zone: 'glue.test', version: ['nsd', ['-v']], dot: true },
  { name: 'BIND (named)', role: 'bind', zone: 'oob.test', version: ['named', ['-v']], dot: true },
  { name: 'Knot DNS', role: 'knot', zone: 'insecure.test', version: ['knotd', ['-V']], dot: false },
];

export const addressOf = (s: AuthServer): string => LAB_ADDR[s.role];

/** The name on the lab's DoT certificate (from the test CA). */
export const AUTH_TLS_NAME = 'dot.lab.test';
/** The keepalive timeout BIND offers in this lab (RFC 7828), shorter than Ward's own 10 s so honouring it shows. */
export const BIND_KEEPALIVE_S = 2;

/** The lab's tree with `*.w.ZONE A` and `*.big.ZONE TXT` (BIG_TXT_COUNT records) in each column's zone. */
export function interopZones(): Record<string, [LabServer, string]> {
  const zones = { ...LAB_ZONES };
  for (const s of AUTH_SERVERS) {
    const key = `${s.zone}.`;
    const [owner, text] = zones[key];
    const big = Array.from({ length: BIG_TXT_COUNT }, (_, i) => `*.big.${key} IN TXT "${bigTxt(i)}"`).join('\n');
    zones[key] = [owner, `${text}*.w.${key} IN A 192.0.2.55\n${big}\n`];
  }
  return zones;
}

export interface AuthWard {
  /** What this Ward is, for the evidence ("Ward (upstream.tls: opportunistic)"). */
  label: string;
  /** Asks Ward over UDP, or TCP for TXT (the big answers do not fit Ward's UDP reply). */
  ask(name: string, type: 'A' | 'TXT'): Promise<Asked>;
  /** The `ward upstream` row of a server address. */
  row(address: string): Promise<ServerRow | undefined>;
  /** Queries for `zone` sent in clear (all of them minus those over TLS). */
  clearFor(zone: string): Promise<number>;
  /** Waits (bounded) until Ward's RFC 9539 state of `address` is settled (ok or failed). */
  settled(address: string, ms: number): Promise<ServerRow | undefined>;
  mark(): number;
  /** The outbound sessions whose lines fall after `from` (after a pause for Ward's output to come in). */
  sessionsSince(from: number): Promise<SessionView[]>;
  stop(): Promise<void>;
}

/** Ward's log lines reach us through a pipe: lines of a reply already answered are in after this. */
const LOG_LAG_MS = 300;

interface UpstreamReport { servers: ServerRow[]; zones: { zone: string; queries: number; queries_tls: number }[] }

/** Ward on `address` resolving through `lab` with `upstream` keys (ipv6 off added), at log level debug. */
export async function startAuthWard(lab: Lab, dir: string, address: string, label: string, upstream: Record<string, unknown>): Promise<AuthWard> {
  const wire = new WardWire();
  mkdirSync(dir, { recursive: true });
  const ward: WardProcess = await startWard({
    dir, address, rootHints: lab.rootHints, logLevel: 'debug', onOutput: wire.onOutput,
    extra: { upstream: { ipv6: false, ...upstream } },
  });
  const report = async (): Promise<UpstreamReport> =>
    await controlRequest({ socket: join(dir, 'ward-state', 'control.sock') }, { command: 'upstream' }) as UpstreamReport;
  const row = async (a: string): Promise<ServerRow | undefined> => (await report()).servers.find((s) => s.address === a);
  return {
    label,
    async ask(name, type) {
      const transport = type === 'TXT' ? 'tcp' : 'udp';
      const command = `${label}: ${name} ${type} (asked over ${transport.toUpperCase()})`;
      const start = performance.now();
      try {
        const msg = await query(address, 53, name, type, { transport, timeoutMs: 6000 });
        return { command, rcode: rcodeName(msg), answers: msg.answers.map(recordText), elapsedMs: performance.now() - start };
      } catch (err) {
        return { command, rcode: `no answer (${err instanceof Error ? err.message : String(err)})`, answers: [], elapsedMs: performance.now() - start };
      }
    },
    row,
    async clearFor(zone) {
      const z = (await report()).zones.find((x) => x.zone.replace(/\.$/, '') === zone);
      return z ? z.queries - z.queries_tls : 0;
    },
    async settled(a, ms) {
      const end = Date.now() + ms;
      for (;;) {
        const r = await row(a);
        if (r && (r.dot.state === 'ok' || r.dot.state === 'failed')) return r;
        if (Date.now() > end) return r;
        await new Promise((res) => setTimeout(res, 100));
      }
    },
    mark: () => wire.mark(),
    async sessionsSince(from) {
      await new Promise((res) => setTimeout(res, LOG_LAG_MS));
      return wire.sessionsBetween(from, wire.mark(), '', 'outbound');
    },
    stop: () => ward.stop(),
  };
}
