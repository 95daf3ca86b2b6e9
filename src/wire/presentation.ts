/**
 * Zone-file presentation format (RFC 1035 §5.1, RFC 3597 §5) to dns-packet records: for root
 * hints, trust anchors, local zones and scenario files. Owner, optional TTL and class in either
 * order, type, RDATA; `$ORIGIN`, `$TTL`, `@`, relative names, a blank owner repeating the previous
 * one. Records come out exactly as dns-packet decodes them (names without the trailing dot, the root
 * as '.'), because the RDATA is built as octets and decoded by dns-packet itself. The way back to
 * text is formatRecord (presentation-format.ts).
 * Errors are WardError('ERR_PRESENTATION') naming the line. No I/O.
 */
import dnsPacket from 'dns-packet';
import { WardError } from '../util/index.js';
import type { Record } from './message.js';
import { rdataText } from './record.js';
import { lexEntries, type Entry, type Token } from './presentation-lexer.js';
import { TYPES } from './rr-types.js';
import { isTtl, nameWire, parseTtl, rdataWire, syntax, typeNumber } from './presentation-rdata.js';

export { formatRecord } from './presentation-format.js';

export interface PresentationOptions {
  /** Origin for relative names and '@' (absolute, trailing dot optional); default the root. */
  origin?: string;
  /** TTL when a record has none and no `$TTL` was seen; default 3600. */
  defaultTtl?: number;
  /** Line number of the text's first line, for error messages; default 1. */
  firstLine?: number;
}

/** The parts of dns-packet's module that @types/dns-packet leaves out. */
interface Decoder {
  answer: { decode(buf: Buffer, offset?: number): Record };
  name: { decode(buf: Buffer, offset?: number): string };
}
const decoder = dnsPacket as unknown as Decoder;

const CLASSES: { [k: string]: number } = { IN: 1, CS: 2, CH: 3, HS: 4, ANY: 255 };

/** Class number of a mnemonic or CLASSnnn, or undefined when the token is no class. */
function classNumber(text: string): number | undefined {
  const up = text.toUpperCase();
  if (CLASSES[up] !== undefined) return CLASSES[up];
  const m = /^CLASS(\d+)$/.exec(up);
  if (!m) return undefined;
  const n = Number(m[1]);
  if (!Object.values(CLASSES).includes(n)) syntax(`class ${text} is not supported`);
  return n;
}

/** A name in dns-packet's string form: no trailing dot, the root as '.'. */
export function parseName(text: string, origin = '.'): string {
  return decodeName(nameWire(text, originWire(origin)));
}

function originWire(origin: string): Buffer {
  const abs = origin.endsWith('.') ? origin : origin + '.';
  return nameWire(abs, Buffer.from([0]));
}

function decodeName(wire: Buffer): string {
  return decoder.name.decode(wire);
}

/** Parser state carried between entries of one text. */
interface State { origin: Buffer; ttl?: number; lastTtl?: number; owner?: Buffer; defaultTtl: number }

/** Parses one entry into a record (or applies a directive and returns undefined). */
function parseEntry(e: Entry, st: State): Record | undefined {
  const toks = e.tokens;
  const first = toks[0].text;
  if (!toks[0].quoted && first.startsWith('$')) {
    const arg = toks[1]?.text ?? syntax(`${first} needs an argument`);
    if (first.toUpperCase() === '$ORIGIN') st.origin = nameWire(arg, st.origin);
    else if (first.toUpperCase() === '$TTL') st.ttl = parseTtl(arg);
    else syntax(`directive ${first} is not supported`);
    return undefined;
  }
  let i = 0;
  if (!e.blankOwner) st.owner = nameWire(toks[i++].text, st.origin);
  const owner = st.owner ?? syntax('no owner name');
  let ttl: number | undefined;
  let klass: number | undefined;
  for (let k = 0; k < 2 && i < toks.length; k++) {
    const t = toks[i].text;
    if (ttl === undefined && isTtl(t)) { ttl = parseTtl(t); i++; continue; }
    const c = klass === undefined ? classNumber(t) : undefined;
    if (c !== undefined) { klass = c; i++; continue; }
    break;
  }
  const typeTok = toks[i++] ?? syntax('missing type');
  const type = typeNumber(typeTok.text);
  if (type === 41) syntax('OPT has no presentation form');
  const rdata = rdataWire(type, toks.slice(i), st.origin);
  const finalTtl = ttl ?? st.ttl ?? st.lastTtl ?? st.defaultTtl;
  st.lastTtl = finalTtl;
  return wireRecord(owner, type, klass ?? 1, finalTtl, rdata);
}

