/**
 * Response shaping (RFC 1035 §4.1.1, RFC 6891, RFC 4035 §3.2, RFC 6840 §5.7-5.8, RFC 7828, RFC 7830,
 * RFC 8467, RFC 8914): QR and RA set, RD and CD copied, AD only for authenticated data the client
 * asked about with DO or AD, the client's question echoed with its case, an OPT record iff the query
 * had one (Ward's payload size, DO copied, extended RCODE, EDE options; keepalive on streams when the
 * client sent one; padding to 468-octet blocks over TLS when the client padded). Over UDP the reply
 * is cut to min(client EDNS size or 512, udp_max_payload) octets by whole RRsets (truncate.ts).
 * Names are compressed as the reply is encoded (RFC 1035 §4.1.4, wire/compress.ts), before the size is checked.
 */
import {
  encodeCompressed, padEncoded, edeOption, FLAG, findOption, keepaliveOption, makeOpt,
  optAsRecord, OPTION, RCODE, RESPONSE_PADDING_BLOCK,
  type EdnsOption, type Message, type OptRecord, type Record,
} from '../wire/index.js';
import type { Transport } from '../net/index.js';
import { truncateToFit } from './truncate.js';
import type { Answer } from './types.js';

/** How the reply travels, and the server-side limits that shape it. */
export interface ShapeContext {
  transport: Transport;
  /** Ward's own largest UDP payload (server.limits.udp_max_payload), also advertised in its OPT. */
  udpMaxPayload: number;
  /** The keepalive timeout to offer on this stream (ms), when the client asked for one. */
  keepaliveMs?: number;
}

/** The classic limit without EDNS (RFC 1035 §4.2.1); EDNS sizes below it count as 512 (RFC 6891 §6.2.5). */
const CLASSIC_UDP = 512;
const STREAM_MAX = 65535;

/** The largest reply that may be sent for a query with OPT `opt` over `ctx`. */
export function sizeLimit(opt: OptRecord | undefined, ctx: ShapeContext): number {
  if (ctx.transport !== 'udp') return STREAM_MAX;
  const client = opt ? Math.max(CLASSIC_UDP, opt.udpPayloadSize) : CLASSIC_UDP;
  return Math.min(client, ctx.udpMaxPayload);
}

/** The query fields a response copies. */
export interface QueryEcho {
  msg: Message;
  opt: OptRecord | undefined;
  flags: { rd: boolean; cd: boolean; do: boolean; ad: boolean };
}

function responseOptions(answer: Answer, query: QueryEcho, ctx: ShapeContext): EdnsOption[] {
  const options: EdnsOption[] = [];
  for (const e of answer.ede ?? []) options.push(edeOption(e.infoCode, e.extraText));
  // RFC 7828 §3.3.2: a server answers a keepalive option only on streams, never over UDP.
  if (ctx.transport !== 'udp' && ctx.keepaliveMs !== undefined && findOption(query.opt, OPTION.KEEPALIVE)) {
    options.push(keepaliveOption(ctx.keepaliveMs));
  }
  return options;
}

/** Builds and encodes the response to a checked query. */
export function shapeResponse(query: QueryEcho, answer: Answer, ctx: ShapeContext): Buffer {
  let flags = FLAG.RA | (answer.rcode & 0xf);
  if (query.flags.rd) flags |= FLAG.RD;
  if (query.flags.cd) flags |= FLAG.CD;
  if (answer.aa) flags |= FLAG.AA;
  // RFC 6840 §5.8: AD only when the client showed it understands it (DO or AD in the query).
  if (answer.authenticated && (query.flags.do || query.flags.ad)) flags |= FLAG.AD;
  const opt = query.opt ? makeOpt(ctx.udpMaxPayload, query.flags.do, responseOptions(answer, query, ctx)) : undefined;
  if (opt) opt.extendedRcode = answer.rcode >> 4;
  // The response's OPT is Ward's own: one from the handler (an upstream reply's) never goes out.
  const extra = answer.additional.length > 0 ? answer.additional.filter((rr) => rr.type !== 'OPT') : answer.additional;
  const additionals: Record[] = opt ? [...extra, optAsRecord(opt)] : extra;
  const packet: Message = {
    id: query.msg.id, type: 'response', flags,
    questions: query.msg.questions, answers: answer.answer, authorities: answer.authority, additionals,
  };
  const limit = sizeLimit(query.opt, ctx);
  let bytes = encodeCompressed(packet);
  // RFC 2181 §9: whole RRsets that fit, TC only when answer or authority data was left out.
  if (bytes.length > limit) bytes = truncateToFit(packet, bytes, limit, query.flags.do);
  // RFC 8467 §4.1: responses padded to a multiple of 468 octets, only over an encrypted transport.
  const pad = ctx.transport === 'tls' && opt !== undefined && findOption(query.opt, OPTION.PADDING) !== undefined;
  return pad ? padEncoded(bytes, RESPONSE_PADDING_BLOCK, limit) : bytes;
}

/** An error response (FORMERR, NOTIMP, BADVERS, REFUSED) to a decoded query. */
export function errorResponse(query: QueryEcho, rcode: number, ctx: ShapeContext, ede?: Answer['ede']): Buffer {
  const questions = rcode === RCODE.FORMERR && query.msg.questions.length !== 1 ? [] : query.msg.questions;
  const echo: QueryEcho = { ...query, msg: { ...query.msg, questions } };
  return shapeResponse(echo, { rcode, answer: [], authority: [], additional: [], authenticated: false, ede }, ctx);
}

/** A header-only FORMERR for a message whose header is readable but whose body is not. */
export function headerOnlyResponse(bytes: Buffer, rcode: number): Buffer {
  const out = Buffer.alloc(12);
  bytes.copy(out, 0, 0, 2);
  const queryFlags = bytes.readUInt16BE(2);
  // Keep OPCODE and RD; set QR and the RCODE.
  out.writeUInt16BE(FLAG.QR | (queryFlags & (0x7800 | FLAG.RD)) | (rcode & 0xf), 2);
  return out;
}
