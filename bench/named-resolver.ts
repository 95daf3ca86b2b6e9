/**
 * BIND 9.18 `named` as a third recursive, validating resolver for the signed cold-cache benchmark: through
 * the lab's private root (a hint zone), the root's DS records as a static trust anchor (`trust-anchors`
 * with `static-ds`), IPv4 only, queries to the authorities from its own listening address.
 * named listens only on addresses configured on an interface, so that address is added to `lo` for its lifetime.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../test/helpers/lab.js';
import { addLoopbackAddress } from '../test/helpers/lab-loopback.js';
import { makeTempDir, startDaemon, waitReady } from '../test/helpers/lab-process.js';
import { query } from '../test/helpers/lab-query.js';
import type { Target } from './targets.js';

/** `. IN DS 12345 13 2 ABCD...` lines → named's `trust-anchors` entries. */
function staticDs(dsFile: string): string {
  const entries: string[] = [];
  for (const line of readFileSync(dsFile, 'utf8').split('\n')) {
    const m = /^(\S+)\s+(?:\d+\s+)?IN\s+DS\s+(\d+)\s+(\d+)\s+(\d+)\s+(.+)$/.exec(line.trim());
    if (m) entries.push(`  "${m[1]}" static-ds ${m[2]} ${m[3]} ${m[4]} "${m[5].replace(/\s+/g, '')}";`);
  }
  if (entries.length === 0) throw new Error(`no DS records in ${dsFile}`);
  return entries.join('\n');
}

/** Starts named on `address`:53 with `threads` worker threads (-n), validating against `lab`'s trust anchor. */
export async function startNamedResolver(lab: Lab, address: string, threads: number, label: string): Promise<Target> {
  if (!lab.trustAnchorFile) throw new Error('named resolver: the lab is not signed');
  const removeAddress = addLoopbackAddress(address);
  if (!removeAddress) throw new Error(`cannot add ${address} to lo (named binds only to configured addresses)`);
  const tmp = makeTempDir('ward-named');
  const conf = join(tmp.dir, 'named.conf');
  writeFileSync(conf, `options {
  directory "${tmp.dir}";
  pid-file "${tmp.dir}/named.pid";
  session-keyfile "${tmp.dir}/session.key";
  managed-keys-directory "${tmp.dir}";
  listen-on port 53 { ${address}; };
  listen-on-v6 { none; };
  query-source address ${address};
  recursion yes;
  allow-query { any; };
  allow-recursion { any; };
  dnssec-validation yes;
};
trust-anchors {
${staticDs(lab.trustAnchorFile)}
};
zone "." { type hint; file "${lab.rootHintsFile}"; };
controls { };
`);
  const daemon = startDaemon('named', 'named', ['-g', '-4', '-n', String(threads), '-c', conf]);
  const stop = async (): Promise<void> => { await daemon.stop(); removeAddress(); tmp.remove(); };
  try {
    // 127.in-addr.arpa is one of named's built-in empty zones (RFC 6303): an answer without recursion.
    await waitReady(daemon, async () => (await query(address, 53, '1.0.0.127.in-addr.arpa', 'PTR', { timeoutMs: 300 })) !== undefined, 15_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { label, address, ports: { udp: 53 }, pid: daemon.child.pid, output: () => daemon.output(), stop };
}
