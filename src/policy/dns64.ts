/**
 * DNS64 (RFC 6147) as a link of the handler chain, wrapping the rest of it. For a client's AAAA
 * question that the chain answers NOERROR without AAAA (NODATA, or a CNAME chain that ends without
 * AAAA), it asks the chain for the A records of the name, or of the chain's last target (§5.1.7), and
 * answers AAAA records that embed each IPv4 address in the Pref64::/n (RFC 6052 §2.2). AAAA records
 * whose addresses all lie in an excluded prefix count as none (§5.1.4). NXDOMAIN and errors pass
 * through unchanged: a SERVFAIL may be a NODATA that failed validation, which must not be
 * synthesized over (§5.5). A PTR question for the reverse name of an address under the prefix gets a
 * CNAME to the in-addr.arpa name of the embedded IPv4 address, followed (§5.3.1).
 */
import { BlockList } from 'node:net';
import type { Dns64Config } from '../config/index.js';
import type { Answer, ChainedHandler, ClientQuery, QueryHandler } from '../server/index.js';
import { embedIpv4, ipv4ReverseName, nameEquals, negativeTtl, parsePref64, RCODE, rdataText, setType, ttlOf, type Pref64, type Record } from '../wire/index.js';

/** The last target of the CNAME chain from `name` in `answer`; `name` itself when there is none. */
function chainEnd(name: string, answer: Record[]): string {
  let target = name;
  for (let step = 0; step < answer.length; step++) {
    const cname = answer.find((rr) => rr.type === 'CNAME' && nameEquals(rr.name, target));
    if (cname === undefined) break;
    target = rdataText(cname);
  }
  return target;
}

/** How long the negative part of an answer holds: each SOA's min(TTL, MINIMUM) (RFC 2308 §5). */
function negativeTtls(authority: Record[]): number[] {
  return authority.filter((rr) => rr.type === 'SOA').map(negativeTtl);
}

/** The A and AAAA records and the RRSIGs over them: replaced by the synthesized AAAA set. */
const notAddress = (rr: Record): boolean => setType(rr) !== 'A' && setType(rr) !== 'AAAA';

async function synthesizeAaaa(q: ClientQuery, signal: AbortSignal, next: QueryHandler, prefix: Pref64, excluded: BlockList): Promise<Answer> {
  const real = await next(q, signal);
  const hasAaaa = real.answer.some((rr) => rr.type === 'AAAA' && !excluded.check(rdataText(rr), 'ipv6'));
  if (real.rcode !== RCODE.NOERROR || hasAaaa) return real;
  const a = await next({ ...q, question: { ...q.question, name: chainEnd(q.question.name, real.answer), type: 'A' } }, signal);
  const addresses = a.answer.filter((rr) => rr.type === 'A');
  if (a.rcode !== RCODE.NOERROR || addresses.length === 0) return real;
  // §5.1.7: the A record's TTL, but no longer than the NODATA that the synthesis stands in for.
  const ttl = Math.min(...addresses.map(ttlOf), ...negativeTtls(real.authority));
  const synthesized = addresses.map((rr): Record => ({ name: rr.name, type: 'AAAA', class: 'IN', ttl, data: embedIpv4(prefix, rdataText(rr)) }));
  return {
    // §5.1.7: the CNAMEs are kept; authority and additional come from the final (A) query.
    ...a, answer: [...real.answer.filter(notAddress), ...a.answer.filter(notAddress), ...synthesized],
    // No AD: the synthesized set has no signature a client could check (§5.5 item 1 forbids AD
    // without DO; item 2 would allow it when the NODATA and the A answer both validated).
    authenticated: false, aa: false,
    // Depends only on the question, the flags the microcache keys on and the config (reload flushes it).
    cacheable: real.cacheable === true && a.cacheable === true && ttl > 0,
  };
}

async function synthesizePtr(q: ClientQuery, signal: AbortSignal, next: QueryHandler, ipv4Name: string): Promise<Answer> {
  const real = await next({ ...q, question: { ...q.question, name: ipv4Name } }, signal);
  if (real.rcode !== RCODE.NOERROR && real.rcode !== RCODE.NXDOMAIN) return real;
  const ttls = [...real.answer.map(ttlOf), ...negativeTtls(real.authority)];
  const ttl = ttls.length > 0 ? Math.min(...ttls) : 0;
  const cname: Record = { name: q.question.name, type: 'CNAME', class: 'IN', ttl, data: ipv4Name };
  return { ...real, answer: [cname, ...real.answer], authenticated: false, aa: false, cacheable: real.cacheable === true && ttl > 0 };
}

/** The DNS64 link for `config` (enabled or not: the caller decides); ConfigError naming `file` for a bad prefix. */
export function dns64Handler(config: Dns64Config, file: string): ChainedHandler {
  const prefix = parsePref64(config.prefix, file, 'dns64.prefix');
  const excluded = new BlockList();
  for (const p of config.exclude) {
    const [address, length] = p.split('/');
    excluded.addSubnet(address, Number(length), 'ipv6');
  }
  return async (q, signal, next) => {
    // §5.5 item 3: with DO and CD set the client validates (and synthesizes) itself: the real answer.
    if (q.question.class !== 'IN' || (q.flags.do && q.flags.cd)) return next(q, signal);
    if (q.question.type === 'AAAA') return synthesizeAaaa(q, signal, next, prefix, excluded);
    const ipv4Name = q.question.type === 'PTR' ? ipv4ReverseName(prefix, q.question.name) : undefined;
    return ipv4Name === undefined ? next(q, signal) : synthesizePtr(q, signal, next, ipv4Name);
  };
}
