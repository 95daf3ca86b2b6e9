/**
 * Deckard's message semantics for scenario entries (pydnstest/matchpart.py and Entry.reply):
 * matching a message against an entry's MATCH list, and building the scripted reply an entry gives
 * to a query (ADJUST copy_id / copy_query / raw_id). Records compare as in dnspython: TTL ignored,
 * owner and RDATA names case-insensitive, sections as sets of the same size. `MATCH ttl` keeps
 * Unbound testbound's meaning (answer section compared with TTLs); Deckard's files do not use it.
 */
import dnsPacket from 'dns-packet';
import {
  encodeMessage, findOpt, formatRecord, makeOpt, optAsRecord, opcodeOf, rcodeOf, normalizeName, isSubdomain, FLAG, DO_FLAG,
  type Message, type Record,
} from '../../src/wire/index.js';
import type { Transport } from '../../src/net/index.js';
import type { RplEntry } from './rpl-parse.js';
import { edeCodes } from '../helpers/hostile-world.js';

const HEADER_FLAGS: [string, number][] = [
  ['QR', FLAG.QR], ['AA', FLAG.AA], ['TC', FLAG.TC], ['RD', FLAG.RD], ['RA', FLAG.RA], ['AD', FLAG.AD], ['CD', FLAG.CD],
];

/** The header flags of a decoded message as text (dns-packet keeps QR in `type`). */
export function flagsText(flags: number, qr: boolean): string {
  const f = (flags & ~FLAG.QR) | (qr ? FLAG.QR : 0);
  return HEADER_FLAGS.filter(([, bit]) => f & bit).map(([n]) => n).join(' ');
}

/** The full RCODE (extended bits from OPT, RFC 6891 §6.1.3). */
export function fullRcode(msg: Message): number {
  return ((findOpt(msg)?.extendedRcode ?? 0) << 4) | rcodeOf(msg.flags);
}

type Codec = { encode(data: unknown): Buffer };
const record = (dnsPacket as unknown as { record(t: string): Codec }).record;

/** Fields of RDATA that are domain names compared case-insensitively (RFC 4034 §6.2 list). */
const NAME_FIELDS: { [type: string]: string[] | true } = {
  NS: true, CNAME: true, DNAME: true, PTR: true, MX: ['exchange'], SRV: ['target'], SOA: ['mname', 'rname'],
  RRSIG: ['signersName'], NSEC: ['nextDomain'],
};

/** A comparison key of one record: owner, type, class and RDATA octets, TTL left out. */
export function recordKey(rr: Record): string {
  const r = rr as unknown as { name: string; type: string; class?: string; data: unknown };
  let data = r.data;
  const nf = NAME_FIELDS[r.type];
  if (nf === true) data = String(data).toLowerCase();
  else if (nf && data && typeof data === 'object') {
    const copy: { [k: string]: unknown } = { ...(data as object) };
    for (const k of nf) if (typeof copy[k] === 'string') copy[k] = (copy[k] as string).toLowerCase();
    data = copy;
  }
  let hex: string;
  try {
    hex = record(r.type).encode(data).toString('hex');
  } catch {
    hex = JSON.stringify(data);
  }
  return `${normalizeName(r.name)}|${r.type}|${r.class ?? 'IN'}|${hex}`;
}

/** Deckard's compare_rrs: every expected record in got, every got record in expected, same count. */
function sameRecords(exp: Record[], got: Record[], withTtl = false): boolean {
  const key = (rr: Record): string => recordKey(rr) + (withTtl ? `|${ttlOf(rr)}` : '');
  const e = exp.map(key);
  const g = got.filter((rr) => rr.type !== 'OPT').map(key);
  return e.length === g.length && e.every((k) => g.includes(k)) && g.every((k) => e.includes(k));
}

function ttlOf(rr: Record): number | undefined {
  return (rr as { ttl?: number }).ttl;
}

function show(rrs: Record[], withTtl = false): string {
  const text = rrs.filter((rr) => rr.type !== 'OPT').map((rr) => {
    const line = formatRecord(rr);
    return withTtl ? line : line.replace(/^(\S+) \d+ /, '$1 ');
  });
  return text.length > 0 ? text.join('; ') : '(empty)';
}

