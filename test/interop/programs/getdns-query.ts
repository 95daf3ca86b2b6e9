/**
 * getdns_query (getdns 1.7, getdns-utils) as a stub client of Ward (-s): UDP (-U), TCP (-T), TLS (-L)
 * with an SPKI pin (-K) or a name (~name) against the test CA (tls_ca_file setting), TLS authentication
 * required (-m); a query file in batch mode (-B -F) puts several questions on one connection at once.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FAST_ADDR, SLOW_ADDR, type ClientBench, type ClientProgram } from '../client-bench.js';
import { answered, authenticated, notApplicable, streamRows } from '../cells.js';

/** getdns_query -j prints a JSON dict per answer; the A record's address is `"address_data":"192.0.2.81"`. */
const address = (a: string): RegExp => new RegExp(`"address_data":\\s*"${a.replace(/\./g, '\\.')}"`);

export const getdnsQuery: ClientProgram = {
  name: 'getdns_query',
  async version(b) { return (await b.run('getdns_query', ['-v'])).out.trim(); },
  async cells(b: ClientBench) {
    const stub = ['-s', '-j', '-t', '3000'];
    const tlsAt = `@${b.address}#${b.tlsPort}`;
    const ca = `{ "tls_ca_file": "${b.ca.caFile}" }`;
    const n = [b.names(), b.names(), b.names(), b.names(), b.names(), b.names()];
    const udp = await b.run('getdns_query', [...stub, '-U', `@${b.address}`, n[0].fast, 'A']);
    const tcp = await b.observe(() => b.run('getdns_query', [...stub, '-T', `@${b.address}`, n[1].fast, 'A']));
    const tls = await b.observe(() => b.run('getdns_query', [...stub, '-L', '-n', tlsAt, n[2].fast, 'A']));
    const pinned = await b.observe(() => b.run('getdns_query', [...stub, '-L', '-m', '-K', `pin-sha256="${b.pin}"`, tlsAt, n[3].fast, 'A']));
    const wrongPin = await b.run('getdns_query', [...stub, '-L', '-m', '-K', `pin-sha256="${b.wrongPin}"`, tlsAt, n[3].fast, 'A']);
    const named = await b.observe(() => b.run('getdns_query', [...stub, '-L', '-m', ca, `${tlsAt}~${b.tlsName}`, n[4].fast, 'A']));
    const wrongName = await b.run('getdns_query', [...stub, '-L', '-m', ca, `${tlsAt}~wrong.ward.test`, n[4].fast, 'A']);
    // Batch mode: every question of the file is sent before any answer is read.
    const file = join(b.dir, 'getdns-queries.txt');
    writeFileSync(file, `${n[5].slow} A\n${n[5].fast} A\n`);
    const many = await b.observe(() => b.run('getdns_query', [...stub, '-L', '-n', '-P', '128', '-e', '10000', '-a', '-B', '-F', file, tlsAt]));
    const both = address(SLOW_ADDR).test(many.result.out) && address(FAST_ADDR).test(many.result.out);
    return {
      udp: answered(udp, address(FAST_ADDR)),
      tcp: answered(tcp.result, address(FAST_ADDR), tcp.sessions, 'tcp'),
      tls: answered(tls.result, address(FAST_ADDR), tls.sessions, 'tls'),
      pin: authenticated(pinned.result, wrongPin, address(FAST_ADDR), pinned.sessions),
      ca: authenticated(named.result, wrongName, address(FAST_ADDR), named.sessions),
      ...streamRows(many.result, many.sessions, n[5].slow, n[5].fast, both),
      tfo: notApplicable('not measured yet: getdns_query would have to run inside the fast-open namespace with Ward'),
    };
  },
};
