/**
 * UDP truncation as Unbound and BIND do it (RFC 1035 §4.1.1, RFC 2181 §9): whole RRsets, each with
 * the RRSIGs covering it, in order answer → authority → additional, up to the first one that does
 * not fit; never part of an RRset. TC is set only when an answer or authority RRset was left out,
 * not for additional data such as glue (RFC 2181 §9), except when the client set DO and an RRSIG
 * covering a kept answer or authority RRset was left out (RFC 4035 §3.1.1). The OPT record is always
 * kept (RFC 6891 §7), without its options if even the bare question does not fit with them.
 *
 * Works on the compressed encoding: compression pointers (wire/compress.ts) only point backwards,
 * so the records up to any point are a well-formed message by themselves, and their length plus the
 * OPT's is the exact size on the wire. The caller's encoding is cut as it is, encoded again only
 * when the records of an RRset were apart (they are brought together).
 */
import { answerStart, encodeCompressed, encodeMessage, FLAG, groupRRsets, recordCount, recordEnd, recordFields, type Message, type Record } from '../wire/index.js';

const SECTIONS = ['answers', 'authorities', 'additionals'] as const;
type Section = typeof SECTIONS[number];

/** An RRset of one section with the RRSIGs covering it (or RRSIGs alone, e.g. for QTYPE RRSIG). */
interface SectionRRset { section: Section; key: string; records: Record[]; sigsOnly: boolean }

/** The section's records as RRset groups, in order of first appearance; RRSIGs after the data they cover. */
function sectionRRsets(section: Section, records: Record[]): SectionRRset[] {
  return groupRRsets(records).map((g) => ({ section, key: g.key, records: [...g.data, ...g.sigs], sigsOnly: g.data.length === 0 }));
}

/** Where each record of an encoded message starts, and where the last one ends; null if it does not parse. */
function recordStarts(buf: Buffer): number[] | null {
  let off = answerStart(buf);
  if (off < 0) return null;
  const starts: number[] = [];
  for (let i = recordCount(buf); i > 0; i--) {
    starts.push(off);
    const at = recordFields(buf, off);
    if (at < 0) return null;
    off = recordEnd(buf, at);
  }
  if (off !== buf.length) return null;
  starts.push(off);
  return starts;
}

function sameOrder(a: Record[], b: Record[]): boolean {
  return a.length === b.length && a.every((rr, i) => rr === b[i]);
}

/** The OPT record's octets with its options removed (name, type, class, TTL, RDLENGTH 0). */
function bareOpt(opt: Buffer): Buffer {
  const out = Buffer.from(opt.subarray(0, 11));
  out.writeUInt16BE(0, 9);
  return out;
}

/**
 * `packet` in at most `limit` octets. `encoded` is its compressed encoding; its OPT record, if any,
 * must be the last additional record. `dnssecOk`: the query had DO set.
 */
export function truncateToFit(packet: Message, encoded: Buffer, limit: number, dnssecOk: boolean): Buffer {
  const last = packet.additionals[packet.additionals.length - 1];
  const opt = last?.type === 'OPT' ? last : undefined;
  const groups = SECTIONS.flatMap((s) => sectionRRsets(s, opt && s === 'additionals' ? packet.additionals.slice(0, -1) : packet[s]));
  const ordered: Message = { ...packet, answers: [], authorities: [], additionals: [] };
  for (const g of groups) ordered[g.section].push(...g.records);
  if (opt) ordered.additionals.push(opt);
  // Usually every RRset is already in one piece and the encoding at hand serves.
  const buf = SECTIONS.every((s) => sameOrder(ordered[s], packet[s])) ? encoded : encodeCompressed(ordered);
  const starts = recordStarts(buf);
  // Not expected from our own encoder; the safe answer is an empty one with TC (the client retries over TCP).
  if (starts === null) return encodeMessage({ ...packet, flags: packet.flags | FLAG.TC, answers: [], authorities: [], additionals: opt ? [opt] : [] });

  const dataEnd = opt ? starts[starts.length - 2] : buf.length;
  let optBytes = buf.subarray(dataEnd);
  if (starts[0] + optBytes.length > limit) optBytes = bareOpt(optBytes);
  const budget = limit - optBytes.length;
  const kept = { answers: 0, authorities: 0, additionals: 0 };
  let index = 0;
  let g = 0;
  for (; g < groups.length; g++) {
    const next = index + groups[g].records.length;
    if (starts[next] > budget) break;
    kept[groups[g].section] += groups[g].records.length;
    index = next;
  }
  const end = starts[index];
  const out = Buffer.allocUnsafe(end + optBytes.length);
  buf.copy(out, 0, 0, end);
  optBytes.copy(out, end);
  out.writeUInt16BE(kept.answers, 6);
  out.writeUInt16BE(kept.authorities, 8);
  out.writeUInt16BE(kept.additionals + (opt ? 1 : 0), 10);
  if (g < groups.length && mustSetTc(groups, g, dnssecOk)) out.writeUInt16BE(out.readUInt16BE(2) | FLAG.TC, 2);
  return out;
}

/** TC for a cut before group `cut` (RFC 2181 §9, RFC 4035 §3.1.1). */
function mustSetTc(groups: SectionRRset[], cut: number, dnssecOk: boolean): boolean {
  if (groups[cut].section !== 'additionals') return true;
  if (!dnssecOk) return false;
  const keptKeys = new Set(groups.slice(0, cut).filter((g) => g.section !== 'additionals').map((g) => g.key));
  return groups.slice(cut).some((g) => g.sigsOnly && keptKeys.has(g.key));
}
