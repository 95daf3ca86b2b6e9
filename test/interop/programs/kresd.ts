/** Knot Resolver 5 (kresd) forwarding to Ward: policy.TLS_FORWARD with an SPKI pin or a name and CA, policy.FORWARD over UDP. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { notApplicable, notOffered } from '../cells.js';
import { ask, forwarded, refusedWith, streamCells, withPeer, type Peer } from './forwarder.js';

const PEER: Peer = { address: '127.0.3.73', port: 53, program: 'kresd' };

/** kresd forwarding everything with `policyAction` (Lua), no validation (Ward's local data is unsigned); see withPeer. */
async function withKresd<T>(b: ClientBench, policyAction: string, expectWorking: boolean, fn: () => Promise<T>): Promise<T> {
  const dir = join(b.dir, `kresd-${Date.now()}`);
  mkdirSync(dir);
  const conf = join(b.dir, 'kresd.conf');
  writeFileSync(conf, [
    `net.listen('${PEER.address}', ${PEER.port}, { kind = 'dns' })`,
    'trust_anchors.remove(\'.\')',
    `cache.open(10 * MB, 'lmdb://${dir}')`,
    `policy.add(policy.all(${policyAction}))`,
    '',
  ].join('\n'));
  return withPeer(PEER, 'kresd', ['-n', '-c', conf, dir], expectWorking, fn);
}

export const kresd: ClientProgram = {
  name: 'kresd',
  async version(b) { return (await b.run('kresd', ['--version'])).out.trim(); },
  async cells(b: ClientBench) {
    const tlsTo = (auth: string): string => `policy.TLS_FORWARD({{'${b.address}@${b.tlsPort}', ${auth}}})`;
    const n = [b.names(), b.names(), b.names(), b.names(), b.names()];
    const udp = await withKresd(b, `policy.FORWARD({'${b.address}@${b.port}'})`, true, () => b.observe(() => ask(PEER, n[0].fast)));
    const pinned = await withKresd(b, tlsTo(`pin_sha256='${b.pin}'`), true,
      async () => ({ first: await b.observe(() => ask(PEER, n[1].fast)), streams: await streamCells(b, PEER) }));
    const wrongPin = await withKresd(b, tlsTo(`pin_sha256='${b.wrongPin}'`), false, () => ask(PEER, n[2].fast));
    const named = await withKresd(b, tlsTo(`hostname='${b.tlsName}', ca_file='${b.ca.caFile}'`), true, () => b.observe(() => ask(PEER, n[3].fast)));
    const wrongName = await withKresd(b, tlsTo(`hostname='wrong.ward.test', ca_file='${b.ca.caFile}'`), false, () => ask(PEER, n[4].fast));
    const tls = forwarded(pinned.first.result, FAST_ADDR, pinned.first, 'tls');
    return {
      udp: forwarded(udp.result, FAST_ADDR, udp),
      tcp: notOffered('kresd 5 forwards over UDP (TCP only after TC) or TLS; it has no TCP-only forwarding'),
      tls,
      pin: refusedWith(tls, wrongPin, FAST_ADDR),
      ca: refusedWith(forwarded(named.result, FAST_ADDR, named, 'tls'), wrongName, FAST_ADDR),
      ...pinned.streams,
      tfo: notApplicable('not measured yet: kresd would have to run inside the fast-open namespace with Ward'),
    };
  },
};
