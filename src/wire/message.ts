/**
 * A facade over dns-packet: the one place that decodes and encodes DNS messages.
 * Decoding never throws past this file: malformed input becomes a `MalformedMessage` value.
 */
import dnsPacket from 'dns-packet';
import type { Packet, Answer, Question as PacketQuestion, RecordType } from 'dns-packet';
import { checkRdlengths, DROPPED_TYPE, markDropped } from './rdata-length.js';

/** A decoded DNS message (dns-packet's shape). */
export type Message = Packet & {
  id: number;
  flags: number;
  questions: PacketQuestion[];
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
};
export type Question = PacketQuestion;
export type Record = Answer;
export type RRType = RecordType;

/**
 * The value decodeMessage returns for bytes that are not a DNS message. A plain value, not an Error:
 * a flood of garbage packets must not cost a captured stack trace each.
 */
export class MalformedMessage {
  readonly message: string;
  constructor(reason: string) {
    this.message = `malformed DNS message: ${reason}`;
  }
  toString(): string { return this.message; }
}

/** Decodes bytes into a Message, or returns why they are not one. Never throws. */
export function decodeMessage(buf: Buffer): Message | MalformedMessage {
  if (buf.length < 12) return new MalformedMessage(`${buf.length} octets, shorter than a header`);
  const { lie, wrongSize } = checkRdlengths(buf);
  if (lie !== undefined) return new MalformedMessage(lie);
  try {
    const msg = dnsPacket.decode(wrongSize.length > 0 ? markDropped(buf, wrongSize) : buf) as Message;
    // dns-packet reads past a cut-off message (out-of-range octets read as garbage, not errors).
    const used = (dnsPacket.decode as unknown as { bytes: number }).bytes;
    if (used > buf.length) return new MalformedMessage(`records run past the end (${used} of ${buf.length} octets)`);
    msg.answers = withoutDropped(msg.answers ?? []);
    msg.authorities = withoutDropped(msg.authorities ?? []);
    msg.additionals = withoutDropped(msg.additionals ?? []);
    msg.questions ??= [];
    return msg;
  } catch (err) {
    return new MalformedMessage(err instanceof Error ? err.message : String(err));
  }
}

const DROPPED: string = `UNKNOWN_${DROPPED_TYPE}`;

/** The records of a section without those marked dropped (an A/AAAA of the wrong length, rdata-length.ts). */
function withoutDropped(records: Record[]): Record[] {
  const dropped = (rr: Record): boolean => (rr.type as string) === DROPPED;
  return records.some(dropped) ? records.filter((rr) => !dropped(rr)) : records;
}

/** Encodes a Message to bytes (no name compression: dns-packet has none). */
export function encodeMessage(msg: Packet): Buffer {
  return dnsPacket.encode(msg);
}

/** Header flag bits in the 16-bit flags word (RFC 1035 §4.1.1, RFC 4035 §3.2). */
export const FLAG = {
  QR: 1 << 15,
  AA: 1 << 10,
  TC: 1 << 9,
  RD: 1 << 8,
  RA: 1 << 7,
  AD: 1 << 5,
  CD: 1 << 4,
} as const;

/** Response codes (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS in the extended rcode). */
export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
  BADVERS: 16,
} as const;

const RCODE_MNEMONICS = ['NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED', 'YXDOMAIN', 'YXRRSET', 'NXRRSET', 'NOTAUTH', 'NOTZONE'];

/** The name of a header RCODE (0..15; RFC 6895 §2.3), `RCODEn` for the unassigned ones. */
export function rcodeMnemonic(code: number): string {
  return RCODE_MNEMONICS[code] ?? `RCODE${code}`;
}

/** The OPCODE field of a flags word. */
export function opcodeOf(flags: number): number {
  return (flags >> 11) & 0xf;
}

/** The low 4 bits of RCODE in a flags word. */
export function rcodeOf(flags: number): number {
  return flags & 0xf;
}
