/**
 * RDLENGTH against the record data (RFC 1035 §3.2.1, §4.1.3). dns-packet reads A and AAAA data by
 * their fixed size, and names in record data by their own length, whatever RDLENGTH says: a record
 * whose RDLENGTH lies shifts every record after it (a hostile server can hide records, or show
 * different ones to different parsers). Those types are checked here, on the raw bytes.
 */
import { answerStart, recordCount, recordEnd, recordFields, skipName } from './peek.js';

/** A and AAAA: fixed-size data. */
const FIXED_SIZE: ReadonlyMap<number, number> = new Map([[1, 4], [28, 16]]);
/** Data that is a name at this offset: NS, CNAME, PTR, DNAME at 0, MX after its preference. */
const NAME_AT: ReadonlyMap<number, number> = new Map([[2, 0], [5, 0], [12, 0], [39, 0], [15, 2]]);
const SOA = 6;
/** SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM after the two names of a SOA (RFC 1035 §3.3.13). */
const SOA_FIXED = 20;

/** Where the data of a record of `type` starting at `start` ends by its content; undefined for unchecked types. */
function contentEnd(buf: Buffer, type: number, start: number): number | undefined {
  const size = FIXED_SIZE.get(type);
  if (size !== undefined) return start + size;
  const at = NAME_AT.get(type);
  if (at !== undefined) return skipName(buf, start + at);
  if (type !== SOA) return undefined;
  const mname = skipName(buf, start);
  const rname = mname < 0 ? -1 : skipName(buf, mname);
  return rname < 0 ? -1 : rname + SOA_FIXED;
}

/**
 * Why some record's RDLENGTH disagrees with its data, or undefined when none does. A message whose
 * sections cannot be walked at all is left to the decoder to reject.
 */
export function rdlengthMismatch(buf: Buffer): string | undefined {
  let off = answerStart(buf);
  if (off < 0) return undefined;
  const records = recordCount(buf);
  for (let i = 1; i <= records; i++) {
    const at = recordFields(buf, off);
    if (at < 0) return undefined;
    const type = buf.readUInt16BE(at);
    const rdlength = buf.readUInt16BE(at + 8);
    const start = at + 10;
    off = recordEnd(buf, at);
    if (off > buf.length) return `record ${i}: RDLENGTH ${rdlength} runs past the end`;
    const end = contentEnd(buf, type, start);
    if (end !== undefined && end !== off) return `record ${i} (type ${type}): RDLENGTH ${rdlength}, data of ${end - start} octets`;
  }
  return undefined;
}
