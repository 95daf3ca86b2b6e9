/**
 * What one query-log line says (log.queries): time (added by the writer), client address or a
 * keyed hash of it (HMAC-SHA-256 with a key kept in state_dir, so one client's lines still match
 * without the address being stored), name, type, transport, rcode, where the answer came from
 * (packet cache, local data, RRset cache, resolution), DNSSEC state and the time to answer.
 */
import { createHmac } from 'node:crypto';
import type { InboundQuery } from '../net/index.js';
import { peekQuestion, rcodeMnemonic, typeMnemonic } from '../wire/index.js';
import type { Answer } from './types.js';

/**
 * Observes one answered (or dropped) query; `from` is the handler's answer, or 'packet' for a
 * microcache hit. The query log and the status page are such observers.
 */
export type QueryLogger = (q: InboundQuery, reply: Buffer | undefined, ms: number, from?: Answer | 'packet') => void;

/** How a client appears in the query log and on the status page. */
export type ClientLabel = (address: string) => string;

/** The address itself, or with a key (log.queries.anonymize) the first 16 hex digits of its HMAC-SHA-256. */
export function clientLabel(anonymizeKey?: Buffer): ClientLabel {
  return anonymizeKey
    ? (address) => createHmac('sha256', anonymizeKey).update(address).digest('hex').slice(0, 16)
    : (address) => address;
}

export function queryLogger(file: { write(entry: object): void }, client: ClientLabel): QueryLogger {
  return (q, reply, ms, from) => {
    const question = peekQuestion(q.bytes);
    const rcode = reply === undefined ? 'dropped' : rcodeMnemonic(reply[3] & 0x0f);
    const answer = from === 'packet' || from === undefined ? undefined : from;
    file.write({
      client: client(q.peer.address), name: question?.name ?? null, type: question ? typeMnemonic(question.type) : null, transport: q.peer.transport, rcode,
      source: from === 'packet' ? 'packet-cache' : answer?.source ?? null,
      dnssec: answer?.security ?? null, duration_ms: Math.round(ms * 1000) / 1000,
    });
  };
}

/**
 * One observer for the dispatcher out of those that are on: undefined when none is (the
 * dispatcher then skips the call altogether), the observer itself when only one is.
 */
export function composeQueryLoggers(loggers: (QueryLogger | undefined)[]): QueryLogger | undefined {
  const on = loggers.filter((l): l is QueryLogger => l !== undefined);
  if (on.length <= 1) return on[0];
  return (q, reply, ms, from) => { for (const l of on) l(q, reply, ms, from); };
}
