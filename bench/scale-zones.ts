/**
 * A larger private tree for the cold-cache benchmark at scale (1,000 zones for 10,000 names): the lab's
 * own zones (lab-zones.ts) plus several TLDs (Knot) each delegating hundreds of second-level zones
 * (RFC 1034 §4.2 zone cuts, RFC 1035 §5 master files) on NSD and BIND, so resolving many unique names
 * does real referral work:
 *
 *   alpha. bravo. ...     Knot 127.53.0.2   glue for in-bailiwick name servers
 *   zNNN.<tld>            NSD / BIND        two NS with glue (ns1, ns2), www, mail, api, blog,
 *                                           cdn CNAME www (same zone), *.dyn wildcard (RFC 4592)
 *   every 5th zone        NSD               out-of-bailiwick NS ns1/ns2.hosting.bravo. (no glue),
 *                                           shared by all such zones, as at a hosting provider
 *
 * Each zone yields NAMES_PER_ZONE questions (A): five plain names, the CNAME and four wildcard matches.
 */
import { LAB_ADDR, LAB_ZONES, type LabServer } from '../test/helpers/lab-zones.js';

export const SCALE_TLDS = ['alpha', 'bravo', 'charlie', 'delta'];
export const NAMES_PER_ZONE = 10;
const HOSTING = 'hosting.bravo.';
/** Second-level zones live on NSD and BIND, never with their TLD (Knot), so every cut is a real referral. */
const SERVER_ORDER: LabServer[] = ['nsd', 'bind'];

export interface ScaleTree {
  zones: Record<string, [LabServer, string]>;
  /** Every question name (A), shuffled deterministically so that zones interleave. */
  names: string[];
  /** The answer's last record's address for a name (CNAMEs end at www). */
  expected: Map<string, string>;
  zoneCount: number;
}

export function soa(zone: string, ns: string): string {
  return `$TTL 3600\n${zone} 3600 IN SOA ${ns} hostmaster.${zone} 1 3600 600 86400 300\n`;
}

/** Deterministic Fisher-Yates (a linear congruential generator, seeded). */
export function shuffle<T>(items: T[], seed: number): T[] {
  let x = seed >>> 0;
  for (let i = items.length - 1; i > 0; i--) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    const j = x % (i + 1);
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items;
}

/** The address in 198.18.0.0/15 (RFC 2544 benchmarking range) for the k-th record. */
export function benchmarkAddress(k: number): string {
  return `198.${18 + ((k >> 16) & 1)}.${(k >> 8) & 255}.${k & 255}`;
}

/** Builds a tree with at least `nameCount` unique names (zones of NAMES_PER_ZONE names over SCALE_TLDS). */
export function scaleTree(nameCount: number): ScaleTree {
  const zoneCount = Math.ceil(nameCount / NAMES_PER_ZONE);
  const perTld = Math.ceil(zoneCount / SCALE_TLDS.length);
  if (perTld > 999) throw new Error(`at most ${999 * SCALE_TLDS.length * NAMES_PER_ZONE} names`);
  const zones: Record<string, [LabServer, string]> = { ...LAB_ZONES };
  const tldText = new Map<string, string>();
  let root = LAB_ZONES['.'][1];
  for (const tld of SCALE_TLDS) {
    root += `${tld}. 86400 IN NS ns1.${tld}.\nns1.${tld}. 86400 IN A ${LAB_ADDR.knot}\n`;
    tldText.set(tld, soa(`${tld}.`, `ns1.${tld}.`) + `${tld}. IN NS ns1.${tld}.\nns1.${tld}. IN A ${LAB_ADDR.knot}\n`);
  }
  zones['.'] = ['nsd', root];
  // The hosting provider's zone: Knot serves it; its ns2 (NSD) serves every hosted customer zone.
  zones[HOSTING] = ['knot', soa(HOSTING, `ns1.${HOSTING}`)
    + `${HOSTING} IN NS ns1.${HOSTING}\nns1.${HOSTING} IN A ${LAB_ADDR.knot}\nns2.${HOSTING} IN A ${LAB_ADDR.nsd}\n`];
  tldText.set('bravo', `${tldText.get('bravo')}${HOSTING} IN NS ns1.${HOSTING}\nns1.${HOSTING} IN A ${LAB_ADDR.knot}\n`);
  const names: string[] = [];
  const expected = new Map<string, string>();
  let k = 0;
  for (let z = 0; z < zoneCount; z++) {
    const tld = SCALE_TLDS[z % SCALE_TLDS.length];
    const zone = `z${String(Math.floor(z / SCALE_TLDS.length)).padStart(3, '0')}.${tld}.`;
    const hosted = z % 5 === 0;
    const server: LabServer = hosted ? 'nsd' : SERVER_ORDER[z % SERVER_ORDER.length];
    let text = soa(zone, hosted ? `ns2.${HOSTING}` : `ns1.${zone}`);
    if (hosted) {
      text += `${zone} IN NS ns2.${HOSTING}\n`;
      tldText.set(tld, `${tldText.get(tld)}${zone} IN NS ns2.${HOSTING}\n`);
    } else {
      text += `${zone} IN NS ns1.${zone}\n${zone} IN NS ns2.${zone}\nns1.${zone} IN A ${LAB_ADDR[server]}\nns2.${zone} IN A ${LAB_ADDR[server]}\n`;
      tldText.set(tld, `${tldText.get(tld)}${zone} IN NS ns1.${zone}\n${zone} IN NS ns2.${zone}\n`
        + `ns1.${zone} IN A ${LAB_ADDR[server]}\nns2.${zone} IN A ${LAB_ADDR[server]}\n`);
    }
    const www = benchmarkAddress(k++);
    text += `www.${zone} IN A ${www}\ncdn.${zone} IN CNAME www.${zone}\n*.dyn.${zone} IN A ${benchmarkAddress(k)}\n`;
    const wild = benchmarkAddress(k++);
    expected.set(`www.${zone}`, www);
    expected.set(`cdn.${zone}`, www);
    for (const label of ['mail', 'api', 'blog', 'shop']) {
      const a = benchmarkAddress(k++);
      text += `${label}.${zone} IN A ${a}\n`;
      expected.set(`${label}.${zone}`, a);
    }
    for (let w = 1; w <= NAMES_PER_ZONE - 6; w++) expected.set(`u${w}.dyn.${zone}`, wild);
    zones[zone] = [server, text];
  }
  for (const tld of SCALE_TLDS) zones[`${tld}.`] = ['knot', tldText.get(tld) ?? ''];
  for (const name of expected.keys()) names.push(name);
  return { zones, names: shuffle(names, 0x5eed), expected, zoneCount };
}
