/**
 * The upstream-facing API of the core: one query to one server over UDP, TCP or TLS, returning a
 * reply or a failure value (never a rejection). UDP goes through a pool of sockets on random
 * ports, each retired after a few queries (udp-pool.ts, RFC 5452 §9.2); TCP/TLS go through the
 * session pool (RFC 7766 §6.2.1 reuse and pipelining).
 * Queries sent over TLS that carry an OPT record are padded to a multiple of 128 octets
 * (RFC 7830, RFC 8467 §4.1); queries without EDNS are sent as they are (padding needs OPT).
 */
import type { ConnectionOptions } from 'node:tls';
import type { Logger } from '../log/index.js';
import { systemClock, type Clock } from '../util/index.js';
import { padEncoded, peekQuestion, QUERY_PADDING_BLOCK } from '../wire/index.js';
import { outboundLimits, type OutboundLimits } from './limits.js';
import { SessionPool, type PoolCounters } from './session-pool.js';
import { UdpPool } from './udp-pool.js';
import type { Endpoint, ExchangeRequest, ExchangeResult, Exchanger } from './types.js';

export interface ExchangerOptions {
  log: Logger;
  clock?: Clock;
  limits?: Partial<OutboundLimits>;
  /** Extra TLS client options per server (a private CA, client certificate, ...). */
  tlsContextFor?: (to: Endpoint, servername?: string) => ConnectionOptions | undefined;
}

export interface ExchangerStats {
  /** Stream connections dialed, TLS full handshakes and resumed handshakes. */
  dials: number;
  tlsHandshakes: number;
  tlsResumed: number;
  /** UDP sockets opened for queries (each on its own random port; one carries several queries). */
  udpSockets: number;
  /** Datagrams/frames that did not match a pending query (wrong source, ID or question). */
  udpMismatched: number;
  streamMismatched: number;
  /** Open outbound stream sessions. */
  sessions: number;
}

export interface NetExchanger extends Exchanger {
  stats(): ExchangerStats;
}

/** Largest UDP payload over IPv4/IPv6 without jumbograms. */
const MAX_UDP_QUERY = 65507;

export function createExchanger(o: ExchangerOptions): NetExchanger {
  const clock = o.clock ?? systemClock;
  const log = o.log.child({ component: 'net', side: 'upstream' });
  const counters: PoolCounters = { dials: 0, tlsHandshakes: 0, tlsResumed: 0, mismatched: 0 };
  const udp = new UdpPool(clock, { mismatched: 0, socketsOpened: 0 });
  const pool = new SessionPool({ limits: outboundLimits(o.limits), log, clock, counters, tlsContextFor: o.tlsContextFor });
  let closed = false;

  const send = (req: ExchangeRequest): Promise<ExchangeResult> => {
    const start = clock.monotonic();
    const fail = (code: 'closed' | 'bad-query' | 'oversize' | 'aborted'): Promise<ExchangeResult> => Promise.resolve({ kind: 'fail', code, elapsedMs: 0 });
    if (closed) return fail('closed');
    if (req.signal?.aborted) return fail('aborted');
    const question = peekQuestion(req.query);
    if (question === null) return fail('bad-query');
    if (req.transport === 'udp') {
      if (req.query.length > MAX_UDP_QUERY) return fail('oversize');
      return udp.exchange({
        host: req.to.host, port: req.to.port, query: Buffer.from(req.query), question, timeoutMs: req.timeoutMs,
        sourceAddress: req.sourceAddress, signal: req.signal,
      });
    }
    // A private copy: the multiplexer writes its own ID into it. TLS queries are padded (RFC 8467 §4.1).
    const padded = req.transport === 'tls' ? padEncoded(req.query, QUERY_PADDING_BLOCK) : req.query;
    const query = padded === req.query ? Buffer.from(req.query) : padded;
    if (query.length > 65535) return fail('oversize');
    return pool.exchange(req, req.transport, query, question, start);
  };

  return {
    // Not async: it hands on the pool's promise (no wrapper promise per query); a throw still comes back as a rejection.
    exchange(req: ExchangeRequest): Promise<ExchangeResult> {
      try {
        return send(req);
      } catch (err) {
        return Promise.reject(err);
      }
    },
    async close(): Promise<void> {
      closed = true;
      pool.close();
      udp.close();
    },
    stats(): ExchangerStats {
      return {
        dials: counters.dials, tlsHandshakes: counters.tlsHandshakes, tlsResumed: counters.tlsResumed,
        udpMismatched: udp.counters.mismatched, udpSockets: udp.counters.socketsOpened, streamMismatched: counters.mismatched, sessions: pool.size,
      };
    },
  };
}
