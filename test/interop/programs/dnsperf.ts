/** dnsperf (DNS-OARC, Debian's dnsperf) against Ward: -m udp, tcp and dot, many queries in flight per connection. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type ClientBench, type ClientProgram } from '../client-bench.js';
import { cell, notOffered, outOfOrder, padding, pipelining, reuse, keepalive, type CommandRun } from '../cells.js';
import type { Cell } from '../types.js';

/** All sent queries answered NOERROR, none lost (dnsperf's summary). */
function completed(run: CommandRun, sent: number): Cell {
  const ok = new RegExp(`Queries completed:\\s+${sent}\\b`).test(run.out) && /Queries lost:\s+0\b/.test(run.out) && /NOERROR \d+/.test(run.out);
  const summary = run.out.split('\n').filter((l) => /Queries (sent|completed|lost)|Response codes/.test(l)).map((l) => l.trim()).join('; ');
  return cell(ok, [{ command: run.command, observed: summary }]);
}

export const dnsperf: ClientProgram = {
  name: 'dnsperf',
  async version(b) { return (await b.run('dnsperf', ['-h'])).out.split('\n').find((l) => /version/i.test(l))?.trim() ?? 'unknown'; },
  async cells(b: ClientBench) {
    const pair = b.names();
    const file = join(b.dir, 'dnsperf-queries.txt');
    // The slow question first, then fast ones: with -q 10 they are all in flight on one connection.
    const fast = [pair.fast, ...Array.from({ length: 5 }, () => b.names().fast)];
    writeFileSync(file, [pair.slow, ...fast].map((n) => `${n} A\n`).join(''));
    const base = ['-s', b.address, '-d', file, '-n', '1', '-c', '1', '-q', '10', '-t', '5'];
    const udp = await b.run('dnsperf', [...base, '-p', String(b.port), '-m', 'udp']);
    const tcp = await b.observe(() => b.run('dnsperf', [...base, '-p', String(b.port), '-m', 'tcp']));
    const dot = await b.observe(() => b.run('dnsperf', [...base, '-p', String(b.tlsPort), '-m', 'dot']));
    const noAuth = notOffered('dnsperf does not check the server certificate (no CA, name or pin options)',
      [{ command: 'dnsperf -h', observed: 'no certificate verification options' }]);
    const dotCell = completed(dot.result, 7);
    if (!dot.sessions.some((s) => s.transport === 'tls')) dotCell.verdict = 'no';
    return {
      udp: completed(udp, 7),
      tcp: completed(tcp.result, 7),
      tls: dotCell,
      pin: noAuth, ca: noAuth,
      reuse: reuse(dot.result.command, dot.sessions),
      pipelining: pipelining(dot.result.command, dot.sessions),
      ooo: outOfOrder(dot.result.command, dot.sessions, pair.slow, pair.fast, /Queries lost:\s+0\b/.test(dot.result.out), dot.result.out),
      // RFC 7828 §3.1: the option goes in a query without data, and dnsperf's -E insists on a value.
      keepalive: { ...keepalive(dot.result.command, dot.sessions), reason: 'dnsperf -E cannot send an option without data ("invalid EDNS Option, value is empty")' },
      padding: padding(dot.result.command, dot.sessions),
      tfo: notOffered('dnsperf has no TCP fast open option'),
    };
  },
};
