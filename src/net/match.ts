/**
 * Accepting a reply (RFC 5452 §9.1, RFC 7766 §7): the response bit, the ID we chose and the question
 * we asked. Names compare case-insensitively here; a 0x20 check (exact case) is upstream policy.
 * Also maps socket errors to NetErrorCode values.
 */
import { peekId, peekQuestion, type RawQuestion } from '../wire/index.js';
import type { NetErrorCode } from './types.js';

/** True when `reply` is a response with `id` to `question`. */
export function isReplyTo(reply: Buffer, id: number, question: RawQuestion): boolean {
  if (reply.length < 12 || peekId(reply) !== id || (reply[2] & 0x80) === 0) return false;
  const q = peekQuestion(reply);
  return q !== null && q.type === question.type && q.class === question.class
    && q.name.length === question.name.length && q.name.toLowerCase() === question.name.toLowerCase();
}

/** The NetErrorCode for a socket error; `tlsHandshaking` marks errors before the TLS handshake ended. */
export function errorCodeOf(err: unknown, tlsHandshaking = false): NetErrorCode {
  if (tlsHandshaking) return 'tls-handshake';
  const code = (err as { code?: unknown } | null)?.code;
  switch (code) {
    case 'ECONNREFUSED': return 'connect-refused';
    case 'ETIMEDOUT': return 'connect-timeout';
    case 'ECONNRESET': case 'EPIPE': case 'ECONNABORTED': return 'reset';
    default:
      return typeof code === 'string' && (code.startsWith('ERR_SSL') || code.startsWith('ERR_TLS'))
        ? 'tls-handshake' : 'network';
  }
}
