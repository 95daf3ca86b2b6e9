/** Readers over a decoded upstream reply: RCODE, AA/RA, and whether it answers the question asked. */
import type { Message } from '../wire/index.js';
import { FLAG, RCODE, nameEquals, rcodeOf } from '../wire/index.js';

/** The reply's RCODE (from the flags word, or dns-packet's decoded name when only that is set). */
export function replyRcode(msg: Message): number {
  const fromFlags = rcodeOf(msg.flags ?? 0);
  const named = (msg as { rcode?: string }).rcode;
  if (fromFlags === 0 && typeof named === 'string' && named in RCODE) return RCODE[named as keyof typeof RCODE];
  return fromFlags;
}

export function isAuthoritative(msg: Message): boolean {
  return ((msg.flags ?? 0) & FLAG.AA) !== 0 || (msg as { flag_aa?: boolean }).flag_aa === true;
}

export function recursionAvailable(msg: Message): boolean {
  return ((msg.flags ?? 0) & FLAG.RA) !== 0 || (msg as { flag_ra?: boolean }).flag_ra === true;
}

/** RFC 5452 §9.1: accept a reply only when it carries the question that was asked. */
export function answersQuestion(msg: Message, name: string, type: string): boolean {
  const q = msg.questions[0];
  return msg.questions.length === 1 && q !== undefined && q.type === type && nameEquals(q.name, name);
}
