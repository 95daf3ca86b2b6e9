/** Extended DNS Errors the resolver attaches to the SERVFAILs it makes (RFC 8914 §4; codes in wire/). */
import { EDE_CODE, type ExtendedError } from '../wire/index.js';

export type Ede = ExtendedError;
export const EDE = EDE_CODE;

export function ede(infoCode: number, extraText?: string): Ede {
  return extraText === undefined ? { infoCode } : { infoCode, extraText };
}
