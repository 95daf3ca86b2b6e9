/**
 * Runs the real `ward` process for end-to-end tests: a temporary config and state directory, free
 * ports on a 127.0.2.x address (DESIGN.md lab addresses), start-up awaited from the "serving" log
 * line, the DoT pin read from the log, process RSS from /proc, and a stop that reports the exit code.
 */
import { createServer } from 'node:net';
import { createSocket } from 'node:dgram';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { stringify } from 'yaml';
import { BUILD_ROOT } from '../helpers/paths.js';
import { makeTempDir } from '../helpers/lab-process.js';

/** The root server address e2e Wards are given: in the lab range, nothing listens there. */
export const DEAD_ROOT = '127.53.255.254';

/** Local data every e2e Ward serves. */
export const E2E_ZONE = {
  name: 'ward.test.',
  type: 'static',
  records: [
    'ward.test. 3600 IN SOA ns.ward.test. hostmaster.ward.test. 1 3600 900 604800 300',
    'www.ward.test. 300 IN A 192.0.2.80',
    'www.ward.test. 300 IN AAAA 2001:db8::80',
    'web.ward.test. 300 IN CNAME www.ward.test.',
    // 30 TXT records of 80 characters: about 2.7 kB, over any UDP limit Ward uses.
    ...Array.from({ length: 30 }, (_, i) => `big.ward.test. 300 IN TXT "${String(i).padStart(2, '0')}${'x'.repeat(78)}"`),
  ],
};

/** A port free for both UDP and TCP on `address`. */
export async function freePort(address: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, address, () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const udpFree = await new Promise<boolean>((resolve) => {
      const u = createSocket('udp4');
      u.once('error', () => resolve(false));
      u.bind(port, address, () => u.close(() => resolve(true)));
    });
    if (udpFree) return port;
  }
  throw new Error(`no free port on ${address}`);
}

export interface WardProcess {
  address: string;
  port: number;
  tlsPort: number;
  pin: string;
  child: ChildProcess;
  configFile: string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resident set size of the process (kB). */
  rssKb(): number;
  /** SIGTERM, then waits for exit (SIGKILL after `graceMs`); resolves with the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Starts `node <build>/src/main.js --config <tmp>` with `server` keys merged over the e2e defaults. */
export async function startWard(address: string, server: object = {}, extra: object = {}): Promise<WardProcess> {
  const tmp = makeTempDir('ward-e2e');
  const port = await freePort(address);
  const tlsPort = await freePort(address);
  const config = {
    server: {
      listen: [
        { address, port, transport: 'udp' },
        { address, port, transport: 'tcp' },
        { address, port: tlsPort, transport: 'tls' },
      ],
      state_dir: join(tmp.dir, 'state'),
      tcp_fastopen_queue: 0,
      ...server,
    },
    local_zones: [E2E_ZONE],
    // The resolver's only root is a lab address where nothing listens: no test traffic leaves loopback.
    resolver: { root_hints: [{ name: 'a.root.lab', addresses: [DEAD_ROOT] }], root_priming: false, do_not_query_localhost: false },
    upstream: { ipv6: false, tls: 'off', timeout_ms: 300 },
    log: { level: 'info' },
    ...extra,
  };
  const configFile = join(tmp.dir, 'ward.yaml');
  writeFileSync(configFile, stringify(config));
  const child = spawn(process.execPath, [join(BUILD_ROOT, 'src/main.js'), '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-65536); });
  child.stderr.on('data', (c: Buffer) => { out = (out + c.toString()).slice(-65536); });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let done = false;
  void exited.then(() => { done = true; });
  const deadline = Date.now() + 15_000;
  while (!out.includes('"msg":"serving"')) {
    if (done || Date.now() > deadline) {
      child.kill('SIGKILL');
      tmp.remove();
      throw new Error(`ward did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  const pin = /"spki_pin":"([^"]+)"/.exec(out)?.[1] ?? '';
  return {
    address, port, tlsPort, pin, child, configFile,
    output: () => out,
    rssKb: () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? 0),
    async stop(graceMs = 5_000) {
      if (!done) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      tmp.remove();
      return code;
    },
  };
}
