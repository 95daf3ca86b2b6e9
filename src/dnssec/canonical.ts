/**
 * Canonical form (RFC 4034 §6): lower-cased owner names, embedded names lower-cased for the RDATA
 * types of RFC 4034 §6.2 as amended by RFC 6840 §5.1 (NSEC's next name is NOT lower-cased, RRSIG's
 * signer is), RRs of a set sorted by their canonical RDATA with duplicates removed (§6.3), and the
 * data an RRSIG signs (RFC 4034 §3.1.8.1): RRSIG RDATA without the signature, then each RR with the
 * original TTL. Wildcard owners are rebuilt from the RRSIG labels field (RFC 4035 §5.3.2).
 * RDATA encoding goes through dns-packet, which never compresses names; names are written here, as its
 * name.encode would. No I/O.
 */
import dnsPacket from 'dns-packet';
import type { Record } from '../wire/index.js';
import { labels, normalizeName, rdataOf, wireType } from '../wire/index.js';

interface Codec { encode(value: unknown): Buffer }
const packet = dnsPacket as unknown as { answer: Codec };

/** The fields of an RRSIG's data (dns-packet's shape). */
export interface RrsigData {
  typeCovered: string; algorithm: number; labels: number; originalTTL: number;
  expiration: number; inception: number; keyTag: number; signersName: string; signature: Buffer;
}
export interface DnskeyData { flags: number; algorithm: number; key: Buffer }
export interface DsData { keyTag: number; algorithm: number; digestType: number; digest: Buffer }

export function dataOf<T>(rr: Record): T {
  return rdataOf(rr) as T;
}

/** A name lower-cased, without a leading dot (dns-packet's name.encode drops one, as it drops the trailing one). */
function canonicalName(name: string): string {
  const n = normalizeName(name);
  return n.startsWith('.') ? n.slice(1) : n;
}

/** The wire length of canonicalName `n`: its UTF-8 octets, a length octet per label, the root's 0. */
function wireLength(n: string): number {
  return n === '' ? 1 : Buffer.byteLength(n) + 2;
}

/**
 * Writes canonicalName `n` at `off` in uncompressed wire form, as dns-packet's name.encode does but
 * without splitting it: the name's octets after one spare octet, then each '.' (0x2e, never inside a
 * UTF-8 sequence) and the spare octet become the length of the label after them. Returns the end.
 */
function writeName(out: Buffer, off: number, n: string): number {
  if (n === '') { out[off] = 0; return off + 1; }
  const end = off + 1 + out.write(n, off + 1, 'utf8');
  out[end] = 0;
  let next = end;
  for (let i = end - 1; i > off; i--) {
    if (out[i] === 0x2e) { out[i] = next - i - 1; next = i; }
  }
  out[off] = next - off - 1;
  return end + 1;
}

/** A name in uncompressed wire form, lower-cased. */
export function nameWire(name: string): Buffer {
  const n = canonicalName(name);
  const out = Buffer.allocUnsafe(wireLength(n));
  writeName(out, 0, n);
  return out;
}

/** A lower-cased name in dns-packet's form (the root as '.': dns-packet encodes '' as two octets). */
const lc = (s: unknown): string => normalizeName(String(s)) || '.';

/** RFC 4034 §6.2 item 3 with RFC 6840 §5.1: types whose RDATA names are lower-cased. */
const LOWER: { [type: string]: (d: never) => unknown } = {
  NS: lc, CNAME: lc, DNAME: lc, PTR: lc, MD: lc, MF: lc, MB: lc, MG: lc, MR: lc,
  MX: (d: { exchange: string }) => ({ ...d, exchange: lc(d.exchange) }),
  SOA: (d: { mname: string; rname: string }) => ({ ...d, mname: lc(d.mname), rname: lc(d.rname) }),
  SRV: (d: { target: string }) => ({ ...d, target: lc(d.target) }),
  RRSIG: (d: RrsigData) => ({ ...d, signersName: lc(d.signersName) }),
  NAPTR: (d: { replacement: string }) => ({ ...d, replacement: lc(d.replacement) }),
  RP: (d: { mbox: string; txt: string }) => ({ ...d, mbox: lc(d.mbox), txt: lc(d.txt) }),
};

/** The record's data in canonical form. */
function canonicalData(rr: Record): unknown {
  const data = dataOf<never>(rr);
  const f = LOWER[rr.type];
  return f ? f(data) : data;
}

