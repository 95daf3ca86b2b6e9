/**
 * BIND 9.18 `named` beside Ward in the benchmarks, IPv4 only, on its own address (named listens only
 * on addresses configured on an interface, so that address is added to `lo` for its lifetime):
 * - as a recursive, validating resolver for the signed cold-cache benchmark: through the lab's private
 *   root (a hint zone), the root's DS records as a static trust anchor (`trust-anchors` with
 *   `static-ds`), queries to the authorities from its own listening address;
 * - serving local data (the bench record in a primary zone) for the cached-UDP benchmarks, as Ward and
 *   Unbound serve theirs from local zones.
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

/**
 * Starts named on `address`:53 with `threads` worker threads (-n); `config(dir)` gives what follows the
 * common options block (zones, trust anchors, more options), written into named's temporary directory.
 */
async function startNamed(address: string, threads: number, label: string, options: string, config: (dir: string) => string): Promise<Target> {
  const removeAddress = addLoopbackAddress(address);
  if (!removeAddress) throw new Error(`cannot add ${address} to lo (named binds only to configured addresses)`);
  const tmp = makeTempDir('ward-named');
  const conf = join(tmp.dir, 'named.conf');
  let daemon: ReturnType<typeof startDaemon> | undefined;
  const stop = async (): Promise<void> => { await daemon?.stop(); removeAddress(); tmp.remove(); };
  try {
    writeFileSync(conf, `options {
  directory "${tmp.dir}";
  pid-file "${tmp.dir}/named.pid";
  session-keyfile "${tmp.dir}/session.key";
  managed-keys-directory "${tmp.dir}";
  listen-on port 53 { ${address}; };
  listen-on-v6 { none; };
  allow-query { any; };
${options}
};
${config(tmp.dir)}
controls { };
`);
    daemon = startDaemon('named', 'named', ['-g', '-4', '-n', String(threads), '-c', conf]);
    const d = daemon;
    // 127.in-addr.arpa is one of named's built-in empty zones (RFC 6303): an answer without recursion.
    await waitReady(d, async () => (await query(address, 53, '1.0.0.127.in-addr.arpa', 'PTR', { timeoutMs: 300 })) !== undefined, 15_000);
    return { label, address, ports: { udp: 53 }, pid: d.child.pid, output: () => d.output(), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** named as a recursive resolver validating against `lab`'s trust anchor. */
export function startNamedResolver(lab: Lab, address: string, threads: number, label: string): Promise<Target> {
  const anchors = lab.trustAnchorFile;
  if (!anchors) throw new Error('named resolver: the lab is not signed');
  return startNamed(address, threads, label, `  query-source address ${address};
  recursion yes;
  allow-recursion { any; };
  dnssec-validation yes;`, () => `trust-anchors {
${staticDs(anchors)}
};
zone "." { type hint; file "${lab.rootHintsFile}"; };`);
}

/** named answering `records` (zone-file lines) of `zone` as a primary, without recursion. */
export function startNamedLocalData(address: string, threads: number, label: string, zone: string, records: string[]): Promise<Target> {
  return startNamed(address, threads, label, '  recursion no;', (dir) => {
    const file = join(dir, 'local.zone');
    writeFileSync(file, [
      `${zone} 3600 IN SOA ns.${zone} hostmaster.${zone} 1 3600 900 604800 300`,
      `${zone} 3600 IN NS ns.${zone}`,
      `ns.${zone} 3600 IN A 127.0.0.1`,
      ...records, '',
    ].join('\n'));
    return `zone "${zone}" { type primary; file "${file}"; };`;
  });
}
