/**
 * DNSSEC validation (L3): the validator and its types, trust anchors, the RFC 8509 sentinel, and
 * the pure pieces (canonical form, key tags, signatures, DS, NSEC/NSEC3 proofs) tests check alone.
 */
export * from './types.js';
export { Validator, type ValidationInput, type ValidatorOptions } from './validator.js';
export { trustAnchors, parseAnchorText, isInlineAnchor } from './trust-anchors.js';
export { sentinelFails } from './sentinel.js';
export { keyTag } from './key-tag.js';
export { signedData, compareNames, dnskeyRdata, nameWire } from './canonical.js';
export { verifyRrsig } from './verify.js';
export { dsDigest, dsMatches } from './ds.js';
export { checkRRset } from './rrset-check.js';
export { rrsets } from './key-chain.js';
export { capTtls, lowestCap, validatedTtl } from './ttl-cap.js';
export { nsecCovers, nsecNameError, nsecNoData, nsecNoDs } from './nsec.js';
export { nsec3Hash, nsec3NameError, nsec3NoData, nsec3NoDs, nsec3Synthesis, type Nsec3Denial } from './nsec3.js';
