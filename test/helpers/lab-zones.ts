/**
 * The lab's data: a private DNS tree on loopback (DESIGN.md "Lab addresses": authorities in 127.53.0.0/16)
 * and the answers a correct resolver gives for it. Zones are RFC 1035 §5 master files.
 *
 *   .            NSD  127.53.0.1   root, delegates test. and lab. (with glue)
 *   test.        Knot 127.53.0.2   delegates glue.test (glue), oob.test (out-of-bailiwick NS, no glue),
 *                                  half.test (one lame and one good server), lame.test (REFUSED),
 *                                  dead.test (an address nothing listens on)
 *   lab.         BIND 127.53.0.3   hosts the name servers' names, a DNAME, two DNAMEs that loop
 *   glue.test.   NSD  127.53.0.1   A, NODATA, NXDOMAIN, wildcard, CNAME chain across three zones,
 *                                  a name with both A and AAAA (dual: DNS64 must keep its AAAA),
 *                                  a CNAME into the unsigned insecure.test, a private-use type and
 *                                  an SMIMEA (types Ward's wire layer has no typed form for, RFC 3597),
 *                                  delegates sub.glue.test to Knot (glue)
 *   sub.glue.test. Knot 127.53.0.2
 *   oob.test.    BIND 127.53.0.3   reached through ns1.hosts.lab (no glue); an answer too big for UDP
 *   half.test.   NSD  127.53.0.1   ns1 points at BIND (lame: REFUSED), ns2 at NSD
 *   bogus.test.  NSD  127.53.0.1   signed, but its DS in test. is wrong (LabOptions.dnssec)
 *   insecure.test. Knot 127.53.0.2 never signed: an insecure delegation under a signed parent
 */

export const LAB_ADDR = {
  nsd: '127.53.0.1',
  knot: '127.53.0.2',
  bind: '127.53.0.3',
  /** Delegated to, but nothing listens there. */
  dead: '127.53.0.99',
} as const;

export type LabServer = 'nsd' | 'knot' | 'bind';

/** Number of TXT records at big.oob.test (their answer is far larger than 1232 octets). */
export const BIG_TXT_COUNT = 40;
/** The text of the i-th TXT record at big.oob.test. */
export function bigTxt(i: number): string {
  return `record ${String(i).padStart(2, '0')} ${'x'.repeat(60)}`;
}

function soa(zone: string, ns: string): string {
  return `$TTL 3600\n${zone} 3600 IN SOA ${ns} hostmaster.${zone === '.' ? '' : zone} 1 3600 600 86400 300\n`;
}

/** Zone name → [server, master file text]. */
export const LAB_ZONES: Record<string, [LabServer, string]> = {
  '.': ['nsd', soa('.', 'a.root.lab.') + `
. 86400 IN NS a.root.lab.
a.root.lab. 86400 IN A ${LAB_ADDR.nsd}
test. 86400 IN NS ns1.test.
ns1.test. 86400 IN A ${LAB_ADDR.knot}
lab. 86400 IN NS ns1.lab.
ns1.lab. 86400 IN A ${LAB_ADDR.bind}
`],
  'test.': ['knot', soa('test.', 'ns1.test.') + `
test. IN NS ns1.test.
ns1.test. IN A ${LAB_ADDR.knot}
glue.test. IN NS ns1.glue.test.
ns1.glue.test. IN A ${LAB_ADDR.nsd}
oob.test. IN NS ns1.hosts.lab.
half.test. IN NS ns1.half.test.
half.test. IN NS ns2.half.test.
ns1.half.test. IN A ${LAB_ADDR.bind}
ns2.half.test. IN A ${LAB_ADDR.nsd}
lame.test. IN NS ns1.lame.test.
ns1.lame.test. IN A ${LAB_ADDR.bind}
dead.test. IN NS ns1.dead.test.
ns1.dead.test. IN A ${LAB_ADDR.dead}
bogus.test. IN NS ns1.bogus.test.
ns1.bogus.test. IN A ${LAB_ADDR.nsd}
insecure.test. IN NS ns1.insecure.test.
ns1.insecure.test. IN A ${LAB_ADDR.knot}
`],
  'lab.': ['bind', soa('lab.', 'ns1.lab.') + `
lab. IN NS ns1.lab.
ns1.lab. IN A ${LAB_ADDR.bind}
a.root.lab. IN A ${LAB_ADDR.nsd}
ns1.hosts.lab. IN A ${LAB_ADDR.bind}
www.lab. IN A 192.0.2.3
old.lab. IN DNAME oob.test.
loop1.lab. IN DNAME loop2.lab.
loop2.lab. IN DNAME loop1.lab.
`],
  'glue.test.': ['nsd', soa('glue.test.', 'ns1.glue.test.') + `
glue.test. IN NS ns1.glue.test.
ns1.glue.test. IN A ${LAB_ADDR.nsd}
www.glue.test. IN A 192.0.2.10
dual.glue.test. IN A 192.0.2.13
dual.glue.test. IN AAAA 2001:db8::13
*.wild.glue.test. IN A 192.0.2.11
chain.glue.test. IN CNAME hop.oob.test.
tounsigned.glue.test. IN CNAME www.insecure.test.
opaque.glue.test. IN TYPE65280 \\# 4 0A0B0C0D
_25._tcp.glue.test. IN TYPE53 \\# 5 0301010203
sub.glue.test. IN NS ns1.sub.glue.test.
ns1.sub.glue.test. IN A ${LAB_ADDR.knot}
`],
  'sub.glue.test.': ['knot', soa('sub.glue.test.', 'ns1.sub.glue.test.') + `
sub.glue.test. IN NS ns1.sub.glue.test.
ns1.sub.glue.test. IN A ${LAB_ADDR.knot}
www.sub.glue.test. IN A 192.0.2.12
`],
  'oob.test.': ['bind', soa('oob.test.', 'ns1.hosts.lab.') + `
oob.test. IN NS ns1.hosts.lab.
www.oob.test. IN A 192.0.2.20
hop.oob.test. IN CNAME www.lab.
${Array.from({ length: BIG_TXT_COUNT }, (_, i) => `big.oob.test. IN TXT "${bigTxt(i)}"`).join('\n')}
`],
  'bogus.test.': ['nsd', soa('bogus.test.', 'ns1.bogus.test.') + `
bogus.test. IN NS ns1.bogus.test.
ns1.bogus.test. IN A ${LAB_ADDR.nsd}
www.bogus.test. IN A 192.0.2.60
`],
  'insecure.test.': ['knot', soa('insecure.test.', 'ns1.insecure.test.') + `
insecure.test. IN NS ns1.insecure.test.
ns1.insecure.test. IN A ${LAB_ADDR.knot}
www.insecure.test. IN A 192.0.2.70
`],
  'half.test.': ['nsd', soa('half.test.', 'ns2.half.test.') + `
half.test. IN NS ns1.half.test.
half.test. IN NS ns2.half.test.
ns1.half.test. IN A ${LAB_ADDR.bind}
ns2.half.test. IN A ${LAB_ADDR.nsd}
www.half.test. IN A 192.0.2.40
`],
};

