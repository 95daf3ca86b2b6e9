/**
 * BIND 9.18 (named) forwarding to Ward over UDP, and over TCP when Ward's UDP reply is truncated
 * (big.ward.test TXT, RFC 7766 §5). Its TLS forwarding (forwarders with `tls`) needs BIND 9.20: n.a.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { addLoopbackAddress } from '../../helpers/lab-loopback.js';
import { startDaemon, waitReady } from '../../helpers/lab-process.js';
import { query, rcodeName } from '../../helpers/lab-query.js';
import { FAST_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { cell, describeSessions, notApplicable, reuse, pipelining, keepalive } from '../cells.js';
import { ask, forwarded, type Peer } from './forwarder.js';

const PEER: Peer = { address: '127.0.3.74', port: 53, program: 'named' };
const NO_TLS = 'BIND 9.18 cannot forward over TLS (forwarders with tls need BIND 9.20)';

export const named: ClientProgram = {
  name: 'BIND (named)',
  async version(b) { return (await b.run('named', ['-v'])).out.trim(); },
  async cells(b: ClientBench) {
    const removeAddress = addLoopbackAddress(PEER.address);
    if (!removeAddress) throw new Error(`cannot add ${PEER.address} to lo (named binds only to configured addresses)`);
    const dir = join(b.dir, 'named');
    mkdirSync(dir, { recursive: true });
    const conf = join(dir, 'named.conf');
    writeFileSync(conf, `options {
  directory "${dir}";
  pid-file "${dir}/named.pid";
  listen-on port ${PEER.port} { ${PEER.address}; };
  listen-on-v6 { none; };
  recursion yes;
  allow-query { any; };
  dnssec-validation no;
  forward only;
  forwarders { ${b.address} port ${b.port}; };
};
`);
    const daemon = startDaemon('named', 'named', ['-g', '-n', '1', '-c', conf]);
    try {
      await waitReady(daemon, async () => (await query(PEER.address, PEER.port, 'www.ward.test', 'A', { timeoutMs: 1000 })).answers.length > 0, 15_000, 100);
      const { fast } = b.names();
      const udp = await b.observe(() => ask(PEER, fast));
      const big = await b.observe(async () => {
        const msg = await query(PEER.address, PEER.port, 'big.ward.test', 'TXT', { transport: 'tcp', timeoutMs: 6000 });
        return { command: `query big.ward.test TXT over TCP to named at ${PEER.address}`, out: `${rcodeName(msg)} ${msg.answers.length} TXT records` };
      });
      const tcpOk = big.result.out === 'NOERROR 30 TXT records' && big.sessions.some((s) => s.transport === 'tcp');
      const noTls = notApplicable(NO_TLS);
      return {
        udp: forwarded(udp.result, FAST_ADDR, udp),
        tcp: cell(tcpOk, [{ command: big.result.command, observed: `${big.result.out} (named asked Ward over UDP first; Ward's reply had TC); ${describeSessions(big.sessions)}` }]),
        tls: noTls, pin: noTls, ca: noTls,
        reuse: reuse(big.result.command, big.sessions),
        pipelining: pipelining(big.result.command, big.sessions),
        ooo: notApplicable('named sends one question per TCP connection to a forwarder after TC; nothing to reorder'),
        keepalive: keepalive(big.result.command, big.sessions),
        padding: notApplicable(`${NO_TLS}; padding is for encrypted transports (RFC 8467)`),
        tfo: notApplicable('not measured yet: named would have to run inside the fast-open namespace with Ward'),
      };
    } finally {
      await daemon.stop();
      removeAddress();
    }
  },
};
