/**
 * The shared tier's unit: a whole answer to one question (as Unbound's cachedb stores messages),
 * keyed by prefix + lowercased name + type + class, stored as
 *   octet 0     format (1)
 *   octet 1     DNSSEC state as validated by the writer: 1 secure, 2 insecure
 *   octets 2-9  wall-clock ms when written (float64, big-endian)
 *   the rest    a DNS response in wire form: the question, RCODE, and the records with their TTLs as written.
 * The answer carries its RRSIGs whatever the client asked: DO, CD and AD shape the reply per client
 * afterwards, so they are not part of the key. What is read back is untrusted input: it must be
 * this format, answer this very question, and have every TTL still running; TTLs are lowered by the
 * whole seconds since it was written (RFC 1035 §3.2.1: a TTL counts down).
 */
import type { Record } from '../wire/index.js';
import { decodeMessage, encodeMessage, MalformedMessage, normalizeName, RCODE, ttlOf } from '../wire/index.js';

export interface SharedQuestion { name: string; type: string; class: string }

/** A validated answer as the shared tier holds it; only secure or insecure data is ever written. */
export interface SharedAnswer {
  rcode: number;
  answer: Record[];
  authority: Record[];
  additional: Record[];
  security: 'secure' | 'insecure';
}

const FORMAT = 1;
const HEADER = 10;
const SECURITY_CODES = { secure: 1, insecure: 2 } as const;

export function sharedKey(prefix: string, q: SharedQuestion): string {
  return `${prefix}${normalizeName(q.name)}|${q.type}|${q.class}`;
}

/** What a flush removes from the tier: one name (one type or all), everything at and below it, or every entry. */
export interface SharedFlush { name?: string; type?: string; subtree?: boolean; all?: boolean }

/** The glob patterns (Redis MATCH) of the keys `f` names, in sharedKey's form. */
export function sharedKeyPatterns(prefix: string, f: SharedFlush): string[] {
  const p = globEscape(prefix);
  const name = normalizeName(f.name ?? '');
  if (f.all || (f.subtree && name === '')) return [`${p}*`];
  const rest = `|${f.type === undefined ? '*' : globEscape(f.type)}|*`;
  const exact = `${p}${globEscape(name)}${rest}`;
  return f.subtree ? [exact, `${p}*.${globEscape(name)}${rest}`] : [exact];
}

/** A literal for Redis's glob matching (stringmatchlen: `\` escapes the next character). */
const globEscape = (s: string): string => s.replace(/[*?[\]\\]/g, '\\$&');

/** The smallest TTL of the answer's records (undefined without records). */
export function smallestTtl(a: Pick<SharedAnswer, 'answer' | 'authority' | 'additional'>): number | undefined {
  let min: number | undefined;
  for (const rr of [...a.answer, ...a.authority, ...a.additional]) if (min === undefined || ttlOf(rr) < min) min = ttlOf(rr);
  return min;
}

/**
 * A tier of whole answers the resolver asks after its own cache missed, before resolving, and
 * fills with what it resolved: cache.shared (Redis) and the other workers' answers (peer-answers.ts).
 */
export interface AnswerTier {
  /** The answer to `q`, TTLs counted down; undefined for anything else. Never rejects. */
  lookup(q: SharedQuestion): Promise<SharedAnswer | undefined> | SharedAnswer | undefined;
  /** Offers a validated answer resolved here (fire-and-forget). */
  write(q: SharedQuestion, a: SharedAnswer): void;
  /** A hit for `q` is now in the local cache: the tier may drop its own copy. */
  kept?(q: SharedQuestion): void;
}

/** The stored form of `a` and how long it may live, or undefined when it is not to be stored. */
export function storable(q: SharedQuestion, a: SharedAnswer, nowMs: number): { value: Buffer; ttlMs: number } | undefined {
  const ttl = smallestTtl(a);
  if (ttl === undefined || ttl <= 0) return undefined; // RFC 1035 §3.2.1: TTL 0 is not to be cached
  const value = encodeShared(q, a, nowMs);
  return value === undefined ? undefined : { value, ttlMs: ttl * 1000 };
}

/** The stored form of an answer, or undefined when its records cannot be encoded. */
export function encodeShared(q: SharedQuestion, a: SharedAnswer, storedAtMs: number): Buffer | undefined {
  let wire: Buffer;
  try {
    wire = encodeMessage({
      type: 'response', id: 0, flags: a.rcode, questions: [{ name: q.name, type: q.type, class: q.class }] as never,
      answers: a.answer, authorities: a.authority, additionals: a.additional,
    });
  } catch {
    return undefined;
  }
  const head = Buffer.alloc(HEADER);
  head[0] = FORMAT;
  head[1] = SECURITY_CODES[a.security];
  head.writeDoubleBE(storedAtMs, 2);
  return Buffer.concat([head, wire]);
}

/** Why a stored value is not served: not this format or question, or a TTL ran out. */
export type Unusable = 'malformed' | 'expired';

/** The answer a stored value holds for `q` at `nowMs`, TTLs counted down; or why it is unusable. */
export function decodeShared(q: SharedQuestion, value: Buffer, nowMs: number): SharedAnswer | Unusable {
  if (value.length < HEADER + 12 || value[0] !== FORMAT) return 'malformed';
  const security = value[1] === SECURITY_CODES.secure ? 'secure' : value[1] === SECURITY_CODES.insecure ? 'insecure' : undefined;
  const storedAt = value.readDoubleBE(2);
  if (security === undefined || !Number.isFinite(storedAt)) return 'malformed';
  const msg = decodeMessage(value.subarray(HEADER));
  if (msg instanceof MalformedMessage) return 'malformed';
  const asked = msg.questions[0];
  const rcode = msg.flags & 0xf;
  const sameQuestion = msg.questions.length === 1 && normalizeName(asked.name) === normalizeName(q.name) && asked.type === q.type && asked.class === q.class;
  if (!sameQuestion || (rcode !== RCODE.NOERROR && rcode !== RCODE.NXDOMAIN)) return 'malformed';
  const stored = { answer: msg.answers, authority: msg.authorities, additional: msg.additionals.filter((rr) => rr.type !== 'OPT') };
  const min = smallestTtl(stored);
  if (min === undefined) return 'malformed';
  // A writer whose clock runs ahead of ours: its entry is as fresh as can be, not from the future.
  const age = Math.max(0, Math.floor((nowMs - storedAt) / 1000));
  if (min <= age) return 'expired';
  const lower = (rrs: Record[]): Record[] => rrs.map((rr) => ({ ...rr, ttl: ttlOf(rr) - age }) as Record);
  return { rcode, answer: lower(stored.answer), authority: lower(stored.authority), additional: lower(stored.additional), security };
}
