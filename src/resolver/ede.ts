/** Extended DNS Errors the resolver attaches to the SERVFAILs it makes (RFC 8914 §4; codes in wire/). */
import { EDE_CODE, type ExtendedError } from '../wire/index.js';

export type Ede = ExtendedError;
export const EDE = EDE_CODE;

export function ede(infoCode: number, extraText?: string): Ede {
  return extraText === undefined ? { infoCode } : { infoCode, extraText };
}

/** What a query given up gets: its client went away (or every query waiting for a sub-query did). */
export const QUERY_ABORTED: Ede = ede(EDE.OTHER, 'query aborted: the client went away');