/** With LabOptions.dnssec: zones left unsigned (insecure delegations, RFC 4035 §5.2). */
export const LAB_UNSIGNED = ['insecure.test.'];
/** With LabOptions.dnssec: zones signed with NSEC3 (RFC 5155; no salt, 0 iterations, RFC 9276) instead of NSEC. */
export const LAB_NSEC3 = ['oob.test.'];
/** With LabOptions.dnssec: zones whose DS in the parent does not match their key (validation must fail). */
export const LAB_BOGUS_DS = ['bogus.test.'];

/** Root hints for the private root (RFC 1035 master file syntax, as in named.root). */
export const LAB_ROOT_HINTS = `.                 3600000 IN NS a.root.lab.
a.root.lab.       3600000 IN A  ${LAB_ADDR.nsd}
`;

/** One lab question and the answer every correct resolver gives (see AnswerView in lab-query.ts). */
export interface LabCase { what: string; name: string; type: 'A' | 'AAAA' | 'TXT'; rcode: string; answers: string[] }

/** The lab's questions and expected answers (records as recordText prints them, sorted). */
export const LAB_CASES: LabCase[] = [
  { what: 'delegation with glue', name: 'www.glue.test', type: 'A', rcode: 'NOERROR', answers: ['www.glue.test A 192.0.2.10'] },
  { what: 'NODATA', name: 'www.glue.test', type: 'AAAA', rcode: 'NOERROR', answers: [] },
  { what: 'NXDOMAIN in a child zone', name: 'nx.glue.test', type: 'A', rcode: 'NXDOMAIN', answers: [] },
  { what: 'NXDOMAIN at the root', name: 'nonexistent', type: 'A', rcode: 'NXDOMAIN', answers: [] },
  { what: 'NXDOMAIN in a TLD', name: 'nx.test', type: 'A', rcode: 'NXDOMAIN', answers: [] },
  { what: 'wildcard', name: 'anything.wild.glue.test', type: 'A', rcode: 'NOERROR', answers: ['anything.wild.glue.test A 192.0.2.11'] },
  { what: 'wildcard NODATA', name: 'anything.wild.glue.test', type: 'AAAA', rcode: 'NOERROR', answers: [] },
  { what: 'second-level delegation with glue', name: 'www.sub.glue.test', type: 'A', rcode: 'NOERROR', answers: ['www.sub.glue.test A 192.0.2.12'] },
  { what: 'out-of-bailiwick NS without glue', name: 'www.oob.test', type: 'A', rcode: 'NOERROR', answers: ['www.oob.test A 192.0.2.20'] },
  { what: 'name in a TLD served by BIND', name: 'www.lab', type: 'A', rcode: 'NOERROR', answers: ['www.lab A 192.0.2.3'] },
  {
    what: 'CNAME chain across three zones', name: 'chain.glue.test', type: 'A', rcode: 'NOERROR',
    answers: ['chain.glue.test CNAME hop.oob.test', 'hop.oob.test CNAME www.lab', 'www.lab A 192.0.2.3'],
  },
  {
    what: 'DNAME', name: 'www.old.lab', type: 'A', rcode: 'NOERROR',
    answers: ['old.lab DNAME oob.test', 'www.old.lab CNAME www.oob.test', 'www.oob.test A 192.0.2.20'],
  },
  {
    what: 'answer too big for UDP', name: 'big.oob.test', type: 'TXT', rcode: 'NOERROR',
    answers: Array.from({ length: BIG_TXT_COUNT }, (_, i) => `big.oob.test TXT ${JSON.stringify(bigTxt(i))}`).sort(),
  },
  { what: 'one lame server of two', name: 'www.half.test', type: 'A', rcode: 'NOERROR', answers: ['www.half.test A 192.0.2.40'] },
  { what: 'zone that is bogus when signed', name: 'www.bogus.test', type: 'A', rcode: 'NOERROR', answers: ['www.bogus.test A 192.0.2.60'] },
  { what: 'zone that stays unsigned', name: 'www.insecure.test', type: 'A', rcode: 'NOERROR', answers: ['www.insecure.test A 192.0.2.70'] },
  { what: 'lame delegation (REFUSED)', name: 'www.lame.test', type: 'A', rcode: 'SERVFAIL', answers: [] },
  { what: 'server that does not answer', name: 'www.dead.test', type: 'A', rcode: 'SERVFAIL', answers: [] },
];