/** Why `msg` does not match `entry` under its MATCH list, or undefined when it does. */
export function mismatch(entry: RplEntry, msg: Message, transport: Transport = 'udp'): string | undefined {
  const eq = entry.question[0];
  const gq = msg.questions[0];
  for (const field of entry.match) {
    switch (field) {
      case 'opcode':
        if (opcodeOf(msg.flags) !== entry.opcode) return `opcode: expected ${entry.opcode} got ${opcodeOf(msg.flags)}`;
        break;
      case 'qtype':
        if (eq && eq.type !== gq?.type) return `qtype: expected ${eq.type} got ${gq?.type}`;
        break;
      case 'qname':
        if (eq && normalizeName(eq.name) !== normalizeName(gq?.name ?? '')) return `qname: expected ${eq.name} got ${gq?.name}`;
        break;
      case 'qcase':
        if (eq && eq.name.replace(/\.$/, '') !== (gq?.name ?? '').replace(/\.$/, '')) return `qcase: expected ${eq.name} got ${gq?.name}`;
        break;
      case 'subdomain':
        if (eq && !isSubdomain(normalizeName(gq?.name ?? ''), normalizeName(eq.name))) return `subdomain: ${gq?.name} not under ${eq.name}`;
        break;
      case 'flags': {
        const exp = flagsText(entry.flags, (entry.flags & FLAG.QR) !== 0);
        const got = flagsText(msg.flags, msg.type === 'response');
        if (exp !== got) return `flags: expected "${exp}" got "${got}"`;
        break;
      }
      case 'rcode':
        if (fullRcode(msg) !== entry.rcode) return `rcode: expected ${entry.rcode} got ${fullRcode(msg)}`;
        break;
      case 'answer':
        if (!sameRecords(entry.answer, msg.answers)) return `answer: expected ${show(entry.answer)} got ${show(msg.answers)}`;
        break;
      case 'ttl': // Unbound testbound's meaning: the answer section with TTLs compared too
        if (!sameRecords(entry.answer, msg.answers, true)) return `ttl: expected ${show(entry.answer, true)} got ${show(msg.answers, true)}`;
        break;
      case 'authority':
        if (!sameRecords(entry.authority, msg.authorities)) return `authority: expected ${show(entry.authority)} got ${show(msg.authorities)}`;
        break;
      case 'additional':
        if (!sameRecords(entry.additional, msg.additionals)) return `additional: expected ${show(entry.additional)} got ${show(msg.additionals)}`;
        break;
      case 'tcp': if (transport === 'udp') return 'tcp: query came over udp'; break;
      case 'udp': if (transport !== 'udp') return `udp: query came over ${transport}`; break;
      default: {
        // testbound's ede=N / ede=any: the answer carries that Extended DNS Error (RFC 8914).
        const ede = /^ede=(any|\d+)$/.exec(field);
        if (!ede) return `MATCH ${field} is not supported by this runner`;
        const codes = edeCodes(msg);
        if (ede[1] === 'any' ? codes.length === 0 : !codes.includes(Number(ede[1]))) return `ede: expected ${ede[1]} got [${codes.join(', ')}]`;
      }
    }
  }
  return undefined;
}

/** The octets `entry` sends in reply to `query` (Deckard's Entry.reply), undefined for do_not_answer. */
export function scriptedReply(entry: RplEntry, query: Message, bindsId = false): Buffer | undefined {
  if (entry.adjust.has('do_not_answer')) return undefined;
  if (entry.raw) {
    const raw = Buffer.from(entry.raw);
    if ((bindsId || entry.adjust.has('raw_id')) && raw.length >= 2) raw.writeUInt16BE(query.id, 0);
    return raw;
  }
  const copyId = entry.adjust.has('copy_id');
  const copyQuery = entry.adjust.has('copy_query');
  let questions = entry.question;
  if (copyId && questions.length > 0 && query.questions[0]) questions = [{ ...questions[0], name: query.questions[0].name }, ...questions.slice(1)];
  if (copyQuery) questions = query.questions;
  const additionals = [...entry.additional];
  // Deckard's adjust_reply copies the query's EDNS (presence and flags); a template keeps its own.
  const queryOpt = findOpt(query);
  const edns = copyId || copyQuery ? queryOpt !== undefined : entry.edns;
  if (edns) {
    const dnssecOk = copyId || copyQuery ? ((queryOpt?.flags ?? 0) & DO_FLAG) !== 0 : entry.do;
    const opt = makeOpt(4096, dnssecOk);
    opt.extendedRcode = entry.rcode >> 4;
    additionals.push(optAsRecord(opt));
  }
  return encodeMessage({
    id: copyId || bindsId ? query.id : 0,
    type: entry.flags & FLAG.QR ? 'response' : 'query',
    flags: (entry.flags & ~FLAG.QR) | ((entry.opcode & 0xf) << 11) | (entry.rcode & 0xf),
    questions, answers: entry.answer, authorities: entry.authority, additionals,
  });
}
