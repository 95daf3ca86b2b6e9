/**
 * RDLENGTH against the record data (RFC 1035 §3.2.1, §4.1.3). dns-packet reads A and AAAA data by
 * their fixed size, and names in record data by their own length, whatever RDLENGTH says: a record
 * whose RDLENGTH lies shifts every record after it (a hostile server can hide records, or show
 * different ones to different parsers). Those types are checked here, on the raw bytes.
 *
 * An A or AAAA record of the wrong length is framed by its RDLENGTH like any record, so only that
 * record is lost: it is dropped and the rest of the message kept (Unbound's
 * scrub_sanitize_rr_length). A name that runs past its RDLENGTH leaves no framing to trust: the
 * message is malformed.
 */
import { answerStart, recordCount, recordEnd, recordFields, skipName } from './peek.js';

/** A and AAAA: fixed-size data. */
const FIXED_SIZE: ReadonlyMap<number, number> = new Map([[1, 4], [28, 16]]);
/** Data that is a name at this offset: NS, CNAME, PTR, DNAME at 0, MX after its preference. */
const NAME_AT: ReadonlyMap<number, number> = new Map([[2, 0], [5, 0], [12, 0], [39, 0], [15, 2]]);
const SOA = 6;
/** SERIAL, REFRESH, RETRY, EXPIRE, MINIMUM after the two names of a SOA (RFC 1035 §3.3.13). */
const SOA_FIXED = 20;

/** Where the data of a name-carrying record of `type` starting at `start` ends; undefined for other types. */
function nameDataEnd(buf: Buffer, type: number, start: number): number | undefined {
  const at = NAME_AT.get(type);
  if (at !== undefined) return skipName(buf, start + at);
  if (type !== SOA) return undefined;
  const mname = skipName(buf, start);
  const rname = mname < 0 ? -1 : skipName(buf, mname);
  return rname < 0 ? -1 : rname + SOA_FIXED;
}

export interface RdlengthCheck {
  /** Why the message cannot be framed (a name past its RDLENGTH, data past the end); undefined when it can. */
  lie?: string;
  /** Offsets of the TYPE fields of A/AAAA records whose RDLENGTH is not their size. */
  wrongSize: number[];
}

/** Walks every record's RDLENGTH. A message whose sections cannot be walked at all is left to the decoder to reject. */
export function checkRdlengths(buf: Buffer): RdlengthCheck {
  const wrongSize: number[] = [];
  let off = answerStart(buf);
  if (off < 0) return { wrongSize };
  const records = recordCount(buf);
  for (let i = 1; i <= records; i++) {
    const at = recordFields(buf, off);
    if (at < 0) return { wrongSize };
    const type = buf.readUInt16BE(at);
    const rdlength = buf.readUInt16BE(at + 8);
    const start = at + 10;
    off = recordEnd(buf, at);
    if (off > buf.length) return { lie: `record ${i}: RDLENGTH ${rdlength} runs past the end`, wrongSize };
    const size = FIXED_SIZE.get(type);
    if (size !== undefined && size !== rdlength) wrongSize.push(at);
    const end = nameDataEnd(buf, type, start);
    if (end !== undefined && end !== off) {
      return { lie: `record ${i} (type ${type}): RDLENGTH ${rdlength}, data of ${end - start} octets`, wrongSize };
    }
  }
  return { wrongSize };
}

/** TYPE 0 is reserved (RFC 6895 §3.1): no record of it carries meaning, so it marks records to drop. */
export const DROPPED_TYPE = 0;

/**
 * A copy of `buf` in which the records at `typeOffsets` have TYPE 0: still framed by their
 * RDLENGTH, so every other record decodes as sent, and dropped after decoding.
 */
export function markDropped(buf: Buffer, typeOffsets: number[]): Buffer {
  const copy = Buffer.from(buf);
  for (const at of typeOffsets) copy.writeUInt16BE(DROPPED_TYPE, at);
  return copy;
}
