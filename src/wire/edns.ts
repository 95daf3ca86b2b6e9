/**
 * EDNS(0) (RFC 6891) and the options Ward speaks: keepalive (RFC 7828), padding (RFC 7830 with the
 * block policy of RFC 8467 §4.1), Extended DNS Errors (RFC 8914) and cookies (RFC 7873).
 */
import type { Message, Record } from './message.js';
import { answerStart, recordCount, recordEnd, recordFields } from './peek.js';

export const OPTION = {
  COOKIE: 10,
  KEEPALIVE: 11,
  PADDING: 12,
  EDE: 15,
} as const;

/** RFC 8467 §4.1: clients pad queries to a multiple of 128 octets, servers pad responses to 468. */
export const QUERY_PADDING_BLOCK = 128;
export const RESPONSE_PADDING_BLOCK = 468;

/** An EDNS option as dns-packet decodes it. */
export interface EdnsOption { code: number; data?: Buffer; timeout?: number; length?: number; [k: string]: unknown }

/** The OPT pseudo-record as dns-packet represents it. */
export interface OptRecord {
  type: 'OPT';
  name: '.';
  udpPayloadSize: number;
  extendedRcode?: number;
  ednsVersion?: number;
  flags?: number;
  flag_do?: boolean;
  options: EdnsOption[];
}

/** The DO bit in the OPT record's flags (RFC 3225). */
export const DO_FLAG = 0x8000;

/** The message's OPT record, if it has exactly one (several is FORMERR per RFC 6891 §6.1.1). */
export function findOpt(msg: Message): OptRecord | undefined {
  let found: OptRecord | undefined;
  for (const rr of msg.additionals) {
    if (rr.type === 'OPT') {
      if (found) return undefined;
      found = rr as unknown as OptRecord;
    }
  }
  return found;
}

/** How many OPT records the message carries. */
export function countOpt(msg: Message): number {
  let n = 0;
  for (const rr of msg.additionals) if (rr.type === 'OPT') n++;
  return n;
}

/** The option with `code`, if present. */
export function findOption(opt: OptRecord | undefined, code: number): EdnsOption | undefined {
  if (!opt) return undefined;
  for (const o of opt.options ?? []) if (optionCode(o) === code) return o;
  return undefined;
}

function optionCode(o: EdnsOption): number {
  return typeof o.code === 'number' ? o.code : Number(o.code);
}

/** Builds an OPT record. */
export function makeOpt(udpPayloadSize: number, dnssecOk: boolean, options: EdnsOption[] = []): OptRecord {
  return {
    type: 'OPT', name: '.', udpPayloadSize, extendedRcode: 0, ednsVersion: 0,
    flags: dnssecOk ? DO_FLAG : 0, options,
  };
}

/** A keepalive option carrying `timeoutMs` (RFC 7828 §3.1: units of 100 ms). */
export function keepaliveOption(timeoutMs: number): EdnsOption {
  return { code: OPTION.KEEPALIVE, timeout: Math.min(0xffff, Math.floor(timeoutMs / 100)) };
}

/** An RFC 8914 Extended DNS Error: info code and optional text. */
export interface ExtendedError { infoCode: number; extraText?: string }

/** The RFC 8914 §4 info codes Ward uses (one registry for the server, resolver and validator). */
export const EDE_CODE = {
  OTHER: 0,
  UNSUPPORTED_DNSKEY_ALGORITHM: 1,
  UNSUPPORTED_DS_DIGEST: 2,
  STALE_ANSWER: 3,
  DNSSEC_BOGUS: 6,
  SIGNATURE_EXPIRED: 7,
  SIGNATURE_NOT_YET_VALID: 8,
  DNSKEY_MISSING: 9,
  RRSIGS_MISSING: 10,
  NSEC_MISSING: 12,
  BLOCKED: 15,
  FILTERED: 17,
  PROHIBITED: 18,
  NOT_AUTHORITATIVE: 20,
  NO_REACHABLE_AUTHORITY: 22,
  NETWORK_ERROR: 23,
} as const;

/** An Extended DNS Error option (RFC 8914 §2). */
export function edeOption(infoCode: number, extraText = ''): EdnsOption {
  const text = Buffer.from(extraText, 'utf8');
  const data = Buffer.allocUnsafe(2 + text.length);
  data.writeUInt16BE(infoCode, 0);
  text.copy(data, 2);
  return { code: OPTION.EDE, data };
}

/** Reads an EDE option back: info code and text. */
export function readEde(o: EdnsOption): { infoCode: number; extraText: string } | undefined {
  if (!o.data || o.data.length < 2) return undefined;
  return { infoCode: o.data.readUInt16BE(0), extraText: o.data.toString('utf8', 2) };
}

/** Offset of the RDLENGTH field of the message's last record when that record is an OPT, else -1. */
function lastOptRdlength(buf: Buffer): number {
  if (buf.length < 12 || buf.readUInt16BE(10) === 0) return -1;
  let off = answerStart(buf);
  let last = -1;
  for (let i = recordCount(buf); i > 0 && off >= 0; i--) {
    last = recordFields(buf, off);
    if (last < 0) return -1;
    off = recordEnd(buf, last);
  }
  if (off !== buf.length || last < 0 || buf.readUInt16BE(last) !== 41) return -1;
  return last + 8;
}

/**
 * Pads an encoded message to a multiple of `block` octets (RFC 7830 §3, RFC 8467 §4.1) by appending
 * a padding option to its OPT record, which must be the last record (as every encoder here puts it).
 * Works on the bytes, so it serves compressed replies and queries alike without a decode. Returns
 * the message unchanged when it has no OPT at the end or the padded size would exceed `maxSize`.
 */
export function padEncoded(buf: Buffer, block: number, maxSize = 65535): Buffer {
  const rdlengthAt = lastOptRdlength(buf);
  if (rdlengthAt < 0) return buf;
  const withHeader = buf.length + 4; // the padding option's own code and length
  const padLen = (block - (withHeader % block)) % block;
  if (withHeader + padLen > maxSize) return buf;
  const out = Buffer.alloc(withHeader + padLen);
  buf.copy(out);
  out.writeUInt16BE(buf.readUInt16BE(rdlengthAt) + 4 + padLen, rdlengthAt);
  out.writeUInt16BE(OPTION.PADDING, buf.length);
  out.writeUInt16BE(padLen, buf.length + 2);
  return out;
}

/** Builds the extended record list entry for an OPT record (typed as a Record for dns-packet). */
export function optAsRecord(opt: OptRecord): Record {
  return opt as unknown as Record;
}

