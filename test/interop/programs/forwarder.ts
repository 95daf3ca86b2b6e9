/**
 * Cells for a program that stands between a client and Ward (a stub or a forwarding resolver on
 * 127.0.3.x): the bench asks it over UDP and watches what reaches Ward. A slow and a fast question
 * sent at once should share one connection to Ward, the fast answer overtaking the slow one.
 */
import { query, rcodeName, recordText } from '../../helpers/lab-query.js';
import { FAST_ADDR, SLOW_ADDR, type ClientBench } from '../client-bench.js';
import { cell, streamRows, type CommandRun } from '../cells.js';
import { startDaemon, waitReady, type Daemon } from '../../helpers/lab-process.js';
import type { Cell } from '../types.js';

export interface Peer { address: string; port: number; program: string }

/** Asks the peer for `name` A; the outcome as a CommandRun (the "command" says what was asked). */
export async function ask(peer: Peer, name: string): Promise<CommandRun> {
  const command = `query ${name} A over UDP to ${peer.program} at ${peer.address}:${peer.port}`;
  try {
    const msg = await query(peer.address, peer.port, name, 'A', { timeoutMs: 6000 });
    const answers = msg.answers.map(recordText);
    return { command, out: `${rcodeName(msg)} ${answers.join('; ')}` };
  } catch (err) {
    return { command, out: `no answer: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The cells a forwarder's TLS connection to Ward shows: reuse, pipelining, out of order, keepalive, padding. */
export async function streamCells(b: ClientBench, peer: Peer): Promise<Record<string, Cell>> {
  const { slow, fast } = b.names();
  const more = [b.names().fast, b.names().fast];
  const seen = await b.observe(async () => {
    const slowAnswer = ask(peer, slow);
    await new Promise((r) => setTimeout(r, 50));
    const fastAnswer = await ask(peer, fast);
    const rest = [];
    for (const n of more) rest.push(await ask(peer, n));
    return [await slowAnswer, fastAnswer, ...rest];
  });
  const runs = seen.result;
  const command = `${runs[0].command}; 50 ms later ${fast}; then ${more.join(', ')} one after the other`;
  const out = runs.map((r) => r.out).join(' | ');
  const accepted = runs[0].out.includes(SLOW_ADDR) && runs[1].out.includes(FAST_ADDR);
  return streamRows({ command, out }, seen.sessions, slow, fast, accepted);
}

/**
 * Runs `cmd args` as the peer for the time of `fn`: first until it answers `www.ward.test` (through
 * Ward), or, with a credential that must fail (`expectWorking` false), for half a second.
 */
export async function withPeer<T>(peer: Peer, cmd: string, args: string[], expectWorking: boolean, fn: () => Promise<T>): Promise<T> {
  const daemon: Daemon = startDaemon(peer.program, cmd, args);
  try {
    if (expectWorking) {
      await waitReady(daemon, async () => (await query(peer.address, peer.port, 'www.ward.test', 'A', { timeoutMs: 1000 })).answers.length > 0, 10_000, 100);
    } else await new Promise((r) => setTimeout(r, 500));
    return await fn();
  } finally {
    await daemon.stop();
  }
}

/** The peer answered `name` with Ward's data and Ward saw the question on a connection of `transport` (or over UDP). */
export function forwarded(run: CommandRun, expected: string, b: { sessions: { transport: string }[] }, transport?: string): Cell {
  const ok = run.out.startsWith('NOERROR') && run.out.includes(expected)
    && (transport === undefined || b.sessions.some((s) => s.transport === transport));
  const conns = b.sessions.map((s) => s.transport).join(', ') || 'none';
  return cell(ok, [{ command: run.command, observed: `${run.out}; Ward's stream connections meanwhile: ${conns}` }]);
}

/** A wrong credential must leave the peer without Ward's answer. */
export function refusedWith(good: Cell, bad: CommandRun, expected: string): Cell {
  const refused = !bad.out.includes(expected);
  return cell(good.verdict === 'yes' && refused, [...good.evidence,
    { command: bad.command, observed: refused ? `no answer from Ward with the wrong credential (${bad.out})` : `ANSWERED with the wrong credential: ${bad.out}` }]);
}
