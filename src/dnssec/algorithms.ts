/**
 * Which DNSSEC algorithms and DS digest types Ward validates (RFC 8624 §3.1 and §3.3). Anything
 * else (RSAMD5 1, DSA 3/6, GOST 12, private 253/254, unknown) is unsupported: a zone signed only
 * with those is treated as insecure, not bogus (RFC 4035 §5.2, RFC 6840 §5.2).
 */

export interface AlgorithmInfo {
  kind: 'rsa' | 'ecdsa' | 'eddsa';
  /** node:crypto digest name; null for EdDSA (hash built in). */
  hash: string | null;
  /** JWK curve for ECDSA / EdDSA. */
  curve?: 'P-256' | 'P-384' | 'Ed25519' | 'Ed448';
  /** Public key length in octets (ECDSA x||y, EdDSA point). */
  keyLength?: number;
}

const ALGORITHMS: ReadonlyMap<number, AlgorithmInfo> = new Map<number, AlgorithmInfo>([
  [5, { kind: 'rsa', hash: 'sha1' }], // RSASHA1 (RFC 3110)
  [7, { kind: 'rsa', hash: 'sha1' }], // RSASHA1-NSEC3-SHA1 (RFC 5155 §2)
  [8, { kind: 'rsa', hash: 'sha256' }], // RSASHA256 (RFC 5702)
  [10, { kind: 'rsa', hash: 'sha512' }], // RSASHA512 (RFC 5702)
  [13, { kind: 'ecdsa', hash: 'sha256', curve: 'P-256', keyLength: 64 }], // RFC 6605
  [14, { kind: 'ecdsa', hash: 'sha384', curve: 'P-384', keyLength: 96 }], // RFC 6605
  [15, { kind: 'eddsa', hash: null, curve: 'Ed25519', keyLength: 32 }], // RFC 8080
  [16, { kind: 'eddsa', hash: null, curve: 'Ed448', keyLength: 57 }], // RFC 8080
]);

/** DS digest types (RFC 8624 §3.3): SHA-1 (1), SHA-256 (2), SHA-384 (4); GOST (3) is not supported. */
const DIGESTS: ReadonlyMap<number, string> = new Map([[1, 'sha1'], [2, 'sha256'], [4, 'sha384']]);

/** The algorithm's properties, or undefined when Ward does not validate it. */
export function algorithmInfo(alg: number): AlgorithmInfo | undefined {
  return ALGORITHMS.get(alg);
}

export function isSupportedAlgorithm(alg: number): boolean {
  return ALGORITHMS.has(alg);
}

/** node:crypto digest name of a DS digest type, or undefined when unsupported. */
export function digestName(digestType: number): string | undefined {
  return DIGESTS.get(digestType);
}
