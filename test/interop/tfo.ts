/**
 * The TCP fast open cell (RFC 7413) for kdig, the one client here with a fast open option: Ward in a
 * namespace where the kernel turns fast open on for every listener (test/helpers/tfo-netns.ts),
 * asked twice with `kdig +tcp +fastopen`; `yes` when the second SYN's data was accepted
 * (TcpExtTCPFastOpenPassive went up by one), n.a. with the reason where namespaces cannot be made.
 */
import { FAST_ADDR } from './client-bench.js';
import { cell, notApplicable } from './cells.js';
import { kdigIn, makeTfoNamespace, removeNamespace, startWardIn, tcpExt, TFO_SYSCTL } from '../helpers/tfo-netns.js';
import type { Cell } from './types.js';

/** The verdict from the counter before and after the second (cookie-carrying) connection. */
export function fastOpenCell(command: string, passive: number[], answers: string[][]): Cell {
  const [p0, p1, p2] = passive;
  const ok = answers.every((a) => a.includes(FAST_ADDR)) && p1 === p0 && p2 === p1 + 1;
  return cell(ok, [{
    command,
    observed: `in a namespace with net.ipv4.tcp_fastopen=${TFO_SYSCTL}: TcpExtTCPFastOpenPassive ${p0} → ${p1} (first connection, cookie request) → ${p2} (second, data in the SYN); answers ${JSON.stringify(answers)}`,
  }]);
}

export async function kdigFastOpen(name: string): Promise<Cell> {
  const ns = `ward-interop-tfo-${process.pid}`;
  const why = makeTfoNamespace(ns);
  if (why) return notApplicable(why);
  try {
    const ward = await startWardIn(ns, name, FAST_ADDR);
    try {
      const passive = [await tcpExt(ns, 'TCPFastOpenPassive')];
      const answers: string[][] = [];
      for (let i = 0; i < 2; i++) {
        answers.push(await kdigIn(ns, name, '+tcp', '+fastopen'));
        passive.push(await tcpExt(ns, 'TCPFastOpenPassive'));
      }
      return fastOpenCell(`ip netns exec ${ns} kdig @127.0.0.1 +tcp +fastopen ${name} A (twice)`, passive, answers);
    } finally {
      await ward.stop();
    }
  } finally {
    removeNamespace(ns);
  }
}
