/**
 * Presentation-format fields to wire octets: names (RFC 1035 §5.1 escapes, relative names),
 * character-strings, TTLs, and the RDATA of each supported type (RFC 1035 §3.3, RFC 3596, RFC 2782,
 * RFC 8659, RFC 4034 §2.2/§3.2/§4.2/§5.3, RFC 5155 §3.3/§4.3, RFC 4255, RFC 6698) plus the generic
 * `\# len hex` form of RFC 3597 §5. The caller decodes the octets with dns-packet, so every record
 * ends up in exactly dns-packet's shape. No I/O.
 */
import { isIPv4, isIPv6 } from 'node:net';
import dnsPacket from 'dns-packet';
import { WardError } from '../util/index.js';
import type { Token } from './presentation-lexer.js';

import { typeMnemonic, typeOfMnemonic } from './rr-types.js';

interface Codec { encode(data: unknown): Buffer }
const codecOf = (dnsPacket as unknown as { record(type: string): Codec }).record;

/** Thrown for any text that does not parse; the caller adds the line number. */
export function syntax(msg: string): never {
  throw new WardError('ERR_PRESENTATION', msg);
}

/** The type number of a mnemonic or `TYPEnnn` (RFC 3597 §5). */
export function typeNumber(text: string): number {
  const up = text.toUpperCase();
  const m = /^TYPE(\d+)$/.exec(up);
  if (m) {
    const n = Number(m[1]);
    if (n > 0xffff) syntax(`type ${text} out of range`);
    return n;
  }
  const n = typeOfMnemonic(up);
  if (n === 0 || up === '*') syntax(`unknown type ${text} (write it as TYPEnnn, RFC 3597 §5)`);
  return n;
}

/** Reads a token with escapes (`\X`, `\DDD`, RFC 1035 §5.1) into octets. */
function unescape(text: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') { for (const b of Buffer.from(c, 'utf8')) out.push(b); continue; }
    const ddd = /^\d{3}/.exec(text.slice(i + 1, i + 4));
    if (ddd) {
      const v = Number(ddd[0]);
      if (v > 255) syntax(`bad escape \\${ddd[0]}`);
      out.push(v);
      i += 3;
    } else if (i + 1 < text.length) {
      out.push(text.charCodeAt(++i));
    } else syntax('dangling backslash');
  }
  return out;
}

