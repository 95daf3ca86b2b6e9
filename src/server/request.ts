/**
 * Request checks before a query reaches the handler (RFC 1035 §4.1.1, RFC 6891 §6.1.1 and §6.1.3):
 * a response (QR set) or a message without a readable header is dropped; an opcode other than QUERY
 * gets NOTIMP; anything but exactly one question, or more than one OPT record, gets FORMERR; an EDNS
 * version above 0 gets BADVERS; zone transfers get REFUSED (a resolver serves no zones to transfer).
 * Never builds responses itself (response.ts does).
 */
import {
  countOpt, decodeMessage, DO_FLAG, findOpt, FLAG, MalformedMessage, opcodeOf, RCODE,
  type Message, type OptRecord,
} from '../wire/index.js';
import type { ClientQuestion } from './types.js';

/** A query that passed the checks. */
export interface CheckedQuery {
  kind: 'query';
  msg: Message;
  opt: OptRecord | undefined;
  question: ClientQuestion;
  flags: { rd: boolean; cd: boolean; do: boolean; ad: boolean };
}

/** A query that gets an error response; `msg` is absent when the message could not be decoded. */
export interface RejectedQuery { kind: 'reject'; rcode: number; msg?: Message; opt?: OptRecord; reason: string }

export type RequestVerdict = CheckedQuery | RejectedQuery | { kind: 'drop'; reason: string };

const ZONE_TRANSFER_TYPES = new Set(['AXFR', 'IXFR']);

/** Classifies the raw bytes of a client message. */
export function checkRequest(bytes: Buffer): RequestVerdict {
  if (bytes.length < 12) return { kind: 'drop', reason: 'shorter than a header' };
  const flags = bytes.readUInt16BE(2);
  if (flags & FLAG.QR) return { kind: 'drop', reason: 'QR set' };
  const decoded = decodeMessage(bytes);
  if (decoded instanceof MalformedMessage) return { kind: 'reject', rcode: RCODE.FORMERR, reason: decoded.message };
  const msg = decoded;
  const optCount = countOpt(msg);
  const opt = optCount === 1 ? findOpt(msg) : undefined;
  if (opcodeOf(flags) !== 0) return { kind: 'reject', rcode: RCODE.NOTIMP, msg, opt, reason: 'opcode not QUERY' };
  if (msg.questions.length !== 1) return { kind: 'reject', rcode: RCODE.FORMERR, msg, opt, reason: `QDCOUNT ${msg.questions.length}` };
  if (optCount > 1) return { kind: 'reject', rcode: RCODE.FORMERR, msg, reason: 'several OPT records' };
  if (opt && (opt.ednsVersion ?? 0) > 0) return { kind: 'reject', rcode: RCODE.BADVERS, msg, opt, reason: `EDNS version ${opt.ednsVersion}` };
  const q = msg.questions[0];
  if (ZONE_TRANSFER_TYPES.has(q.type)) return { kind: 'reject', rcode: RCODE.REFUSED, msg, opt, reason: 'zone transfer' };
  return {
    kind: 'query',
    msg,
    opt,
    question: { name: q.name === '.' ? '' : q.name, type: q.type, class: q.class ?? 'IN' },
    flags: queryFlags(msg, opt),
  };
}

/** RD, CD, AD from the header and DO from the OPT record. */
export function queryFlags(msg: Message, opt: OptRecord | undefined): CheckedQuery['flags'] {
  return {
    rd: (msg.flags & FLAG.RD) !== 0,
    cd: (msg.flags & FLAG.CD) !== 0,
    ad: (msg.flags & FLAG.AD) !== 0,
    do: opt !== undefined && ((opt.flags ?? 0) & DO_FLAG) !== 0,
  };
}
