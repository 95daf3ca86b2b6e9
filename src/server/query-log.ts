/**
 * What one query-log line says (log.queries): time (added by the writer), client address or a
 * keyed hash of it (HMAC-SHA-256 with a key kept in state_dir, so one client's lines still match
 * without the address being stored), name, type, transport, rcode, where the answer came from
 * (packet cache, local data, RRset cache, resolution), DNSSEC state and the time to answer.
 */
import { createHmac } from 'node:crypto';
import type { InboundQuery } from '../net/index.js';
import type { QueryLogFile } from '../log/index.js';
import { peekQuestion, typeMnemonic } from '../wire/index.js';
import type { Answer } from './types.js';

const RCODES = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** Logs one answered (or dropped) query; `from` is the handler's answer, or 'packet' for a microcache hit. */
export type QueryLogger = (q: InboundQuery, reply: Buffer | undefined, ms: number, from?: Answer | 'packet') => void;

export function queryLogger(file: QueryLogFile, anonymizeKey?: Buffer): QueryLogger {
  const client = anonymizeKey
    ? (address: string): string => createHmac('sha256', anonymizeKey).update(address).digest('hex').slice(0, 16)
    : (address: string): string => address;
  return (q, reply, ms, from) => {
    const question = peekQuestion(q.bytes);
    const rcode = reply === undefined ? 'dropped' : RCODES[reply[3] & 0x0f] ?? `RCODE${reply[3] & 0x0f}`;
    const answer = from === 'packet' || from === undefined ? undefined : from;
    file.write({
      client: client(q.peer.address), name: question?.name ?? null, type: question ? typeMnemonic(question.type) : null, transport: q.peer.transport, rcode,
      source: from === 'packet' ? 'packet-cache' : answer?.source ?? null,
      dnssec: answer?.security ?? null, duration_ms: Math.round(ms * 1000) / 1000,
    });
  };
}