/** Splits a name at unescaped dots; returns raw label texts and whether it ended with a dot. */
function splitLabels(text: string): { labels: string[]; absolute: boolean } {
  const labels: string[] = [];
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\') { cur += c + (text[i + 1] ?? ''); i++; continue; }
    if (c === '.') {
      if (cur === '') syntax(`empty label in name ${text}`);
      labels.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  if (cur !== '') labels.push(cur);
  return { labels, absolute: text.endsWith('.') && !text.endsWith('\\.') };
}

/** A name in wire form (no compression). `origin` is wire form; '@' is the origin. */
export function nameWire(text: string, origin: Buffer): Buffer {
  if (text === '@') return origin;
  if (text === '.') return Buffer.from([0]);
  const { labels, absolute } = splitLabels(text);
  const parts: number[] = [];
  for (const l of labels) {
    const b = unescape(l);
    if (b.length > 63) syntax(`label longer than 63 octets in ${text}`);
    parts.push(b.length, ...b);
  }
  const wire = Buffer.concat([Buffer.from(parts), absolute ? Buffer.from([0]) : origin]);
  if (wire.length > 255) syntax(`name longer than 255 octets: ${text}`);
  return wire;
}

/** A TTL: seconds, or BIND units (1w2d3h4m5s). */
export function parseTtl(text: string): number {
  if (/^\d+$/.test(text)) return checkU32(Number(text), text);
  const re = /(\d+)([wdhms])/gi;
  if (!/^(\d+[wdhms])+$/i.test(text)) syntax(`bad TTL ${text}`);
  const unit: { [u: string]: number } = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
  let total = 0;
  for (const m of text.matchAll(re)) total += Number(m[1]) * unit[m[2].toLowerCase()];
  return checkU32(total, text);
}

function checkU32(n: number, text: string): number {
  if (!Number.isSafeInteger(n) || n > 0xffffffff) syntax(`value out of range: ${text}`);
  return n;
}

/** True when the token looks like a TTL. */
export function isTtl(text: string): boolean {
  return /^\d+$/.test(text) || /^(\d+[wdhms])+$/i.test(text);
}

const ALGORITHMS: { [k: string]: number } = {
  RSAMD5: 1, DH: 2, DSA: 3, RSASHA1: 5, 'DSA-NSEC3-SHA1': 6, 'RSASHA1-NSEC3-SHA1': 7, RSASHA256: 8,
  RSASHA512: 10, 'ECC-GOST': 12, ECDSAP256SHA256: 13, ECDSAP384SHA384: 14, ED25519: 15, ED448: 16,
  INDIRECT: 252, PRIVATEDNS: 253, PRIVATEOID: 254,
};

/** Builds RDATA octets field by field from the remaining tokens of one entry. */
class RdataReader {
  private pos = 0;
  private readonly out: Buffer[] = [];
  constructor(private readonly tokens: Token[], private readonly origin: Buffer) {}

  private next(what: string): string {
    const t = this.tokens[this.pos++];
    if (t === undefined) syntax(`missing ${what}`);
    return t.text;
  }
  done(): boolean { return this.pos >= this.tokens.length; }
  end(): Buffer {
    if (!this.done()) syntax(`trailing data "${this.tokens[this.pos].text}"`);
    return Buffer.concat(this.out);
  }
  int(bytes: 1 | 2 | 4, what: string, text = this.next(what)): void {
    if (!/^\d+$/.test(text)) syntax(`bad ${what} ${text}`);
    const v = Number(text);
    if (v >= 2 ** (8 * bytes)) syntax(`${what} out of range: ${text}`);
    const b = Buffer.alloc(bytes);
    b.writeUIntBE(v, 0, bytes);
    this.out.push(b);
  }
  ttl(what: string): void { this.int(4, what, String(parseTtl(this.next(what)))); }
  algorithm(): void {
    const t = this.next('algorithm');
    this.int(1, 'algorithm', ALGORITHMS[t.toUpperCase()] !== undefined ? String(ALGORITHMS[t.toUpperCase()]) : t);
  }
  type(): void { this.int(2, 'type', String(typeNumber(this.next('type')))); }
  name(what: string): void { this.out.push(nameWire(this.next(what), this.origin)); }
  raw(b: Buffer): void { this.out.push(b); }
  address(family: 4 | 6): void {
    const t = this.next('address');
    if (family === 4 ? !isIPv4(t) : !isIPv6(t)) syntax(`bad IPv${family} address ${t}`);
    this.out.push(codecOf(family === 4 ? 'A' : 'AAAA').encode(t).subarray(2));
  }
  string(): void {
    const b = unescape(this.tokens[this.pos] === undefined ? syntax('missing string') : this.tokens[this.pos++].text);
    if (b.length > 255) syntax('character-string longer than 255 octets');
    this.out.push(Buffer.from([b.length, ...b]));
  }
  /** RRSIG times: YYYYMMDDHHmmSS (UTC) or seconds (RFC 4034 §3.2). */
  time(what: string): void {
    const t = this.next(what);
    const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(t);
    const secs = m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000 : t;
    this.int(4, what, String(secs));
  }
  /** All remaining tokens joined (base64, hex may contain blanks). */
  rest(what: string): string {
    if (this.done()) syntax(`missing ${what}`);
    const s = this.tokens.slice(this.pos).map((t) => t.text).join('');
    this.pos = this.tokens.length;
    return s;
  }
  hex(what: string, text = this.rest(what)): Buffer {
    if (!/^([0-9a-f]{2})*$/i.test(text)) syntax(`bad hex in ${what}`);
    return Buffer.from(text, 'hex');
  }
  base64(what: string): Buffer {
    const text = this.rest(what);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) syntax(`bad base64 in ${what}`);
    return Buffer.from(text, 'base64');
  }
  salt(): void {
    const t = this.next('salt');
    const b = t === '-' ? Buffer.alloc(0) : this.hex('salt', t);
    this.out.push(Buffer.from([b.length]), b);
  }
  base32hex(what: string): void {
    const b = base32hexDecode(this.next(what));
    this.out.push(Buffer.from([b.length]), b);
  }
  /** The type bitmap of NSEC/NSEC3 (RFC 4034 §4.1.2). */
  bitmap(): void {
    const windows = new Map<number, number[]>();
    while (!this.done()) {
      const t = typeNumber(this.next('type'));
      const w = windows.get(t >> 8) ?? [];
      const octet = (t & 0xff) >> 3;
      while (w.length <= octet) w.push(0);
      w[octet] |= 0x80 >> (t & 7);
      windows.set(t >> 8, w);
    }
    for (const win of [...windows.keys()].sort((a, b) => a - b)) {
      const bits = windows.get(win) as number[];
      this.out.push(Buffer.from([win, bits.length, ...bits]));
    }
  }
}

