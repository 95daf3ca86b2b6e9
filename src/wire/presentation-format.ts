/**
 * dns-packet records to zone-file text (RFC 1035 §5.1, RFC 4034 §2.2/§3.2/§4.2/§5.3, RFC 5155 §3.3,
 * RFC 3597 §5 for everything without a typed form here): for logs, error messages and test reports.
 * `parseRecord(formatRecord(rr))` gives `rr` back. No I/O.
 */
import dnsPacket from 'dns-packet';
import type { Record } from './message.js';
import { typeText } from './rr-types.js';

type Codec = { encode(data: unknown): Buffer };
const codecOf = (dnsPacket as unknown as { record(type: string): Codec }).record;

/** A name with a trailing dot; bytes outside printable ASCII and special characters escaped. */
function formatName(name: string): string {
  if (name === '.' || name === '') return '.';
  // dns-packet writes a dot inside a label as `\.` (SOA rname), which is already presentation form.
  return name.split(/(?<!\\)\./).map((l) => escapeText(l, /[\s;"()@$]/, true)).join('.') + '.';
}

/** Escapes octets of `text`: non-printable ones as \DDD, `special` characters (and `\` unless kept) as \X. */
function escapeText(text: string, special: RegExp, keepBackslash = false): string {
  let out = '';
  for (const b of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(b);
    if (b < 0x21 || b > 0x7e) out += '\\' + String(b).padStart(3, '0');
    else if (special.test(c) || (c === '\\' && !keepBackslash)) out += '\\' + c;
    else out += c;
  }
  return out;
}

function quoted(b: Buffer | string): string {
  const buf = typeof b === 'string' ? Buffer.from(b) : b;
  let out = '"';
  for (const o of buf) {
    if (o === 0x22 || o === 0x5c) out += '\\' + String.fromCharCode(o);
    else if (o < 0x20 || o > 0x7e) out += '\\' + String(o).padStart(3, '0');
    else out += String.fromCharCode(o);
  }
  return out + '"';
}

function time(secs: number): string {
  return new Date(secs * 1000).toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

function base32hex(b: Buffer): string {
  const alphabet = '0123456789abcdefghijklmnopqrstuv';
  let out = '';
  let acc = 0;
  let bits = 0;
  for (const o of b) {
    acc = (acc << 8) | o;
    bits += 8;
    while (bits >= 5) { bits -= 5; out += alphabet[(acc >> bits) & 31]; }
  }
  return bits > 0 ? out + alphabet[(acc << (5 - bits)) & 31] : out;
}

/** The RDATA of `rr` in presentation form. */
function formatRdata(type: string, data: unknown): string {
  const d = data as { [k: string]: never };
  switch (type) {
    case 'A': case 'AAAA': return String(data);
    case 'NS': case 'CNAME': case 'DNAME': case 'PTR': return formatName(String(data));
    case 'MX': return `${d.preference} ${formatName(d.exchange)}`;
    case 'SRV': return `${d.priority} ${d.weight} ${d.port} ${formatName(d.target)}`;
    case 'SOA': return `${formatName(d.mname)} ${formatName(d.rname)} ${d.serial} ${d.refresh} ${d.retry} ${d.expire} ${d.minimum}`;
    case 'TXT': return (Array.isArray(data) ? data : [data]).map((s) => quoted(s as Buffer)).join(' ');
    case 'HINFO': return `${quoted(d.cpu)} ${quoted(d.os)}`;
    case 'CAA': return `${d.flags} ${d.tag} ${quoted(d.value)}`;
    case 'DS': return `${d.keyTag} ${d.algorithm} ${d.digestType} ${(d.digest as Buffer).toString('hex').toUpperCase()}`;
    case 'DNSKEY': return `${d.flags} 3 ${d.algorithm} ${(d.key as Buffer).toString('base64')}`;
    case 'RRSIG':
      return `${typeText(d.typeCovered)} ${d.algorithm} ${d.labels} ${d.originalTTL} ${time(d.expiration)} ${time(d.inception)} ` +
        `${d.keyTag} ${formatName(d.signersName)} ${(d.signature as Buffer).toString('base64')}`;
    case 'NSEC': return [formatName(d.nextDomain), ...(d.rrtypes as string[]).map(typeText)].join(' ');
    case 'NSEC3': {
      const salt = (d.salt as Buffer).length === 0 ? '-' : (d.salt as Buffer).toString('hex').toUpperCase();
      return [d.algorithm, d.flags, d.iterations, salt, base32hex(d.nextDomain), ...(d.rrtypes as string[]).map(typeText)].join(' ');
    }
    default: {
      const rdata = Buffer.isBuffer(data) ? data : codecOf(type).encode(data).subarray(2);
      return `\\# ${rdata.length}${rdata.length > 0 ? ' ' + rdata.toString('hex') : ''}`;
    }
  }
}

/** One record as a zone-file line: `owner TTL CLASS TYPE RDATA`. */
export function formatRecord(rr: Record): string {
  const r = rr as unknown as { name: string; type: string; ttl?: number; class?: string; data: unknown };
  return `${formatName(r.name)} ${r.ttl ?? 0} ${r.class ?? 'IN'} ${typeText(r.type)} ${formatRdata(r.type, r.data)}`;
}
