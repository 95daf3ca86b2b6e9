/** The key tag of a DNSKEY (RFC 4034 Appendix B): a 16-bit checksum over its RDATA. */
import type { Record } from '../wire/index.js';
import { dnskeyRdata } from './canonical.js';

/** RFC 4034 Appendix B (algorithm 1's different tag, B.1, is not needed: RSAMD5 is unsupported). */
export function keyTagOfRdata(rdata: Buffer): number {
  let ac = 0;
  for (let i = 0; i < rdata.length; i++) ac += i & 1 ? rdata[i] : rdata[i] << 8;
  ac += (ac >> 16) & 0xffff;
  return ac & 0xffff;
}

const tags = new WeakMap<object, number>();

/** The key tag of a DNSKEY record (memoised per record object). */
export function keyTag(dnskey: Record): number {
  let t = tags.get(dnskey);
  if (t === undefined) {
    t = keyTagOfRdata(dnskeyRdata(dnskey));
    tags.set(dnskey, t);
  }
  return t;
}
