/**
 * Special-use names a resolver answers itself instead of asking the internet (as Unbound's default
 * local zones do): localhost and its reverse names (RFC 6761 §6.3), "invalid" (RFC 6761 §6.4),
 * "onion" (RFC 7686 §2) and "home.arpa" (RFC 8375 §5). A configured zone of the same name replaces
 * the built-in one (type transparent sends such names to the resolver after all), and so does a forward
 * or stub zone at or below one (home.arpa to the home router, onion to Tor's DNSPort), except for the
 * loopback names, which RFC 6761 §6.3 has resolvers answer themselves.
 */
import type { LocalZone } from '../config/index.js';

const LOOPBACK_V6_REVERSE = `${'0.'.repeat(31)}ip6.arpa`;

/** The built-in zones a forward or stub zone never overrides (RFC 6761 §6.3: localhost and loopback reverse names). */
export const LOOPBACK_ZONES: ReadonlySet<string> = new Set(['localhost', '127.in-addr.arpa', `1.${LOOPBACK_V6_REVERSE}`]);

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
];
