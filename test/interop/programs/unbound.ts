/** Unbound (Debian) forwarding to Ward: over TLS (forward-tls-upstream, name checked against the test CA), UDP, TCP. */
import { startUnbound } from '../../helpers/lab-unbound.js';
import { FAST_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { notOffered } from '../cells.js';
import { unboundFastOpen } from '../tfo.js';
import { ask, forwarded, refusedWith, streamCells, type Peer } from './forwarder.js';

const PEER: Peer = { address: '127.0.3.72', port: 53, program: 'Unbound' };

/** Unbound forwarding everything to Ward with the given forward-zone lines, for the time of `fn`. */
async function withUnbound<T>(b: ClientBench, forward: string[], fn: () => Promise<T>): Promise<T> {
  const u = await startUnbound({
    address: PEER.address, port: PEER.port,
    extraLines: [
      'server:', '  do-not-query-localhost: no', '  local-zone: "test." nodefault', `  tls-cert-bundle: "${b.ca.caFile}"`,
      'forward-zone:', '  name: "."', ...forward.map((l) => `  ${l}`),
    ],
  });
  try { return await fn(); } finally { await u.stop(); }
}

export const unbound: ClientProgram = {
  name: 'Unbound',
  async version(b) { return (await b.run('unbound', ['-V'])).out.split('\n')[0]; },
  async cells(b: ClientBench) {
    const tlsZone = ['forward-tls-upstream: yes', `forward-addr: ${b.address}@${b.tlsPort}#${b.tlsName}`];
    const n = [b.names(), b.names(), b.names(), b.names()];
    const udp = await withUnbound(b, [`forward-addr: ${b.address}@${b.port}`], () => b.observe(() => ask(PEER, n[0].fast)));
    const tcp = await withUnbound(b, ['forward-tcp-upstream: yes', `forward-addr: ${b.address}@${b.port}`], () => b.observe(() => ask(PEER, n[1].fast)));
    const tls = await withUnbound(b, tlsZone, async () => ({ first: await b.observe(() => ask(PEER, n[2].fast)), streams: await streamCells(b, PEER) }));
    const wrong = await withUnbound(b, ['forward-tls-upstream: yes', `forward-addr: ${b.address}@${b.tlsPort}#wrong.ward.test`], () => ask(PEER, n[3].fast));
    const tlsCell = forwarded(tls.first.result, FAST_ADDR, tls.first, 'tls');
    return {
      udp: forwarded(udp.result, FAST_ADDR, udp),
      tcp: forwarded(tcp.result, FAST_ADDR, tcp, 'tcp'),
      tls: tlsCell,
      pin: notOffered('Unbound authenticates forwarders by name only (forward-addr: IP@port#name); it has no SPKI pins'),
      ca: refusedWith(tlsCell, wrong, FAST_ADDR),
      ...tls.streams,
      tfo: await unboundFastOpen(b.names().fast),
    };
  },
};