/** Decodes one record from its parts with dns-packet (the one source of the record shape). */
function wireRecord(owner: Buffer, type: number, klass: number, ttl: number, rdata: Buffer): Record {
  if (rdata.length > 0xffff) syntax('RDATA longer than 65535 octets');
  const fixed = Buffer.alloc(10);
  fixed.writeUInt16BE(type, 0);
  fixed.writeUInt16BE(klass, 2);
  fixed.writeUInt32BE(ttl, 4);
  fixed.writeUInt16BE(rdata.length, 8);
  const rr = Buffer.concat([owner, fixed, rdata]);
  try {
    const decoded = decoder.answer.decode(rr);
    // dns-packet reads A and AAAA by their fixed size whatever the length: `\# 3 030405` for an A
    // must stay three octets, not become a four-octet address.
    if ((decoder.answer.decode as unknown as { bytes: number }).bytes !== rr.length) throw new Error('length');
    return decoded;
  } catch {
    // RDATA dns-packet refuses (a DNSKEY with protocol 0, say) or would resize: keep the octets in
    // the generic form, which encodes back to the same wire bytes.
    fixed.writeUInt16BE(0xffff, 0);
    const generic = decoder.answer.decode(Buffer.concat([owner, fixed, rdata]));
    return { ...generic, type: `UNKNOWN_${type}` } as unknown as Record;
  }
}

/** Runs `fn`, prefixing the entry's line number to a presentation error. */
function withLine<T>(e: { line: number }, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof WardError && err.code === 'ERR_PRESENTATION' && !err.message.startsWith('line ')) {
      throw new WardError('ERR_PRESENTATION', `line ${e.line}: ${err.message}`);
    }
    throw err;
  }
}

/** Parses a zone-file text into records, in order; the first bad entry throws, naming its line. */
export function parseZone(text: string, opts: PresentationOptions = {}): Record[] {
  const { records, bad } = parseZoneLines(text, opts);
  if (bad.length > 0) throw new WardError('ERR_PRESENTATION', bad[0].why);
  return records.map((r) => r.rr);
}

/**
 * Parses a zone-file text keeping going past bad entries: the records with their line numbers, and
 * each bad entry's line and error (RPZ feeds and other lists from outside are parsed this way).
 */
export function parseZoneLines(text: string, opts: PresentationOptions = {}): { records: { rr: Record; line: number }[]; bad: { line: number; why: string }[] } {
  const st: State = { origin: originWire(opts.origin ?? '.'), defaultTtl: opts.defaultTtl ?? 3600 };
  const records: { rr: Record; line: number }[] = [];
  const bad: { line: number; why: string }[] = [];
  for (const e of lexEntries(text, opts.firstLine)) {
    try {
      const rr = withLine(e, () => parseEntry(e, st));
      if (rr) records.push({ rr, line: e.line });
    } catch (err) {
      if (!(err instanceof WardError) || err.code !== 'ERR_PRESENTATION') throw err;
      bad.push({ line: e.line, why: err.message });
    }
  }
  return { records, bad };
}

/** Parses exactly one record (the text may span lines inside parentheses). */
export function parseRecord(text: string, opts: PresentationOptions = {}): Record {
  const rrs = parseZone(text, opts);
  if (rrs.length !== 1) {
    throw new WardError('ERR_PRESENTATION', `line ${opts.firstLine ?? 1}: expected one record, found ${rrs.length}`);
  }
  return rrs[0];
}

/** A question line `name [class] type` (no RDATA), as in scenario files. */
export function parseQuestion(text: string, opts: PresentationOptions = {}): { name: string; type: string; class: string } {
  const entries = lexEntries(text, opts.firstLine);
  if (entries.length !== 1) syntax(`line ${opts.firstLine ?? 1}: expected one question`);
  const e = entries[0];
  return withLine(e, () => {
    const toks: Token[] = e.tokens;
    if (toks.length < 2) syntax('question needs a name and a type');
    let klass = 1;
    for (const t of toks.slice(1, -1)) klass = classNumber(t.text) ?? syntax(`unexpected "${t.text}" in question`);
    return {
      name: parseName(toks[0].text, opts.origin),
      type: TYPES.toString(typeNumber(toks[toks.length - 1].text)),
      class: Object.keys(CLASSES).find((k) => CLASSES[k] === klass) as string,
    };
  });
}

/** Root hints from a named.root-style text: each root NS with its A/AAAA addresses, in file order. */
export function parseRootHints(text: string): { name: string; addresses: string[] }[] {
  const rrs = parseZone(text);
  const hints = rrs
    .filter((rr) => rr.type === 'NS' && rr.name === '.')
    .map((rr) => ({ name: rdataText(rr), addresses: [] as string[] }));
  for (const rr of rrs) {
    if (rr.type !== 'A' && rr.type !== 'AAAA') continue;
    const h = hints.find((x) => x.name.toLowerCase() === rr.name.toLowerCase());
    if (h) h.addresses.push(rdataText(rr));
  }
  return hints;
}
