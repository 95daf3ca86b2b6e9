/** Extended DNS Error codes the resolver attaches to the SERVFAILs it makes (RFC 8914 §4). */
export interface Ede { infoCode: number; extraText?: string }

export const EDE = {
  OTHER: 0,
  STALE_ANSWER: 3,
  DNSSEC_BOGUS: 6,
  NOT_AUTHORITATIVE: 20,
  NO_REACHABLE_AUTHORITY: 22,
  NETWORK_ERROR: 23,
} as const;

export function ede(infoCode: number, extraText?: string): Ede {
  return extraText === undefined ? { infoCode } : { infoCode, extraText };
}
