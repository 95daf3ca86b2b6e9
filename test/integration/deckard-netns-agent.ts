/**
 * The Deckard side of test/integration/deckard-harness.test.ts, run as a child process inside the
 * test's network namespace (`ip netns exec NS node deckard-netns-agent.js FILE.rpl`), as Deckard's
 * own test server is: it answers as the scenario's scripted authoritative servers over real UDP and
 * TCP sockets on port 53 of every RANGE ADDRESS (and of the A/AAAA addresses of one-shot REPLY steps),
 * with the in-process runner's choice of range and entry (test/scenarios/scenario-network.ts), and
 * acts as the client (Deckard's mock client) on commands from the parent.
 *
 * Protocol: one JSON object per line. stdout first says {"ready":true}. stdin commands, each
 * answered by one stdout line with the same "id":
 *   {"op":"step","step":N}                          the step being played (chooses ranges)
 *   {"op":"tcp-ready","host":H,"deadlineMs":MS}     retries a TCP connect to H:53 until it works
 *   {"op":"query","from":A,"host":H,"bytes":B64,"timeoutMs":MS,"wait":BOOL}  one UDP query A → H:53
 *   {"op":"report"}                                 unscripted queries and unfired MANDATORY entries
 */
import { createSocket, type Socket } from 'node:dgram';
import { connect, createServer, type Server } from 'node:net';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { isIPv6 } from 'node:net';
import { decodeMessage, frame, FrameDecoder, MalformedMessage } from '../../src/wire/index.js';
import type { Transport } from '../../src/net/index.js';
import { parseRpl, type Scenario } from '../scenarios/rpl-parse.js';
import { ScenarioNetwork } from '../scenarios/scenario-network.js';

const DNS_PORT = 53;

/** Every address a scripted server answers on: RANGE ADDRESS lines and addresses in REPLY steps. */
export function scriptedAddresses(sc: Scenario): string[] {
  const out = new Set<string>();
  for (const r of sc.ranges) for (const a of r.addresses) out.add(a);
  for (const s of sc.steps) {
    if (s.type !== 'REPLY' || !s.entry) continue;
    for (const rr of [...s.entry.answer, ...s.entry.authority, ...s.entry.additional]) {
      if (rr.type === 'A' || rr.type === 'AAAA') out.add(String(rr.data));
    }
  }
  return [...out];
}

/** The scripted servers: one UDP socket and one TCP listener per address. */
class ScriptedServers {
  readonly problems: string[] = [];
  private readonly sockets: Socket[] = [];
  private readonly servers: Server[] = [];

  constructor(private readonly script: ScenarioNetwork) {}

  /** What the script sends back for query octets that arrived at `local` over `transport`. */
  private reply(bytes: Buffer, local: string, transport: Transport): Buffer | undefined {
    const query = decodeMessage(bytes);
    if (query instanceof MalformedMessage) return undefined;
    const a = this.script.answer(query, { host: local, port: DNS_PORT }, transport);
    if (a.kind === 'reply') return a.bytes;
    if (a.kind === 'unscripted') {
      this.problems.push(a.problem);
      return a.bytes;
    }
    return undefined; // do_not_answer
  }

  async listen(address: string): Promise<void> {
    const udp = createSocket(isIPv6(address) ? 'udp6' : 'udp4');
    this.sockets.push(udp);
    udp.on('message', (msg, rinfo) => {
      const out = this.reply(msg, address, 'udp');
      if (out) udp.send(out, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject);
      udp.bind({ address, port: DNS_PORT }, () => { udp.off('error', reject); resolve(); });
    });
    const tcp = createServer((conn) => {
      const decoder = new FrameDecoder();
      conn.on('error', () => conn.destroy());
      conn.on('data', (chunk) => {
        const { frames, error } = decoder.push(chunk);
        for (const f of frames) {
          const out = this.reply(Buffer.from(f), address, 'tcp');
          if (out) conn.write(frame(out));
        }
        if (error) conn.destroy();
      });
    });
    this.servers.push(tcp);
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject);
      tcp.listen({ host: address, port: DNS_PORT }, () => { tcp.off('error', reject); resolve(); });
    });
  }
}

/** Connects to host:53 over TCP every 50 ms until it works (true) or the deadline passes (false). */
async function tcpReady(host: string, deadlineMs: number): Promise<boolean> {
  const end = Date.now() + deadlineMs;
  while (Date.now() < end) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect({ host, port: DNS_PORT });
      const t = setTimeout(() => { s.destroy(); resolve(false); }, Math.max(1, end - Date.now()));
      s.once('connect', () => { clearTimeout(t); s.destroy(); resolve(true); });
      s.once('error', () => { clearTimeout(t); resolve(false); });
    });
    if (ok) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

/**
 * One UDP query from `from` to host:53; the first datagram back, or undefined after `timeoutMs`
 * (at once when not waiting: Deckard reads no answer to a RAW query).
 */
function udpQuery(from: string, host: string, bytes: Buffer, timeoutMs: number, wait: boolean): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const s = createSocket(isIPv6(host) ? 'udp6' : 'udp4');
    let finished = false;
    const done = (out: Buffer | undefined): void => {
      if (finished) return;
      finished = true;
      clearTimeout(t);
      s.close();
      resolve(out);
    };
    const t = setTimeout(() => done(undefined), timeoutMs);
    s.on('error', () => done(undefined));
    // Only the answer to this query: a late answer to an earlier query (a RAW one, whose socket closed
    // at once) may reach a new socket that the kernel gave the same port, as a real client would see.
    s.on('message', (msg) => { if (msg.length >= 2 && msg.readUInt16BE(0) === bytes.readUInt16BE(0)) done(msg); });
    s.bind({ address: from, port: 0 }, () => s.send(bytes, DNS_PORT, host, (err) => { if (err || !wait) done(undefined); }));
  });
}

interface Command { id: number; op: string; step?: number; from?: string; host?: string; deadlineMs?: number; bytes?: string; timeoutMs?: number; wait?: boolean }

async function main(): Promise<void> {
  const file = process.argv[2];
  const sc = parseRpl(readFileSync(file, 'utf8'), file);
  const script = new ScenarioNetwork(sc);
  const servers = new ScriptedServers(script);
  for (const a of scriptedAddresses(sc)) await servers.listen(a);
  const say = (o: object): void => { process.stdout.write(`${JSON.stringify(o)}\n`); };
  say({ ready: true });
  for await (const line of createInterface({ input: process.stdin })) {
    const c = JSON.parse(line) as Command;
    if (c.op === 'step') {
      script.currentStep = c.step ?? 0;
      say({ id: c.id, ok: true });
    } else if (c.op === 'tcp-ready') {
      const started = Date.now();
      const ok = await tcpReady(c.host ?? '', c.deadlineMs ?? 0);
      say({ id: c.id, ok, ms: Date.now() - started });
    } else if (c.op === 'query') {
      const out = await udpQuery(c.from ?? '', c.host ?? '', Buffer.from(c.bytes ?? '', 'base64'), c.timeoutMs ?? 0, c.wait !== false);
      say({ id: c.id, ok: out !== undefined, bytes: out?.toString('base64') });
    } else if (c.op === 'report') {
      say({ id: c.id, ok: true, problems: servers.problems, unfired: script.unfiredMandatory().map((e) => e.line) });
    }
  }
  process.exit(0);
}

if (process.argv[1]?.endsWith('deckard-netns-agent.js')) {
  main().catch((err: unknown) => {
    process.stderr.write(`deckard-netns-agent: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exit(1);
  });
}
