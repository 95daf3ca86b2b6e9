/** kdig (Knot DNS 3.2, knot-dnsutils) as a client of Ward: UDP, TCP, TLS with pins or a CA, padding, keepalive. */
import { answerLine, FAST_ADDR, SLOW_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { streamRows } from '../cells.js';
import { directRows } from './direct.js';
import { kdigFastOpen } from '../tfo.js';

export const kdig: ClientProgram = {
  name: 'kdig',
  async version(b) { return (await b.run('kdig', ['-V'])).out.trim(); },
  async cells(b: ClientBench) {
    const at = [`@${b.address}`, '+retry=0', '+timeout=3'];
    const tls = [...at, '-p', String(b.tlsPort)];
    const n = [b.names(), b.names(), b.names(), b.names(), b.names(), b.names(), b.names()];
    const udp = await b.run('kdig', [...at, n[0].fast, 'A']);
    const tcp = await b.observe(() => b.run('kdig', [...at, '+tcp', n[1].fast, 'A']));
    const tlsRun = await b.observe(() => b.run('kdig', [...tls, '+tls', n[2].fast, 'A']));
    const pinned = await b.observe(() => b.run('kdig', [...tls, `+tls-pin=${b.pin}`, n[3].fast, 'A']));
    const wrongPin = await b.run('kdig', [...tls, `+tls-pin=${b.wrongPin}`, n[3].fast, 'A']);
    const named = await b.observe(() => b.run('kdig', [...tls, `+tls-ca=${b.ca.caFile}`, `+tls-hostname=${b.tlsName}`, n[4].fast, 'A']));
    const wrongName = await b.run('kdig', [...tls, `+tls-ca=${b.ca.caFile}`, '+tls-hostname=wrong.ward.test', n[4].fast, 'A']);
    // +keepopen: the questions share one connection, asked one after the other.
    const many = await b.observe(() => b.run('kdig', [...tls, `+tls-pin=${b.pin}`, '+keepopen', '+padding', '+ednsopt=11', n[5].slow, 'A', n[5].fast, 'A']));
    const both = answerLine(n[5].slow, SLOW_ADDR).test(many.result.out) && answerLine(n[5].fast, FAST_ADDR).test(many.result.out);
    return {
      ...directRows({
        udp: [udp, n[0].fast], tcp: [tcp, n[1].fast], tls: [tlsRun, n[2].fast],
        pin: [pinned, wrongPin, n[3].fast], ca: [named, wrongName, n[4].fast],
      }),
      ...streamRows(many.result, many.sessions, n[5].slow, n[5].fast, both, /Option \(11\): 012C/.test(many.result.out)),
      tfo: await kdigFastOpen(n[6].fast),
    };
  },
};
