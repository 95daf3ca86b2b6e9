/**
 * The tree of the signed cold-cache benchmark (cold-signed.ts): one large zone, signed like every zone above
 * it (LabOptions.dnssec: ECDSA P-256, algorithm 13, RFC 6605), so a validating resolver checks the whole
 * chain from the root's trust anchor (RFC 4035 §5):
 *
 *   .             NSD              the lab's root (lab-zones.ts), plus the delegation of scale. (glue, DS)
 *   scale.        Knot             delegates big.scale. to three name servers (glue, DS)
 *   big.scale.    NSD, Knot, BIND  one zone with three providers (LabOptions.replicas): SIGNED_NAME_COUNT A names
 *
 * Every name is hNNNNN.big.scale. A with its own address in 198.18.0.0/15 (RFC 2544), in shuffled order.
 * The tree has the shape of scale-zones.ts's (ScaleTree), so cold.ts's query classes and answer checks apply.
 */
import { LAB_ADDR, LAB_ZONES, type LabServer } from '../test/helpers/lab-zones.js';
import { shuffle, soa, benchmarkAddress, type ScaleTree } from './scale-zones.js';

export const SIGNED_TLD = 'scale.';
export const SIGNED_ZONE = `big.${SIGNED_TLD}`;
/** The servers that serve a copy of SIGNED_ZONE besides its owner in the tree (NSD). */
export const SIGNED_REPLICAS: Record<string, LabServer[]> = { [SIGNED_ZONE]: ['knot', 'bind'] };
const PROVIDERS: [string, LabServer][] = [['ns1', 'nsd'], ['ns2', 'knot'], ['ns3', 'bind']];

/** The signed tree with `nameCount` names in SIGNED_ZONE (plus the lab's own zones, signed as in the tests). */
export function signedTree(nameCount: number): ScaleTree {
  const zones: Record<string, [LabServer, string]> = { ...LAB_ZONES };
  zones['.'] = ['nsd', `${LAB_ZONES['.'][1]}${SIGNED_TLD} 86400 IN NS ns1.${SIGNED_TLD}\nns1.${SIGNED_TLD} 86400 IN A ${LAB_ADDR.knot}\n`];
  const ns = PROVIDERS.map(([label]) => `${SIGNED_ZONE} IN NS ${label}.${SIGNED_ZONE}\n`).join('');
  const glue = PROVIDERS.map(([label, server]) => `${label}.${SIGNED_ZONE} IN A ${LAB_ADDR[server]}\n`).join('');
  zones[SIGNED_TLD] = ['knot', `${soa(SIGNED_TLD, `ns1.${SIGNED_TLD}`)}${SIGNED_TLD} IN NS ns1.${SIGNED_TLD}\n`
    + `ns1.${SIGNED_TLD} IN A ${LAB_ADDR.knot}\n${ns}${glue}`];
  const expected = new Map<string, string>();
  const lines = [soa(SIGNED_ZONE, `ns1.${SIGNED_ZONE}`), ns, glue];
  for (let k = 0; k < nameCount; k++) {
    const name = `h${String(k).padStart(5, '0')}.${SIGNED_ZONE}`;
    const a = benchmarkAddress(k);
    lines.push(`${name} IN A ${a}\n`);
    expected.set(name, a);
  }
  zones[SIGNED_ZONE] = ['nsd', lines.join('')];
  return { zones, names: shuffle([...expected.keys()], 0x5eed), expected, zoneCount: 1 };
}
