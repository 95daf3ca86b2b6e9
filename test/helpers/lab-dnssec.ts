/**
 * Signs the lab's zones for validation tests (RFC 4033-4035, NSEC3 per RFC 5155) with BIND's offline tools
 * (`dnssec-keygen`, `dnssec-signzone`, from bind9-utils): one ECDSA P-256 KSK and ZSK per zone (RFC 6605),
 * children first so each parent carries its children's DS records. Zones in LAB_UNSIGNED stay unsigned
 * (insecure delegations); the DS for zones in LAB_BOGUS_DS is corrupted (a chain that must fail).
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAB_BOGUS_DS, LAB_NSEC3, LAB_UNSIGNED } from './lab-zones.js';

/** A zone file to sign: zone name, the directory it lives in, and its file name there. */
export interface ZoneFile { name: string; dir: string; file: string }

function labelCount(zone: string): number {
  return zone === '.' ? 0 : zone.slice(0, -1).split('.').length;
}

/** The closest enclosing zone of `zone` among `served` (its parent in the tree being signed). */
function parentZone(zone: string, served: Set<string>): string | undefined {
  let name = zone;
  while (name !== '.') {
    const dot = name.indexOf('.');
    name = dot === name.length - 1 ? '.' : name.slice(dot + 1);
    if (served.has(name)) return name;
  }
  return undefined;
}

/** Changes the last hex digit of each DS digest, keeping the record well-formed. */
function corruptDs(dsset: string): string {
  return dsset.replace(/([0-9A-Fa-f])(\s*)$/gm, (_, d: string, tail: string) => `${d === '0' ? '1' : '0'}${tail}`);
}

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * Signs every zone not in LAB_UNSIGNED (the lab's tree or a larger generated one, e.g. bench/signed-zone.ts), rewriting each ZoneFile's `file` to the signed one, and writes the
 * root's DS records to `<trustDir>/root.key` (a trust anchor file, RFC 7958 style as DS records).
 * Zones in `optOut` get NSEC3 with the Opt-Out flag (RFC 5155 §6: unsigned delegations and the empty
 * non-terminals above only them have no NSEC3 of their own). Returns the anchor file's path.
 */
export function signLabZones(zones: ZoneFile[], trustDir: string, optOut: string[] = []): string {
  const ordered = [...zones].sort((a, b) => labelCount(b.name) - labelCount(a.name));
  const dsDir = trustDir;
  const served = new Set(zones.map((z) => z.name));
  for (const z of ordered) {
    if (LAB_UNSIGNED.includes(z.name)) continue;
    const children = zones.filter((c) => parentZone(c.name, served) === z.name && !LAB_UNSIGNED.includes(c.name));
    for (const c of children) {
      const dsset = readFileSync(join(dsDir, `dsset-${c.name}`), 'utf8');
      appendFileSync(join(z.dir, z.file), `\n${LAB_BOGUS_DS.includes(c.name) ? corruptDs(dsset) : dsset}`);
    }
    run('dnssec-keygen', ['-q', '-K', z.dir, '-a', 'ECDSAP256SHA256', '-f', 'KSK', '-n', 'ZONE', z.name], z.dir);
    run('dnssec-keygen', ['-q', '-K', z.dir, '-a', 'ECDSAP256SHA256', '-n', 'ZONE', z.name], z.dir);
    const signed = `${z.file}.signed`;
    const nsec3 = optOut.includes(z.name) ? ['-3', '-', '-H', '0', '-A'] : LAB_NSEC3.includes(z.name) ? ['-3', '-', '-H', '0'] : [];
    run('dnssec-signzone', ['-q', '-S', '-K', z.dir, '-d', dsDir, ...nsec3, '-o', z.name, '-f', signed, z.file], z.dir);
    z.file = signed;
  }
  const anchor = join(trustDir, 'root.key');
  writeFileSync(anchor, readFileSync(join(dsDir, 'dsset-.'), 'utf8'));
  return anchor;
}
