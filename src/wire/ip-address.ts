/** IP addresses as octets and back: the parse access control, RFC 6052 embedding and local hosts use, RFC 5952 text, reverse names. */
import { isIPv4, isIPv6 } from 'node:net';

/** The address as 4 or 16 octets, or undefined when it is not an IP address. */
export function addressBytes(address: string): Uint8Array | undefined {
  if (address.startsWith('::ffff:') && isIPv4(address.slice(7))) address = address.slice(7);
  if (isIPv4(address)) return Uint8Array.from(address.split('.').map(Number));
  if (!isIPv6(address)) return undefined;
  const zone = address.indexOf('%');
  if (zone >= 0) address = address.slice(0, zone);
  let [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const groups = (s: string | undefined): string[] => (s ? s.split(':') : []);
  let h = groups(head);
  let t = groups(tail);
  const last = (tail === undefined ? h : t).at(-1);
  const v4 = last && isIPv4(last) ? Uint8Array.from(last.split('.').map(Number)) : undefined;
  if (v4) {
    const words = [((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16)];
    if (tail === undefined) h = [...h.slice(0, -1), ...words]; else t = [...t.slice(0, -1), ...words];
  }
  const fill = tail === undefined ? [] : new Array<string>(8 - h.length - t.length).fill('0');
  const all = [...h, ...fill, ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => { const v = parseInt(g, 16); out[2 * i] = v >> 8; out[2 * i + 1] = v & 0xff; });
  return out;
}

/** RFC 5952 §4: lower-case hex groups without leading zeros, the longest run of two or more zero groups as "::" (the first on a tie). */
export function formatIpv6(bytes: Uint8Array): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i] << 8) | bytes[2 * i + 1]).toString(16));
  let best = { at: -1, len: 1 };
  for (let i = 0; i < 8; i++) {
    let end = i;
    while (end < 8 && groups[end] === '0') end++;
    if (end - i > best.len) best = { at: i, len: end - i };
    i = Math.max(i, end - 1);
  }
  if (best.at < 0) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

/** The reverse name of an address of 4 or 16 octets (RFC 1035 §3.5, RFC 3596 §2.5), without the final dot. */
export function reverseName(bytes: Uint8Array): string {
  if (bytes.length === 4) return `${Array.from(bytes).reverse().join('.')}.in-addr.arpa`;
  const nibbles: string[] = [];
  for (let i = bytes.length - 1; i >= 0; i--) nibbles.push((bytes[i] & 0xf).toString(16), (bytes[i] >> 4).toString(16));
  return `${nibbles.join('.')}.ip6.arpa`;
}
