/**
 * The bytes of one upstream query and the checks on its reply. Queries carry RD/CD as asked and, with
 * EDNS (RFC 6891), an OPT record with a 1232-octet payload (DNS flag day 2020) and DO when asked
 * (RFC 3225); over TCP and TLS an empty keepalive option (RFC 7828 §3.2.1), whose timeout in the
 * reply the net core applies to the session. The net core assigns the
 * ID and pads queries sent over TLS (RFC 8467 §4.1). A reply must decode,
 * be a response, and repeat the question (RFC 5452 §9.1; case-insensitive, RFC 4343), except that a
 * FORMERR/NOTIMP may omit it (RFC 6891 §7).
 */
import {
  decodeMessage, encodeCompressed, findOpt, findOption, makeOpt, MalformedMessage, nameEquals, optAsRecord,
  peekQuestion, rcodeOf, FLAG, OPTION, RCODE,
  type EdnsOption, type Message, type RRType,
} from '../wire/index.js';
import type { Transport } from '../net/index.js';
import type { UpstreamQuery } from './types.js';

/** Our advertised EDNS UDP payload size (DNS flag day 2020). */
export const EDNS_UDP_PAYLOAD = 1232;

/** Encodes the query for `transport`, with or without EDNS; undefined when it cannot be encoded. */
export function buildQuery(q: UpstreamQuery, edns: boolean, transport: Transport): Buffer | undefined {
  const msg: Message = {
    type: 'query', id: 0,
    flags: (q.rd ? FLAG.RD : 0) | (q.cd ? FLAG.CD : 0),
    questions: [{ name: q.name, type: q.type as RRType, class: 'IN' }],
    answers: [], authorities: [], additionals: [],
  };
  let bytes: Buffer;
  try {
    if (edns) {
      const options: EdnsOption[] = transport === 'udp' ? [] : [{ code: OPTION.KEEPALIVE }];
      msg.additionals = [optAsRecord(makeOpt(EDNS_UDP_PAYLOAD, q.dnssecOk, options))];
    }
    bytes = encodeCompressed(msg); // one pass: same octets as dns-packet's encoder (a query has no name to point at)
  } catch {
    return undefined; // a name that does not fit the wire
  }
  return peekQuestion(bytes)?.type ? bytes : undefined; // dns-packet encodes unknown type names as 0
}

export type ReplyCheck = { kind: 'ok'; message: Message } | { kind: 'malformed' } | { kind: 'mismatch' };

/** Decodes `bytes` and checks it answers `q`. */
export function checkReply(q: Pick<UpstreamQuery, 'name' | 'type'>, bytes: Buffer): ReplyCheck {
  const message = decodeMessage(bytes);
  if (message instanceof MalformedMessage) return { kind: 'malformed' };
  if (message.type !== 'response') return { kind: 'mismatch' };
  const rcode = rcodeOf(message.flags);
  if (message.questions.length === 0 && (rcode === RCODE.FORMERR || rcode === RCODE.NOTIMP)) {
    return { kind: 'ok', message };
  }
  if (message.questions.length !== 1) return { kind: 'mismatch' };
  const rq = message.questions[0];
  const sameType = String(rq.type).toUpperCase() === q.type.toUpperCase();
  if (!nameEquals(rq.name, q.name) || !sameType || (rq.class ?? 'IN') !== 'IN') return { kind: 'mismatch' };
  return { kind: 'ok', message };
}

/** True for a reply that says the server did not take our EDNS query (RFC 6891 §7). */
export function rejectsEdns(message: Message): boolean {
  const rcode = rcodeOf(message.flags);
  return rcode === RCODE.FORMERR || rcode === RCODE.NOTIMP;
}

/** The keepalive timeout a reply carries in ms (RFC 7828 §3.1: units of 100 ms); undefined without one. */
export function keepaliveTimeoutMs(message: Message): number | undefined {
  const timeout = findOption(findOpt(message), OPTION.KEEPALIVE)?.timeout;
  return typeof timeout === 'number' ? timeout * 100 : undefined;
}

export function hasOpt(message: Message): boolean {
  return findOpt(message) !== undefined;
}

export function isTruncated(message: Message): boolean {
  return (message.flags & FLAG.TC) !== 0;
}
