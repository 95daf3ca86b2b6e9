/**
 * The root KSK sentinel (RFC 8509 §3): a validated answer for a name whose first label is
 * `root-key-sentinel-is-ta-<tag>` becomes SERVFAIL when <tag> is not the key tag of a root trust
 * anchor, and `root-key-sentinel-not-ta-<tag>` when it is. Lets users ask which root key a resolver trusts.
 */
import type { Record } from '../wire/index.js';
import { normalizeName } from '../wire/index.js';
import { dataOf } from './canonical.js';
import { keyTag } from './key-tag.js';
import type { TrustAnchors } from './types.js';

const SENTINEL_PREFIX = 'root-key-sentinel-';
const SENTINEL = /^root-key-sentinel-(is|not)-ta-(\d{5})$/;

/** Key tags of the root's trust anchors (DS key tag fields, DNSKEY tags computed). */
function rootAnchorTags(anchors: TrustAnchors): Set<number> {
  const tags = new Set<number>();
  for (const rr of anchors.zones.get('') ?? []) {
    tags.add(rr.type === 'DS' ? dataOf<{ keyTag: number }>(rr).keyTag : keyTag(rr as Record));
  }
  return tags;
}

/** RFC 8509 §3.2: whether a secure answer for `qname` (type A or AAAA) must be turned into SERVFAIL. */
export function sentinelFails(qname: string, qtype: string, anchors: TrustAnchors): boolean {
  if (qtype !== 'A' && qtype !== 'AAAA') return false;
  const name = normalizeName(qname);
  if (!name.startsWith(SENTINEL_PREFIX)) return false;
  const dot = name.indexOf('.');
  const m = SENTINEL.exec(dot < 0 ? name : name.slice(0, dot));
  if (!m) return false;
  const trusted = rootAnchorTags(anchors).has(Number(m[2]));
  return m[1] === 'is' ? !trusted : trusted;
}