/** The RDATA octets of `rr` (canonical form). */
export function canonicalRdata(rr: Record): Buffer {
  const wire = packet.answer.encode({ name: '.', type: rr.type, class: 'IN', ttl: 0, data: canonicalData(rr) });
  return wire.subarray(11);
}

/** DNSKEY RDATA: flags, protocol 3, algorithm, key (RFC 4034 §2.1). */
export function dnskeyRdata(rr: Record): Buffer {
  const d = dataOf<DnskeyData>(rr);
  const head = Buffer.from([d.flags >> 8, d.flags & 0xff, 3, d.algorithm]);
  return Buffer.concat([head, d.key]);
}

/** The owner an RRSIG was made over: the wildcard when labels < the owner's label count (RFC 4035 §5.3.2). */
export function signedOwner(owner: string, sig: RrsigData): string | undefined {
  const ls = labels(normalizeName(owner));
  const n = ls[0] === '*' ? ls.length - 1 : ls.length; // RFC 4034 §3.1.3: '*' is not counted
  if (sig.labels > n) return undefined;
  if (sig.labels === ls.length) return normalizeName(owner);
  return ['*', ...ls.slice(ls.length - sig.labels)].join('.');
}

/** RFC 4034 §6.3: the RRs of a set in canonical order, duplicates removed; returns their RDATA. */
export function canonicalRdatas(rrset: Record[]): Buffer[] {
  const all = rrset.map(canonicalRdata).sort(Buffer.compare);
  return all.filter((b, i) => i === 0 || !b.equals(all[i - 1]));
}

/** RRSIG RDATA up to the signer's name (RFC 4034 §3.1): type covered, algorithm, labels, original TTL, expiration, inception, key tag. */
const RRSIG_FIXED = 18;
/** An RR's fixed fields after its owner (RFC 1035 §3.2.1): type, class, TTL, RDLENGTH. */
const RR_FIXED = 10;

/**
 * RFC 4034 §3.1.8.1: signature = sign(RRSIG_RDATA | RR(1) | RR(2)...), RRSIG RDATA without the
 * signature field and signer lower-cased; each RR as owner | type | class | original TTL | RDLENGTH |
 * RDATA in canonical form and order. Written straight into one buffer. Undefined when the labels
 * field exceeds the owner's labels.
 */
export function signedData(sigRecord: Record, rrset: Record[]): Buffer | undefined {
  const sig = dataOf<RrsigData>(sigRecord);
  const owner = signedOwner(rrset[0].name, sig);
  if (owner === undefined) return undefined;
  const signer = canonicalName(sig.signersName);
  const ownerName = canonicalName(owner);
  const ownerLength = wireLength(ownerName);
  const rdatas = canonicalRdatas(rrset);
  let size = RRSIG_FIXED + wireLength(signer);
  for (const rdata of rdatas) size += ownerLength + RR_FIXED + rdata.length;
  const out = Buffer.allocUnsafe(size);
  out.writeUInt16BE(wireType(sig.typeCovered), 0);
  out[2] = sig.algorithm;
  out[3] = sig.labels;
  out.writeUInt32BE(sig.originalTTL >>> 0, 4);
  out.writeUInt32BE(sig.expiration >>> 0, 8);
  out.writeUInt32BE(sig.inception >>> 0, 12);
  out.writeUInt16BE(sig.keyTag, 16);
  let off = writeName(out, RRSIG_FIXED, signer);
  const type = wireType(rrset[0].type);
  for (const rdata of rdatas) {
    off = writeName(out, off, ownerName);
    out.writeUInt16BE(type, off);
    out.writeUInt16BE(1, off + 2); // class IN
    out.writeUInt32BE(sig.originalTTL >>> 0, off + 4);
    out.writeUInt16BE(rdata.length, off + 8);
    off += RR_FIXED;
    off += rdata.copy(out, off);
  }
  return out;
}

/**
 * RFC 4034 §6.1 canonical name order: compare label by label from the right, each label as
 * lower-cased octets, a shorter name first when it is a suffix of the other. Returns <0, 0, >0.
 */
export function compareNames(a: string, b: string): number {
  const la = labels(normalizeName(a));
  const lb = labels(normalizeName(b));
  for (let i = 1; i <= Math.min(la.length, lb.length); i++) {
    const c = Buffer.compare(Buffer.from(la[la.length - i], 'latin1'), Buffer.from(lb[lb.length - i], 'latin1'));
    if (c !== 0) return c;
  }
  return la.length - lb.length;
}
