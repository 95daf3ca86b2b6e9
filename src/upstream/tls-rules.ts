/**
 * The DoT rules of upstream.tls_rules, matched per query: a rule for the server's address wins,
 * else the rule of the closest enclosing zone of the zone asked; no rule leaves upstream.tls.
 */
import { normalizeName, parentName } from '../wire/index.js';
import type { ServerAddress, TlsRule } from './types.js';

export class TlsRules {
  private readonly byAddress = new Map<string, TlsRule>();
  private readonly byZone = new Map<string, TlsRule>();

  constructor(rules: readonly TlsRule[]) {
    for (const r of rules) {
      if (r.address !== undefined) this.byAddress.set(r.address.toLowerCase(), r);
      else if (r.zone !== undefined) this.byZone.set(normalizeName(r.zone), r);
    }
  }

  get size(): number { return this.byAddress.size + this.byZone.size; }

  match(server: ServerAddress, zone: string | undefined): TlsRule | undefined {
    const a = this.byAddress.get(server.address.toLowerCase());
    if (a || zone === undefined || this.byZone.size === 0) return a;
    for (let z: string | undefined = normalizeName(zone); z !== undefined; z = parentName(z)) {
      const r = this.byZone.get(z);
      if (r) return r;
    }
    return undefined;
  }
}

/** How a rule reads in `ward upstream` and in errors. */
export function describeRule(r: TlsRule): string {
  const what = r.address !== undefined ? `address ${r.address}` : `zone ${normalizeName(r.zone ?? '') || '.'}`;
  const auth = r.pins.length > 0 ? `${r.pins.length} SPKI pin(s)` : r.ca ? `CA file by name ${r.name ?? '(NS name)'}` : `system CAs by name ${r.name ?? '(NS name)'}`;
  return r.mode === 'strict' ? `${what}: strict, ${auth}` : `${what}: ${r.mode}`;
}