function base32hexDecode(text: string): Buffer {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const c of text.toLowerCase()) {
    const v = alphabet.indexOf(c);
    if (v < 0) syntax(`bad base32hex ${text}`);
    acc = (acc << 5) | v;
    bits += 5;
    if (bits >= 8) { bits -= 8; out.push((acc >> bits) & 0xff); }
  }
  return Buffer.from(out);
}

/** The RDATA octets of a record of `type` (number) written as `tokens`. */
export function rdataWire(type: number, tokens: Token[], origin: Buffer): Buffer {
  const r = new RdataReader(tokens, origin);
  if (tokens[0]?.text === '\\#' && !tokens[0].quoted) {
    r.rest('generic rdata');
    const len = tokens[1]?.text ?? syntax('missing generic rdata length');
    const data = r.hex('generic rdata', tokens.slice(2).map((t) => t.text).join(''));
    if (String(data.length) !== len) syntax(`generic rdata length ${len} does not match ${data.length} octets`);
    return data;
  }
  switch (typeMnemonic(type)) {
    case 'A': r.address(4); break;
    case 'AAAA': r.address(6); break;
    case 'NS': case 'CNAME': case 'DNAME': case 'PTR': r.name('target'); break;
    case 'MX': r.int(2, 'preference'); r.name('exchange'); break;
    case 'SRV': r.int(2, 'priority'); r.int(2, 'weight'); r.int(2, 'port'); r.name('target'); break;
    case 'SOA':
      r.name('mname'); r.name('rname'); r.int(4, 'serial');
      r.ttl('refresh'); r.ttl('retry'); r.ttl('expire'); r.ttl('minimum');
      break;
    case 'TXT': case 'SPF':
      do r.string(); while (!r.done());
      break;
    case 'HINFO': r.string(); r.string(); break;
    case 'CAA': {
      r.int(1, 'flags');
      r.string();
      r.raw(Buffer.from(unescape(r.rest('value'))));
      break;
    }
    case 'DS': case 'CDS':
      r.int(2, 'key tag'); r.algorithm(); r.int(1, 'digest type'); r.raw(r.hex('digest'));
      break;
    case 'DNSKEY': case 'CDNSKEY':
      r.int(2, 'flags'); r.int(1, 'protocol'); r.algorithm(); r.raw(r.base64('public key'));
      break;
    case 'RRSIG':
      r.type(); r.algorithm(); r.int(1, 'labels'); r.ttl('original TTL');
      r.time('expiration'); r.time('inception'); r.int(2, 'key tag'); r.name('signer');
      r.raw(r.base64('signature'));
      break;
    case 'NSEC': r.name('next name'); r.bitmap(); break;
    case 'NSEC3':
      r.int(1, 'hash algorithm'); r.int(1, 'flags'); r.int(2, 'iterations'); r.salt();
      r.base32hex('next hashed owner'); r.bitmap();
      break;
    case 'NSEC3PARAM': r.int(1, 'hash algorithm'); r.int(1, 'flags'); r.int(2, 'iterations'); r.salt(); break;
    case 'SSHFP': r.int(1, 'algorithm'); r.int(1, 'fingerprint type'); r.raw(r.hex('fingerprint')); break;
    case 'TLSA': case 'SMIMEA':
      r.int(1, 'usage'); r.int(1, 'selector'); r.int(1, 'matching type'); r.raw(r.hex('certificate data'));
      break;
    case 'ZONEMD': // RFC 8976 §2.3
      r.int(4, 'serial'); r.int(1, 'scheme'); r.int(1, 'hash algorithm'); r.raw(r.hex('digest'));
      break;
    case 'CSYNC': r.int(4, 'serial'); r.int(2, 'flags'); r.bitmap(); break; // RFC 7477 §2.1.1
    case 'OPENPGPKEY': r.raw(r.base64('key')); break; // RFC 7929 §2.3
    case 'URI': r.int(2, 'priority'); r.int(2, 'weight'); r.raw(Buffer.from(unescape(r.rest('target')))); break; // RFC 7553 §4.4
    default:
      syntax(`type ${typeMnemonic(type)} needs the generic \\# form (RFC 3597 §5)`);
  }
  return r.end();
}
