/**
 * Server selection: which authoritative address to ask next. Servers never heard from are tried first
 * (in random order, with the initial timeout) so every server gets measured; then the lowest smoothed
 * RTT, shuffled among servers within a band of the best (spreads load, resists spoofing that relies on a
 * predictable target); servers backed off after timeouts, lame for the zone, or (strict DoT, RFC 8310)
 * known to fail DoT come last. Addresses of a disabled family are dropped.
 */
import { isIP } from 'node:net';
import type { InfraCache } from './infra-cache.js';
import type { ServerAddress } from './types.js';

/** Servers whose SRTT is within best·BAND_FACTOR + BAND_MS count as equally good. */
const BAND_FACTOR = 1.25;
const BAND_MS = 5;

export interface SelectionPolicy {
  ipv4: boolean;
  ipv6: boolean;
  /** Strict DoT: servers whose DoT failed are penalised. */
  strictDot: boolean;
  random: () => number;
}

/** True when `address` is an IP address of an enabled family. */
export function familyAllowed(address: string, policy: Pick<SelectionPolicy, 'ipv4' | 'ipv6'>): boolean {
  const family = isIP(address);
  return (family === 4 && policy.ipv4) || (family === 6 && policy.ipv6);
}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The candidates best first (see the file header). */
export function orderServers(
  infra: InfraCache, candidates: readonly ServerAddress[], policy: SelectionPolicy, zone?: string,
): ServerAddress[] {
  const unknown: ServerAddress[] = [];
  const known: ServerAddress[] = [];
  const penalised: ServerAddress[] = [];
  for (const s of candidates) {
    if (!familyAllowed(s.address, policy)) continue;
    const dotFailed = policy.strictDot && infra.dot(s).state === 'failed';
    if (infra.isBackedOff(s) || (zone !== undefined && infra.isLame(s, zone)) || dotFailed) penalised.push(s);
    else if (infra.isUnknown(s)) unknown.push(s);
    else known.push(s);
  }
  known.sort((a, b) => infra.rankRtt(a) - infra.rankRtt(b));
  if (known.length > 1) {
    const limit = infra.rankRtt(known[0]) * BAND_FACTOR + BAND_MS;
    let band = 1;
    while (band < known.length && infra.rankRtt(known[band]) <= limit) band++;
    const head = shuffle(known.slice(0, band), policy.random);
    known.splice(0, band, ...head);
  }
  penalised.sort((a, b) => infra.backoffUntil(a) - infra.backoffUntil(b) || infra.rankRtt(a) - infra.rankRtt(b));
  return [...shuffle(unknown, policy.random), ...known, ...penalised];
}
