/**
 * Building query handlers: a chain of links ending in a final handler (CoreDNS/miekg `Handler` idea,
 * without a registry), and the final handler used until a resolver is plugged in: REFUSED with
 * EDE 21 "Not Supported" (RFC 8914 §4.22), as a server without recursion answers.
 */
import { RCODE } from '../wire/index.js';
import type { Answer, ChainedHandler, QueryHandler } from './types.js';

/** EDE info codes the server itself uses (RFC 8914 §4). */
export const EDE = { OTHER: 0, PROHIBITED: 18, NOT_SUPPORTED: 21 } as const;

/** Composes links left to right: each may answer or call the next; `last` ends the chain. */
export function chainHandlers(links: ChainedHandler[], last: QueryHandler): QueryHandler {
  return links.reduceRight<QueryHandler>((next, link) => (q, signal) => link(q, signal, next), last);
}

/** A handler that refuses everything it is given (no recursion configured). */
export function refusingHandler(extraText = 'recursion is not available'): QueryHandler {
  return (): Answer => ({
    rcode: RCODE.REFUSED, answer: [], authority: [], additional: [], authenticated: false, cacheable: true,
    ede: [{ infoCode: EDE.NOT_SUPPORTED, extraText }],
  });
}
