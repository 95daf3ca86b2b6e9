/** Stubby (getdns) with Ward as its DoT upstream: pinned (tls_pubkey_pinset) or by name (tls_auth_name + CA). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { notApplicable, notOffered } from '../cells.js';
import { ask, forwarded, refusedWith, streamCells, withPeer, type Peer } from './forwarder.js';

const PEER: Peer = { address: '127.0.3.71', port: 53, program: 'Stubby' };

/**
 * Stubby with `auth` lines for its one upstream (Ward on 853), for the time of `fn` (see withPeer).
 */
async function withStubby<T>(b: ClientBench, auth: string[], expectWorking: boolean, fn: () => Promise<T>): Promise<T> {
  const conf = join(b.dir, 'stubby.yml');
  writeFileSync(conf, [
    'resolution_type: GETDNS_RESOLUTION_STUB',
    'dns_transport_list: [ GETDNS_TRANSPORT_TLS ]',
    'tls_authentication: GETDNS_AUTHENTICATION_REQUIRED',
    'tls_query_padding_blocksize: 128',
    'idle_timeout: 10000',
    'round_robin_upstreams: 0',
    `tls_ca_file: "${b.ca.caFile}"`,
    `listen_addresses: [ ${PEER.address}@${PEER.port} ]`,
    'upstream_recursive_servers:',
    `  - address_data: ${b.address}`,
    `    tls_port: ${b.tlsPort}`,
    ...auth.map((l) => `    ${l}`),
    '',
  ].join('\n'));
  return withPeer(PEER, 'stubby', ['-C', conf], expectWorking, fn);
}

export const stubby: ClientProgram = {
  name: 'Stubby',
  async version(b) { return (await b.run('stubby', ['-V'])).out.trim(); },
  async cells(b: ClientBench) {
    const pinset = ['tls_pubkey_pinset:', '  - digest: "sha256"', `    value: ${b.pin}`];
    const wrongPinset = ['tls_pubkey_pinset:', '  - digest: "sha256"', `    value: ${b.wrongPin}`];
    const n = [b.names(), b.names(), b.names(), b.names()];
    const pinned = await withStubby(b, pinset, true, async () => ({ first: await b.observe(() => ask(PEER, n[0].fast)), streams: await streamCells(b, PEER) }));
    const wrongPin = await withStubby(b, wrongPinset, false, () => ask(PEER, n[1].fast));
    const named = await withStubby(b, [`tls_auth_name: "${b.tlsName}"`], true, () => b.observe(() => ask(PEER, n[2].fast)));
    const wrongName = await withStubby(b, ['tls_auth_name: "wrong.ward.test"'], false, () => ask(PEER, n[3].fast));
    const tls = forwarded(pinned.first.result, FAST_ADDR, pinned.first, 'tls');
    const dotOnly = notApplicable('Stubby is a DoT stub here; getdns over UDP/TCP is shown by getdns_query');
    return {
      udp: dotOnly, tcp: dotOnly, tls,
      pin: refusedWith(tls, wrongPin, FAST_ADDR),
      ca: refusedWith(forwarded(named.result, FAST_ADDR, named, 'tls'), wrongName, FAST_ADDR),
      ...pinned.streams,
      tfo: notOffered('Stubby 0.3 / getdns 1.6 have no TCP fast open setting'),
    };
  },
};
