/**
 * Building query handlers: a chain of links ending in a final handler (CoreDNS/miekg `Handler` idea,
 * without a registry). app.ts ends the chain with the resolver.
 */
import type { ChainedHandler, QueryHandler } from './types.js';

/** Composes links left to right: each may answer or call the next; `last` ends the chain. */
export function chainHandlers(links: ChainedHandler[], last: QueryHandler): QueryHandler {
  return links.reduceRight<QueryHandler>((next, link) => (q, signal) => link(q, signal, next), last);
}
