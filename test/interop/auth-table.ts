/**
 * The authoritative table: each server of the lab as Ward sees it, from four Wards in a lab with DoT
 * on NSD and BIND (certificate from a test CA for dot.lab.test; BIND offering a 2 s keepalive) and two
 * in a lab without DoT (port 853 closed, then accepting and silent):
 *   upstream.tls off         UDP, and TCP after TC
 *   opportunistic            RFC 9539 probe, then a burst of fresh names at once, idle, one more name:
 *                            reuse, pipelining, reply order, keepalive, padding
 *   strict rules, right/wrong name   authentication
 *   opportunistic, no DoT    fallback when 853 is closed / stalls
 */
import { createServer, type Socket } from 'node:net';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_OUTBOUND_LIMITS } from '../../src/net/index.js';
import { makeTestCa } from '../helpers/lab-cert.js';
import { makeTempDir } from '../helpers/lab-process.js';
import { startLab, type Lab } from '../helpers/lab.js';
import { BIG_TXT_COUNT } from '../helpers/lab-zones.js';
import { addressOf, AUTH_ROWS, AUTH_SERVERS, AUTH_TLS_NAME, BIND_KEEPALIVE_S, interopZones, startAuthWard, type AuthServer, type AuthWard } from './auth-bench.js';
import {
  fellBack, keepaliveHonoured, overTcp, overUdp, paddedTo128, pipelinedAnswered, probed, repliesOutOfOrder, sessionsTo, strictAuthenticated, type Asked,
} from './auth-cells.js';
import { notApplicable, notOffered, reuse } from './cells.js';
import type { Cell, ProgramResult, Table } from './types.js';

type Cells = Record<string, Record<string, Cell>>;

const NO_DOT = 'Knot DNS 3.2 (Debian 12) has no DNS-over-TLS listener';
const BURST_A = 8;
const BURST_TXT = 4;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` with a Ward that is stopped afterwards. */
async function withWard<T>(start: Promise<AuthWard>, fn: (w: AuthWard) => Promise<T>): Promise<T> {
  const w = await start;
  try { return await fn(w); } finally { await w.stop(); }
}

function version(s: AuthServer): string {
  const r = spawnSync(s.version[0], s.version[1], { encoding: 'utf8' });
  return `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() || 'unknown';
}

/**
 * The names of a burst: fresh wildcard A names for a DoT server (all go on its TLS connection), TXT sets
 * too big for UDP for the others (TC, then all on one TCP connection). NSD 4.6 over DoT often answers
 * only the first of several queries that reach it together (a race: some runs all are answered), so
 * its pipelining cell is `no` in most runs; Ward times the rest out and asks them again over Do53.
 */
function burstNames(s: AuthServer): [string, 'A' | 'TXT'][] {
  return s.dot
    ? Array.from({ length: BURST_A }, (_, i) => [`p${i}.w.${s.zone}`, 'A'])
    : Array.from({ length: BURST_TXT }, (_, i) => [`b${i}.big.${s.zone}`, 'TXT']);
}

/** UDP, and TCP after TC, with DoT off. */
async function plainRows(lab: Lab, dir: string, cells: Cells): Promise<void> {
  await withWard(startAuthWard(lab, join(dir, 'off'), '127.0.2.80', 'Ward (upstream.tls: off)', { tls: 'off' }), async (w) => {
    for (const s of AUTH_SERVERS) {
      const udp = await w.ask(`www.${s.zone}`, 'A');
      const from = w.mark();
      const big = `t.big.${s.zone}`;
      const tcp = await w.ask(big, 'TXT');
      cells[s.name].udp = overUdp(udp, await w.row(addressOf(s)));
      cells[s.name].tcp = overTcp(tcp, BIG_TXT_COUNT, sessionsTo(await w.sessionsSince(from), addressOf(s), 53), big);
    }
  });
}

