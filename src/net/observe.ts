/**
 * Observation lines of a stream session at log level debug, one per DNS message, the same shape for
 * both roles: inbound, 'stream query' is a query read and 'stream reply' a reply written; outbound,
 * 'stream query' is a query written and 'stream reply' a reply read (the session's logger adds sid,
 * role and transport). Fields: peer, message ID, name, length, queries in flight on the session
 * (this one included), the keepalive option (RFC 7828: present, and the timeout it carries in units
 * of 100 ms) and the padding length (RFC 7830). test/interop reads them. The level is checked once
 * per session: with debug off there is no observer and nothing is parsed.
 */
import type { Logger } from '../log/index.js';
import { keepaliveTimeoutOf, OPTION, peekEdnsOptionsAt, peekId, peekQuestion } from '../wire/index.js';

export type StreamObserver = (msg: 'stream query' | 'stream reply', bytes: Buffer, inflight: number) => void;

/** The observer for a session with logger `log` talking to `peer` ("address:port"); undefined unless debug is on. */
export function streamObserver(log: Logger, peer: string): StreamObserver | undefined {
  if (!log.isLevelEnabled('debug')) return undefined;
  return (msg, bytes, inflight) => {
    const options = peekEdnsOptionsAt(bytes) ?? []; // one walk of the message serves every field below
    log.debug({
      peer, id: peekId(bytes), name: peekQuestion(bytes)?.name ?? null, len: bytes.length, inflight,
      keepalive: options.some((o) => o.code === OPTION.KEEPALIVE),
      keepalive_timeout: keepaliveTimeoutOf(bytes, options),
      padding: options.find((o) => o.code === OPTION.PADDING)?.length ?? null,
    }, msg);
  };
}
