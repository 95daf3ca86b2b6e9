/** drill (ldns, ldnsutils) as a client of Ward: UDP and TCP, one query per run, no TLS. */
import { answerLine, FAST_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { answered, notOffered, pipelining, reuse } from '../cells.js';

export const drill: ClientProgram = {
  name: 'drill',
  async version(b) { return (await b.run('drill', ['-v'])).out.trim(); },
  async cells(b: ClientBench) {
    const n = [b.names(), b.names()];
    const udp = await b.run('drill', [n[0].fast, `@${b.address}`]);
    const tcp = await b.observe(() => b.run('drill', ['-t', n[1].fast, `@${b.address}`]));
    const help = await b.run('drill', ['-h']);
    const noTls = notOffered('drill has no DNS-over-TLS transport', [{ command: 'drill -h', observed: /tls/i.test(help.out) ? 'TLS listed' : 'no TLS option in the help text' }]);
    const noEdnsOptions = notOffered('drill cannot add EDNS options other than DO and the buffer size', [{ command: 'drill -h', observed: 'options: -b (buffer size), -D (DO); no option codes' }]);
    return {
      udp: answered(udp, answerLine(n[0].fast, FAST_ADDR)),
      tcp: answered(tcp.result, answerLine(n[1].fast, FAST_ADDR), tcp.sessions, 'tcp'),
      tls: noTls, pin: noTls, ca: noTls,
      reuse: reuse(tcp.result.command, tcp.sessions),
      pipelining: pipelining(tcp.result.command, tcp.sessions),
      ooo: notOffered('drill asks one question per run'),
      keepalive: noEdnsOptions, padding: noEdnsOptions,
      tfo: notOffered('drill has no TCP fast open option', [{ command: 'drill -h', observed: /fast/i.test(help.out) ? 'listed' : 'no fast open option in the help text' }]),
    };
  },
};
