/**
 * IPv4-embedded IPv6 addresses (RFC 6052 §2.2): the four octets of the IPv4 address follow the
 * Pref64::/n, skipping octet 8 (bits 64..71, the "u" octet, which is always zero); the octets after
 * them (the suffix) are zero. Used by DNS64 (policy/dns64.ts, RFC 6147) and by NAT64 towards
 * IPv4-only authoritative servers (upstream.nat64). Also the reverse name of an embedded address.
 */
import { ConfigError } from '../util/index.js';
import { addressBytes, formatIpv6, reverseName } from './ip-address.js';
import { labels, normalizeName } from './name.js';

/** A Pref64::/n (DNS64 or NAT64 prefix): its 16 octets (zero past the length) and its length in bits (32, 40, 48, 56, 64, 96). */
export interface Pref64 { bytes: Uint8Array; length: number }

/** RFC 6052 §2.2: bits 64..71 of an IPv4-embedded address. */
const U_OCTET = 8;

/** Where the four IPv4 octets go behind a prefix of `length` bits. */
function ipv4Positions(length: number): number[] {
  const at: number[] = [];
  for (let i = length / 8; at.length < 4; i++) if (i !== U_OCTET) at.push(i);
  return at;
}

/**
 * Parses the prefix of config key `key` (already checked by config/validate.ts for form and length).
 * Throws ConfigError naming `file` and `key` when bits are set past the length, or for a /96 in the
 * u octet (RFC 6052 §2.2: "the administrators MUST ensure that the bits 64 to 71 are set to zero").
 */
export function parsePref64(text: string, file: string, key: string): Pref64 {
  const [address, len] = text.split('/');
  const bytes = addressBytes(address);
  const length = Number(len);
  if (bytes?.length !== 16) throw new ConfigError(file, key, `an IPv6 prefix outside ::ffff:0:0/96, got ${text}`);
  if (bytes.subarray(length / 8).some((b) => b !== 0)) {
    throw new ConfigError(file, key, `an IPv6 prefix with no bits set past /${length}, got ${text}`);
  }
  if (bytes[U_OCTET] !== 0) throw new ConfigError(file, key, `a /96 prefix whose bits 64..71 are zero (RFC 6052 §2.2), got ${text}`);
  return { bytes, length };
}

/** The IPv6 address that embeds `ipv4` (dotted quad) in `prefix`, in RFC 5952 text form. */
export function embedIpv4(prefix: Pref64, ipv4: string): string {
  const out = Uint8Array.from(prefix.bytes);
  const octets = ipv4.split('.').map(Number);
  ipv4Positions(prefix.length).forEach((at, i) => { out[at] = octets[i]; });
  return formatIpv6(out);
}

/** The IPv4 address embedded in `address` (16 octets) under `prefix`, or undefined when it is not one. */
export function extractIpv4(prefix: Pref64, address: Uint8Array): string | undefined {
  const at = ipv4Positions(prefix.length);
  // Everything but the IPv4 octets must be the prefix's (zero past its length: u octet and suffix).
  const matches = address.every((b, i) => at.includes(i) || b === prefix.bytes[i]);
  return matches ? at.map((i) => address[i]).join('.') : undefined;
}

/**
 * The in-addr.arpa name of the IPv4 address embedded under `prefix` in the ip6.arpa name `name` (32
 * nibble labels, RFC 3596 §2.5), or undefined when `name` is not the reverse name of such an address.
 */
export function ipv4ReverseName(prefix: Pref64, name: string): string | undefined {
  const l = labels(normalizeName(name));
  if (l.length !== 34 || l[32] !== 'ip6' || l[33] !== 'arpa') return undefined;
  const nibbles = l.slice(0, 32).reverse();
  if (!nibbles.every((n) => /^[0-9a-f]$/.test(n))) return undefined;
  const address = Uint8Array.from({ length: 16 }, (_, i) => parseInt(nibbles[2 * i] + nibbles[2 * i + 1], 16));
  const ipv4 = extractIpv4(prefix, address);
  return ipv4 === undefined ? undefined : reverseName(addressBytes(ipv4) as Uint8Array);
}
