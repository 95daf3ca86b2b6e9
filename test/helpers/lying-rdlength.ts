/**
 * Replies whose RDLENGTH lies (RFC 1035 §3.2.1, §4.1.3), built by hand: dns-packet reads A and AAAA
 * data by their fixed size and names by their own length, so it decodes each of these without
 * complaint, into records a strict parser never sees. Owner names point at the question name.
 * `question` is the question section as on the wire.
 */
const OWNER = [0xc0, 12];
const IN = [0, 1];
const TTL = [0, 0, 0, 60];

function u16(n: number): number[] {
  return [n >> 8, n & 0xff];
}

/** A reply (QR, AA) with `answers` records given as bytes. */
function replyWith(id: number, question: Buffer, answers: number[][]): Buffer {
  const header = [...u16(id), 0x84, 0x00, ...u16(1), ...u16(answers.length), 0, 0, 0, 0];
  return Buffer.concat([Buffer.from(header), question, Buffer.from(answers.flat())]);
}

/** One record: owner, type, class IN, TTL 60, RDLENGTH `rdlength` (the data's length unless given), data. */
function record(type: number, data: number[], rdlength = data.length): number[] {
  return [...OWNER, ...u16(type), ...IN, ...TTL, ...u16(rdlength), ...data];
}

/**
 * An A record with RDLENGTH 3 (data 6.6.6), then a record of type 0xC00C with RDLENGTH 6. dns-packet
 * takes the next octet as the A record's fourth and reads on from there: two A records, 6.6.6.0 and
 * 1.2.3.4 (TTL 6), ending exactly where the real records end.
 */
export function aRdlength3(id: number, question: Buffer): Buffer {
  const hidden = [0, 0xc0, 12, ...IN, 0, 1, 0, 0, ...u16(6), 0, 4, 1, 2, 3, 4];
  return replyWith(id, question, [record(1, [6, 6, 6]), hidden]);
}

/** An A record with RDLENGTH 7: dns-packet reads 6.6.6.6 and skips the three octets after. */
export function aRdlength7(id: number, question: Buffer): Buffer {
  return replyWith(id, question, [record(1, [6, 6, 6, 6, 0, 0, 0])]);
}

/** An AAAA record with RDLENGTH 17. */
export function aaaaRdlength17(id: number, question: Buffer): Buffer {
  return replyWith(id, question, [record(28, [...Array(15).fill(0), 1, 0])]);
}

/** A CNAME whose RDLENGTH runs two octets past its name (x.<question name>). */
export function cnamePastName(id: number, question: Buffer): Buffer {
  return replyWith(id, question, [record(5, [1, 0x78, ...OWNER, 0, 0])]);
}

/** An A record with RDLENGTH 3 (data 6.6.6), then an honest A record for `address` (dotted quad). */
export function aRdlength3ThenA(id: number, question: Buffer, address: string): Buffer {
  return replyWith(id, question, [record(1, [6, 6, 6]), record(1, address.split('.').map(Number))]);
}
