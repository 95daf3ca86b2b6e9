/**
 * Special-use names a resolver answers itself instead of asking the internet (as Unbound's default
 * local zones do): localhost and its reverse names (RFC 6761 §6.3), "invalid" (RFC 6761 §6.4),
 * "onion" (RFC 7686 §2), "home.arpa" (RFC 8375 §5), and the reverse zones of private and special
 * addresses (RFC 6303 §4, RFC 7793; IANA's Locally-Served DNS Zones), so that their PTR questions do
 * not leak to the AS112 servers of the internet (RFC 6304). A configured zone of the same name replaces
 * the built-in one (type transparent sends such names to the resolver after all), and so does a forward
 * or stub zone at or below one (home.arpa to the home router, onion to Tor's DNSPort), except for the
 * loopback names, which RFC 6761 §6.3 has resolvers answer themselves.
 */
import type { LocalZone } from '../config/index.js';

const LOOPBACK_V6_REVERSE = `${'0.'.repeat(31)}ip6.arpa`;

/** The built-in zones a forward or stub zone never overrides (RFC 6761 §6.3: localhost and loopback reverse names). */
export const LOOPBACK_ZONES: ReadonlySet<string> = new Set(['localhost', '127.in-addr.arpa', `1.${LOOPBACK_V6_REVERSE}`]);

const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/** RFC 6303 §4 (RFC 1918, RFC 5735 special IPv4, ::/128, ULA, link-local, documentation) and RFC 7793 (100.64.0.0/10). */
const LOCALLY_SERVED_REVERSE: readonly string[] = [
  '10.in-addr.arpa', ...range(16, 31).map((n) => `${n}.172.in-addr.arpa`), '168.192.in-addr.arpa',
  ...range(64, 127).map((n) => `${n}.100.in-addr.arpa`),
  '0.in-addr.arpa', '254.169.in-addr.arpa', '2.0.192.in-addr.arpa', '100.51.198.in-addr.arpa', '113.0.203.in-addr.arpa',
  '255.255.255.255.in-addr.arpa',
  `0.${LOOPBACK_V6_REVERSE}`,
  'd.f.ip6.arpa', '8.e.f.ip6.arpa', '9.e.f.ip6.arpa', 'a.e.f.ip6.arpa', 'b.e.f.ip6.arpa', '8.b.d.0.1.0.0.2.ip6.arpa',
];

export const BUILTIN_LOCAL_ZONES: readonly LocalZone[] = [
  {
    name: 'localhost', type: 'static', records: [
      'localhost. 10800 IN NS localhost.',
      'localhost. 10800 IN A 127.0.0.1',
      'localhost. 10800 IN AAAA ::1',
    ],
  },
  { name: '127.in-addr.arpa', type: 'static', records: ['1.0.0.127.in-addr.arpa. 10800 IN PTR localhost.'] },
  { name: `1.${LOOPBACK_V6_REVERSE}`, type: 'static', records: [`1.${LOOPBACK_V6_REVERSE}. 10800 IN PTR localhost.`] },
  { name: 'invalid', type: 'static', records: [] },
  { name: 'onion', type: 'static', records: [] },
  { name: 'home.arpa', type: 'static', records: [] },
  ...LOCALLY_SERVED_REVERSE.map((name): LocalZone => ({ name, type: 'static', records: [] })),
];
