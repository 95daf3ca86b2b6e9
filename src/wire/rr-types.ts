/**
 * Record type names ↔ numbers: dns-packet's table plus the IANA mnemonics it lacks. dns-packet
 * decodes a type it does not know as `UNKNOWN_<n>` with opaque RDATA (RFC 3597 §2); those stay
 * opaque everywhere (cache, answers, canonical form) and only their names come from here.
 */
import { createRequire } from 'node:module';

interface TypeTable { toType(name: string): number; toString(type: number): string }
const require = createRequire(import.meta.url);
/** dns-packet's own type table, so names match what its decoder produces. */
export const TYPES = require('dns-packet/types.js') as TypeTable;

/** IANA "Resource Record (RR) TYPEs" entries dns-packet has no name for. */
const EXTRA: { [name: string]: number } = {
  SMIMEA: 53, NINFO: 56, RKEY: 57, TALINK: 58, OPENPGPKEY: 61, CSYNC: 62, ZONEMD: 63, SVCB: 64,
  HTTPS: 65, DSYNC: 66, EUI48: 108, EUI64: 109, URI: 256, AVC: 258, DOA: 259, AMTRELAY: 260, RESINFO: 261,
};
const EXTRA_NAMES = new Map(Object.entries(EXTRA).map(([name, n]) => [n, name]));

/** The number of a type mnemonic (dns-packet's or IANA's), 0 when neither knows it. */
export function typeOfMnemonic(name: string): number {
  const up = name.toUpperCase();
  if (up.startsWith('UNKNOWN_')) return 0;
  return EXTRA[up] ?? TYPES.toType(up);
}

/** Type strings already looked up (dns-packet's toType upper-cases and walks a switch every time). */
const WIRE_TYPES = new Map<string, number>();

/** The type number of a decoded record's type string, as dns-packet writes it (`UNKNOWN_<n>` → n). */
export function wireType(type: string): number {
  let n = WIRE_TYPES.get(type);
  if (n === undefined) {
    n = TYPES.toType(type);
    // Bounded: dns-packet's names and UNKNOWN_0..65535, in the cases anyone writes them.
    if (WIRE_TYPES.size < 1024) WIRE_TYPES.set(type, n);
  }
  return n;
}

/** The mnemonic of type `n`, or dns-packet's `UNKNOWN_<n>` when there is none. */
export function typeMnemonic(n: number): string {
  return EXTRA_NAMES.get(n) ?? TYPES.toString(n);
}

/** The presentation name of a dns-packet type string: `UNKNOWN_63` → `ZONEMD`, `UNKNOWN_65280` → `TYPE65280` (RFC 3597 §5). */
export function typeText(type: string): string {
  if (!type.startsWith('UNKNOWN_')) return type;
  const n = Number(type.slice(8));
  return EXTRA_NAMES.get(n) ?? `TYPE${n}`;
}