/** The RFC 9539 probe, then the stream rows from a burst over the server's connection (DoT, or TCP after TC for Knot). */
async function streamRows(lab: Lab, dir: string, cells: Cells): Promise<void> {
  await withWard(startAuthWard(lab, join(dir, 'opportunistic'), '127.0.2.81', 'Ward (upstream.tls: opportunistic)', { tls: 'opportunistic' }), async (w) => {
    const first = new Map<string, Asked>();
    for (const s of AUTH_SERVERS) first.set(s.name, await w.ask(`www.${s.zone}`, 'A'));
    for (const s of AUTH_SERVERS) await w.settled(addressOf(s), 6000);
    const from = w.mark();
    const burst = await Promise.all(AUTH_SERVERS.map((s) => Promise.all(burstNames(s).map(([name, type]) => w.ask(name, type)))));
    // Longer than BIND's keepalive, so its session closes as idle before the next question.
    await sleep(BIND_KEEPALIVE_S * 1000 + 1000);
    const again = await Promise.all(AUTH_SERVERS.map((s) => w.ask(`again.w.${s.zone}`, 'A')));
    const sessions = await w.sessionsSince(from);
    for (const [i, s] of AUTH_SERVERS.entries()) {
      const a = addressOf(s);
      const row = await w.row(a);
      const to853 = sessionsTo(sessions, a, 853);
      const streams = s.dot ? to853 : sessionsTo(sessions, a, 53);
      const names = burstNames(s);
      const command = `${w.label}: ${names.length} names ${names[0][0]} .. ${names[names.length - 1][0]} ${names[0][1]} asked at once`
        + `, then after ${BIND_KEEPALIVE_S + 1} s idle again.w.${s.zone} A`;
      const allAnswered = burst[i].every((x) => x.rcode === 'NOERROR');
      const c = cells[s.name];
      c.tls = s.dot ? probed(first.get(s.name) as Asked, row, again[i], to853)
        : { ...notApplicable(NO_DOT), evidence: [{ command: `${w.label}: www.${s.zone} A`, observed: `probe of ${a}:853: DoT state ${row?.dot.state ?? 'none'}` }] };
      c.reuse = reuse(command, streams);
      c.pipelining = pipelinedAnswered(command, streams);
      c.ooo = repliesOutOfOrder(command, streams, allAnswered);
      c.keepalive = keepaliveHonoured(command, streams, DEFAULT_OUTBOUND_LIMITS.idleTimeoutMs);
      c.padding = s.dot ? paddedTo128(command, to853) : notApplicable(`${NO_DOT}; padding is for encrypted transports (RFC 8467)`);
    }
  });
}

/** Strict DoT by zone rule (name and test CA): the right name, then a wrong one. */
async function strictRows(lab: Lab, dir: string, caFile: string, cells: Cells): Promise<void> {
  const dot = AUTH_SERVERS.filter((s) => s.dot);
  const rules = (name: string): object[] => dot.map((s) => ({ zone: s.zone, mode: 'strict', ca_file: caFile, name }));
  const label = (name: string): string => `Ward (upstream.tls: off; tls_rules: strict for ${dot.map((s) => s.zone).join(', ')}, name ${name}, the test CA)`;
  const good = await withWard(startAuthWard(lab, join(dir, 'strict'), '127.0.2.82', label(AUTH_TLS_NAME), { tls: 'off', tls_rules: rules(AUTH_TLS_NAME) }),
    async (w) => {
      const out = new Map<string, Asked>();
      for (const s of dot) out.set(s.name, await w.ask(`www.${s.zone}`, 'A'));
      return { out, sessions: await w.sessionsSince(0) };
    });
  await withWard(startAuthWard(lab, join(dir, 'strict-wrong'), '127.0.2.83', label('wrong.lab.test'), { tls: 'off', tls_rules: rules('wrong.lab.test') }),
    async (w) => {
      for (const s of dot) {
        const wrong = await w.ask(`www.${s.zone}`, 'A');
        const right = good.out.get(s.name) as Asked;
        cells[s.name].strict = strictAuthenticated(right, sessionsTo(good.sessions, addressOf(s), 853), wrong, await w.row(addressOf(s)), await w.clearFor(s.zone));
      }
    });
}

/** A listener on `address`:853 that accepts connections and never says a word (a stalled DoT port). */
async function stalledPort(address: string): Promise<() => Promise<void>> {
  const held: Socket[] = [];
  const server = createServer((sock) => { held.push(sock); sock.on('error', () => undefined); });
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(853, address, resolve); });
  return () => new Promise((resolve) => { for (const s of held) s.destroy(); server.close(() => resolve()); });
}

