/**
 * The TCP fast open cell (RFC 7413) for kdig, the one client here with a fast open option: Ward in a
 * namespace where the kernel turns fast open on for every listener (test/helpers/tfo-netns.ts),
 * asked twice with `kdig +tcp +fastopen`; `yes` when the second SYN's data was accepted
 * (TcpExtTCPFastOpenPassive went up by one), n.a. with the reason where namespaces cannot be made.
 */
import { FAST_ADDR } from './client-bench.js';
import { cell, notApplicable } from './cells.js';
import { kdigAt, kdigIn, makeTfoNamespace, removeNamespace, startWardIn, tcpExt, TFO_SYSCTL } from '../helpers/tfo-netns.js';
import { startUnbound } from '../helpers/lab-unbound.js';
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

/**
 * Ward in a fast-open namespace asked twice through `ask` (a new TCP connection each time: the first
 * gets a cookie, the second may carry its query in the SYN); n.a. where namespaces cannot be made.
 */
async function fastOpenRun(name: string, command: (ns: string) => string, ask: (ns: string) => Promise<string[]>): Promise<Cell> {
  const ns = `ward-interop-tfo-${process.pid}`;
  const why = makeTfoNamespace(ns);
  if (why) return notApplicable(why);
  try {
    const ward = await startWardIn(ns, name, FAST_ADDR);
    try {
      const passive = [await tcpExt(ns, 'TCPFastOpenPassive')];
      const answers: string[][] = [];
      for (let i = 0; i < 2; i++) {
        answers.push(await ask(ns));
        passive.push(await tcpExt(ns, 'TCPFastOpenPassive'));
      }
      return fastOpenCell(command(ns), passive, answers);
    } finally {
      await ward.stop();
    }
  } finally {
    removeNamespace(ns);
  }
}

export function kdigFastOpen(name: string): Promise<Cell> {
  return fastOpenRun(name, (ns) => `ip netns exec ${ns} kdig @127.0.0.1 +tcp +fastopen ${name} A (twice)`, (ns) => kdigIn(ns, name, '+tcp', '+fastopen'));
}

/** Unbound forwarding to Ward over TCP inside the namespace, started afresh for each question (so each opens a new connection). */
export function unboundFastOpen(name: string): Promise<Cell> {
  const forwarder = '127.0.0.2';
  const extraLines = ['server:', '  do-not-query-localhost: no', '  local-zone: "test." nodefault',
    'forward-zone:', '  name: "."', '  forward-tcp-upstream: yes', '  forward-addr: 127.0.0.1@53'];
  return fastOpenRun(name, (ns) => `ip netns exec ${ns} unbound (forward-tcp-upstream to Ward at 127.0.0.1), asked ${name} A with kdig @${forwarder}, Unbound restarted in between (twice)`,
    async (ns) => {
      const u = await startUnbound({ address: forwarder, netns: ns, extraLines });
      try { return await kdigAt(ns, forwarder, name); } finally { await u.stop(); }
    });
}
