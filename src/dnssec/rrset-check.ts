/**
 * Authenticating one RRset with a zone's DNSKEYs (RFC 4035 §5.3): RRSIGs covering the type, signed
 * by the zone, with a usable labels field, inside their validity period (RFC 4035 §5.3.1, serial
 * arithmetic of RFC 1982 for the 32-bit times), checked against the keys with the same tag and
 * algorithm. One good signature is enough (RFC 6840 §5.11 / §5.4). A shared `SigBudget` caps the
 * signature checks one response may cost (KeyTrap, CVE-2023-50387).
 */
import type { Record } from '../wire/index.js';
import { normalizeName } from '../wire/index.js';
import { isSupportedAlgorithm } from './algorithms.js';
import { dataOf, type DnskeyData, type RrsigData } from './canonical.js';
import { keyTag } from './key-tag.js';
import { validatedTtl } from './ttl-cap.js';
import { DNSSEC_EDE, type Ede, type Verdict } from './types.js';
import { verifyRrsig } from './verify.js';

/** Signature verifications one validation may still spend. */
export interface SigBudget { left: number }

/** Most signature checks per client response (RFC 9276-era hardening; Unbound's limits are similar). */
export const MAX_SIG_CHECKS = 64;
/** Keys tried for one RRSIG (key tag collisions). */
const MAX_KEYS_PER_SIG = 4;

/** The RRSIGs among `records` covering (owner, type). */
export function sigsFor(records: Record[], owner: string, type: string): Record[] {
  const o = normalizeName(owner);
  return records.filter((rr) => rr.type === 'RRSIG' && dataOf<RrsigData>(rr).typeCovered === type && normalizeName(rr.name) === o);
}

/** RFC 1982 serial comparison: a <= b in 32-bit serial arithmetic. */
function serialLe(a: number, b: number): boolean {
  return ((b - a) >>> 0) < 0x80000000;
}

/** Why a signature is outside its validity period, if it is (RFC 4035 §5.3.1). */
function timeProblem(sig: RrsigData, nowSec: number): number | undefined {
  if (!serialLe(sig.inception, nowSec)) return DNSSEC_EDE.SIGNATURE_NOT_YET_VALID;
  if (!serialLe(nowSec, sig.expiration)) return DNSSEC_EDE.SIGNATURE_EXPIRED;
  return undefined;
}

/**
 * Authenticates `rrset` (one owner, type, class) with `sigs` against `keys`, the DNSKEYs of `zone`.
 * Returns secure with the TTL cap the good signature sets (RFC 4035 §5.3.3), or bogus with the most
 * telling EDE.
 */
export async function checkRRset(rrset: Record[], sigs: Record[], keys: Record[], zone: string, nowSec: number, budget: SigBudget): Promise<Verdict> {
  const type = rrset[0].type;
  let reason: number = DNSSEC_EDE.RRSIGS_MISSING;
  let usableSig = false;
  for (const sigRecord of sigs) {
    const sig = dataOf<RrsigData>(sigRecord);
    if (sig.typeCovered !== type || normalizeName(sig.signersName) !== zone || !isSupportedAlgorithm(sig.algorithm)) continue;
    usableSig = true;
    const late = timeProblem(sig, nowSec);
    if (late !== undefined) { reason = late; continue; }
    const candidates: Record[] = [];
    for (const k of keys) {
      const d = dataOf<DnskeyData>(k);
      if (d.algorithm === sig.algorithm && (d.flags & 0x0100) !== 0 && keyTag(k) === sig.keyTag) candidates.push(k);
      if (candidates.length === MAX_KEYS_PER_SIG) break;
    }
    if (candidates.length === 0) {
      if (reason === DNSSEC_EDE.RRSIGS_MISSING) reason = DNSSEC_EDE.DNSKEY_MISSING;
      continue;
    }
    for (const key of candidates) {
      if (budget.left-- <= 0) return bogus(DNSSEC_EDE.DNSSEC_BOGUS, 'too many signatures to check');
      if (await verifyRrsig(rrset, sigRecord, key)) return { security: 'secure', ttl: validatedTtl(rrset, sigRecord, nowSec) };
    }
    reason = DNSSEC_EDE.DNSSEC_BOGUS;
  }
  const what = `${rrset[0].name} ${type}`;
  if (!usableSig) return bogus(DNSSEC_EDE.RRSIGS_MISSING, `no usable RRSIG for ${what}`);
  return bogus(reason, `signature check failed for ${what}`);
}

export function bogus(infoCode: number, extraText: string): { security: 'bogus'; ede: Ede } {
  return { security: 'bogus', ede: { infoCode, extraText } };
}