/** RFC 9539 fallback: a lab without DoT, with port 853 closed and then stalled on every server. */
async function fallbackRows(lab: Lab, dir: string, cells: Cells): Promise<void> {
  const closed = await withWard(startAuthWard(lab, join(dir, 'closed'), '127.0.2.84', 'Ward (upstream.tls: opportunistic)', { tls: 'opportunistic' }), async (w) => {
    const out = new Map<string, Asked>();
    for (const s of AUTH_SERVERS) out.set(s.name, await w.ask(`www.${s.zone}`, 'A'));
    return Promise.all(AUTH_SERVERS.map(async (s) => [out.get(s.name) as Asked, await w.settled(addressOf(s), 6000)] as const));
  });
  const stops = await Promise.all(AUTH_SERVERS.map((s) => stalledPort(addressOf(s))));
  try {
    await withWard(startAuthWard(lab, join(dir, 'stalled'), '127.0.2.85', 'Ward (upstream.tls: opportunistic)', { tls: 'opportunistic' }), async (w) => {
      const asked: Asked[] = [];
      for (const s of AUTH_SERVERS) asked.push(await w.ask(`www.${s.zone}`, 'A'));
      for (const [i, s] of AUTH_SERVERS.entries()) {
        cells[s.name].fallback = fellBack([closed[i][0], closed[i][1]], [asked[i], await w.settled(addressOf(s), 8000)]);
      }
    });
  } finally {
    await Promise.all(stops.map((stop) => stop()));
  }
}

export async function authTable(log: (line: string) => void): Promise<Table> {
  const tmp = makeTempDir('ward-interop-auth');
  const cells: Cells = Object.fromEntries(AUTH_SERVERS.map((s) => [s.name, {}]));
  let bindMissing: string | undefined;
  try {
    const ca = makeTestCa(tmp.dir, AUTH_TLS_NAME);
    const lab = await startLab({ zones: interopZones(), tls: ca, keepaliveSeconds: BIND_KEEPALIVE_S });
    try {
      if (lab.software.bind !== 'bind') bindMissing = 'BIND could not run here (its address could not be added to lo; the lab put Knot in its place)';
      log('authoritative: Do53'); await plainRows(lab, tmp.dir, cells);
      log('authoritative: opportunistic DoT'); await streamRows(lab, tmp.dir, cells);
      log('authoritative: strict DoT'); await strictRows(lab, tmp.dir, ca.caFile, cells);
    } finally {
      await lab.stop();
    }
    const noDot = await startLab({ zones: interopZones(), dot: false });
    try {
      log('authoritative: fallback'); await fallbackRows(noDot, tmp.dir, cells);
    } finally {
      await noDot.stop();
    }
  } finally {
    tmp.remove();
  }
  const programs: ProgramResult[] = AUTH_SERVERS.map((s) => {
    const c = cells[s.name];
    if (!s.dot) c.strict = notApplicable(NO_DOT);
    // Node.js 20's net.connect has no fast open (no TCP_FASTOPEN_CONNECT, no MSG_FASTOPEN on the first write),
    // and Linux turns it on for clients only through one of those: the sysctl's 0x400 bit is for listeners.
    c.tfo = notOffered('Ward cannot: Node.js 20 opens client connections without TCP fast open (net.connect sets no TCP_FASTOPEN_CONNECT '
      + 'and sends no data in the SYN), and net.ipv4.tcp_fastopen can force it only for listeners (0x400), not for clients');
    const missing = s.role === 'bind' ? bindMissing : undefined;
    return {
      name: s.name, version: version(s),
      cells: Object.fromEntries(AUTH_ROWS.map((r) => [r.id, missing ? notApplicable(missing) : c[r.id] ?? notApplicable('the run did not get this far')])),
    };
  });
  return {
    side: 'Authoritative servers Ward queries',
    intro: 'Ward resolves through the lab (test/helpers/lab.ts: NSD 127.53.0.1 with DoT, Knot 127.53.0.2, BIND 127.53.0.3 with DoT; '
      + `DoT certificate from a test CA for ${AUTH_TLS_NAME}; BIND offers a ${BIND_KEEPALIVE_S} s keepalive) with fresh names from each server's zone. `
      + 'Evidence comes from Ward\'s answers, its `ward upstream` rows and its outbound per-connection observation lines (log level debug: '
      + 'queries written, queries in flight, padding, replies read with their keepalive timeout, TLS resumed or full, why and when the connection closed).',
    rows: AUTH_ROWS,
    programs,
  };
}
