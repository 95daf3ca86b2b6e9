/**
 * The port the server needs: a query handler. The resolver's output fits `Answer` structurally; the
 * server never imports the resolver (DESIGN.md: L4 siblings never import each other).
 */
import type { ExtendedError, Record } from '../wire/index.js';
import type { PeerInfo } from '../net/index.js';

export interface ClientQuestion {
  /** The name as the client sent it (case kept), no trailing dot. */
  name: string;
  /** dns-packet type name ('A', 'AAAA', ...; 'UNKNOWN_n' for unknown types). */
  type: string;
  class: string;
}

export interface ClientQuery {
  question: ClientQuestion;
  /** RD, CD from the header; DO from EDNS. */
  flags: { rd: boolean; cd: boolean; do: boolean; ad: boolean };
  /** The client's EDNS UDP payload size, undefined without EDNS. */
  ednsSize?: number;
  peer: PeerInfo;
}

export interface Answer {
  rcode: number;
  answer: Record[];
  authority: Record[];
  additional: Record[];
  /** Data validated secure (AD is set only when the client asked with DO or AD, RFC 6840 §5.8). */
  authenticated: boolean;
  /** Authoritative answer (local zones). */
  aa?: boolean;
  ede?: ExtendedError[];
  /**
   * The encoded reply may be reused for identical questions while its TTLs last (the UDP microcache,
   * microcache.ts, counts them down). Handlers set it for answers that do not depend on who asks.
   */
  cacheable?: boolean;
  /** At most this long (milliseconds), when set: the resolver's cache must see the question again by then (cache.prefetch). */
  reuseForMs?: number;
  /** Send nothing at all (local zone type deny). */
  drop?: boolean;
  /** Where the answer came from, for the query log and the status page ('policy': a block list decided it). */
  source?: 'local' | 'cache' | 'shared' | 'resolved' | 'policy';
  /** The list and action of a policy answer (source 'policy'). */
  policy?: { list: string; action: string };
  /** DNSSEC state of a validated answer (secure, insecure, bogus, indeterminate), for the query log. */
  security?: string;
}

export type QueryHandler = (q: ClientQuery, signal: AbortSignal) => Promise<Answer> | Answer;

/** A handler in a chain: answers itself or passes the query on to `next`. */
export type ChainedHandler = (q: ClientQuery, signal: AbortSignal, next: QueryHandler) => Promise<Answer> | Answer;
