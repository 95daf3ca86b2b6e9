/** dig (BIND 9.18, bind9-dnsutils) as a client of Ward: UDP, TCP, TLS; no SPKI pins, no pipelining. */
import { answerLine, FAST_ADDR, SLOW_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { notOffered, padding, streamRows } from '../cells.js';
import { directRows } from './direct.js';

export const dig: ClientProgram = {
  name: 'dig',
  async version(b) { return (await b.run('dig', ['-v'])).out.trim(); },
  async cells(b: ClientBench) {
    const at = [`@${b.address}`, '+tries=1', '+time=3'];
    const tls = [...at, '-p', String(b.tlsPort), '+tls'];
    const n = [b.names(), b.names(), b.names(), b.names(), b.names(), b.names()];
    const udp = await b.run('dig', [...at, n[0].fast, 'A']);
    const tcp = await b.observe(() => b.run('dig', [...at, '+tcp', n[1].fast, 'A']));
    const tlsRun = await b.observe(() => b.run('dig', [...tls, n[2].fast, 'A']));
    const good = await b.observe(() => b.run('dig', [...tls, `+tls-ca=${b.ca.caFile}`, `+tls-hostname=${b.tlsName}`, n[3].fast, 'A']));
    const bad = await b.run('dig', [...tls, `+tls-ca=${b.ca.caFile}`, '+tls-hostname=wrong.ward.test', n[3].fast, 'A']);
    // +keepopen: several questions on one connection, one after the other (dig waits for each answer).
    const many = await b.observe(() => b.run('dig', [...at, '+tcp', '+keepopen', '+keepalive', n[4].slow, 'A', n[4].fast, 'A']));
    const padded = await b.observe(() => b.run('dig', [...tls, '+padding=128', n[5].fast, 'A']));
    const help = await b.run('dig', ['-h']);
    const offers = (re: RegExp): { command: string; observed: string }[] =>
      [{ command: 'dig -h', observed: re.test(help.out) ? 'listed' : `no such option in the help text (${re.source})` }];
    return {
      ...directRows({ udp: [udp, n[0].fast], tcp: [tcp, n[1].fast], tls: [tlsRun, n[2].fast], ca: [good, bad, n[3].fast] }),
      pin: notOffered('dig 9.18 has no option to pin an SPKI', offers(/pin/i)),
      ...streamRows(many.result, many.sessions, n[4].slow, n[4].fast,
        answerLine(n[4].slow, SLOW_ADDR).test(many.result.out) && answerLine(n[4].fast, FAST_ADDR).test(many.result.out), /KEEPALIVE: /.test(many.result.out)),
      // dig pads only over TLS: its own run.
      padding: padding(padded.result.command, padded.sessions),
      tfo: notOffered('dig 9.18 has no TCP fast open option', offers(/fastopen/i)),
    };
  },
};
