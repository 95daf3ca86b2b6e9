/**
 * The authoritative lab as a long-running service (`npm run lab`, and the `lab` service of
 * docker-compose.yml): the same servers, zones and signing as the integration tests (test/helpers/lab.ts),
 * kept up until SIGTERM or SIGINT. Into `--out DIR` it writes what a resolver needs to use the lab:
 * `root.hints` (named.root syntax), `root.key` (the root's DS records, with `--dnssec`) and `ward.yaml`,
 * a Ward config that resolves through the lab on 127.0.2.1 (UDP/TCP 53, DoT 853, a self-signed
 * certificate in DIR/ward-state), then `ready` once every zone answers.
 *
 *   node dist/test/lab/serve.js --out DIR [--dnssec] [--ward-address A]
 */
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLab } from '../helpers/lab.js';
import { writeWardConfig } from '../helpers/lab-ward.js';

interface LabServeOptions { out: string; dnssec: boolean; wardAddress: string }

function parseLabServeArgs(argv: string[]): LabServeOptions {
  const { values } = parseArgs({
    args: argv,
    options: { out: { type: 'string' }, dnssec: { type: 'boolean', default: false }, 'ward-address': { type: 'string', default: '127.0.2.1' } },
  });
  if (!values.out) throw new Error('usage: serve.js --out DIR [--dnssec] [--ward-address ADDRESS]');
  return { out: resolve(values.out), dnssec: values.dnssec ?? false, wardAddress: values['ward-address'] ?? '127.0.2.1' };
}

async function main(): Promise<void> {
  const opts = parseLabServeArgs(process.argv.slice(2));
  mkdirSync(opts.out, { recursive: true });
  const readyFile = join(opts.out, 'ready');
  rmSync(readyFile, { force: true });
  const lab = await startLab({ dnssec: opts.dnssec });
  copyFileSync(lab.rootHintsFile, join(opts.out, 'root.hints'));
  const trustAnchors: string[] = [];
  if (lab.trustAnchorFile) {
    copyFileSync(lab.trustAnchorFile, join(opts.out, 'root.key'));
    trustAnchors.push(join(opts.out, 'root.key'));
  }
  writeWardConfig({ dir: opts.out, address: opts.wardAddress, port: 53, tlsPort: 853, rootHints: lab.rootHints, trustAnchors, logLevel: 'info' });
  writeFileSync(readyFile, `${new Date().toISOString()} ${Object.entries(lab.software).map(([role, sw]) => `${role}=${sw}`).join(' ')}\n`);
  process.stdout.write(`lab up: ${lab.daemons.map((d) => d.name).join(', ')}; Ward config ${join(opts.out, 'ward.yaml')}\n`);
  const stop = (): void => {
    rmSync(readyFile, { force: true });
    void lab.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`lab: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
