/** dig (BIND 9.18, bind9-dnsutils) as a client of Ward: UDP, TCP, TLS; no SPKI pins, no pipelining. */
import { answerLine, FAST_ADDR, SLOW_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { answered, authenticated, keepalive, notOffered, outOfOrder, padding, pipelining, reuse } from '../cells.js';

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
      udp: answered(udp, answerLine(n[0].fast, FAST_ADDR)),
      tcp: answered(tcp.result, answerLine(n[1].fast, FAST_ADDR), tcp.sessions, 'tcp'),
      tls: answered(tlsRun.result, answerLine(n[2].fast, FAST_ADDR), tlsRun.sessions, 'tls'),
      pin: notOffered('dig 9.18 has no option to pin an SPKI', offers(/pin/i)),
      ca: authenticated(good.result, bad, answerLine(n[3].fast, FAST_ADDR), good.sessions),
      reuse: reuse(many.result.command, many.sessions),
      pipelining: pipelining(many.result.command, many.sessions),
      ooo: outOfOrder(many.result.command, many.sessions, n[4].slow, n[4].fast,
        answerLine(n[4].slow, SLOW_ADDR).test(many.result.out) && answerLine(n[4].fast, FAST_ADDR).test(many.result.out), many.result.out),
      keepalive: keepalive(many.result.command, many.sessions, /KEEPALIVE: /.test(many.result.out)),
      padding: padding(padded.result.command, padded.sessions),
      tfo: notOffered('dig 9.18 has no TCP fast open option', offers(/fastopen/i)),
    };
  },
};
