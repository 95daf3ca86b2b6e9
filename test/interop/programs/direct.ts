/** The transport and authentication rows of a program that asks Ward itself (not through a forwarder). */
import { answerLine, FAST_ADDR } from '../client-bench.js';
import { answered, authenticated, type CommandRun } from '../cells.js';
import type { Cell } from '../types.js';
import type { SessionView } from '../ward-wire.js';

export interface Observed { result: CommandRun; sessions: SessionView[] }

/** Each run asked for a fast name (Ward's local data); an authentication pair is the good run, the wrong-credential run and the name. */
export function directRows(r: {
  udp: [CommandRun, string]; tcp: [Observed, string]; tls: [Observed, string];
  pin?: [Observed, CommandRun, string]; ca: [Observed, CommandRun, string];
}): Record<string, Cell> {
  const fast = (name: string): RegExp => answerLine(name, FAST_ADDR);
  const rows: Record<string, Cell> = {
    udp: answered(r.udp[0], fast(r.udp[1])),
    tcp: answered(r.tcp[0].result, fast(r.tcp[1]), r.tcp[0].sessions, 'tcp'),
    tls: answered(r.tls[0].result, fast(r.tls[1]), r.tls[0].sessions, 'tls'),
    ca: authenticated(r.ca[0].result, r.ca[1], fast(r.ca[2]), r.ca[0].sessions),
  };
  if (r.pin) rows.pin = authenticated(r.pin[0].result, r.pin[1], fast(r.pin[2]), r.pin[0].sessions);
  return rows;
}
