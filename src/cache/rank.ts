/**
 * Trust ranks for cached data (RFC 2181 §5.4.1): data from the answer section of an authoritative
 * reply ranks above the authority section, which ranks above additional-section data (glue).
 * A lower-ranked RRset never replaces a higher-ranked one that is still fresh.
 */
export const RANK = {
  /** Additional section (glue, and addresses next to an answer). */
  ADDITIONAL: 1,
  /** Authority section of a non-authoritative reply (a referral's NS set). */
  AUTHORITY: 2,
  /** Answer section of a non-authoritative reply. */
  ANSWER: 3,
  /** Authority section of an authoritative reply. */
  AUTH_AUTHORITY: 4,
  /** Answer section of an authoritative reply. */
  AUTH_ANSWER: 5,
} as const;

export type Rank = (typeof RANK)[keyof typeof RANK];

/** The rank of data from `section` of a reply whose AA bit is `aa`. */
export function rankOf(section: 'answer' | 'authority' | 'additional', aa: boolean): Rank {
  if (section === 'additional') return RANK.ADDITIONAL;
  if (section === 'authority') return aa ? RANK.AUTH_AUTHORITY : RANK.AUTHORITY;
  return aa ? RANK.AUTH_ANSWER : RANK.ANSWER;
}
