/**
 * A block decision as an answer: NXDOMAIN or NODATA with an SOA (so clients cache the block for
 * policy.blocked_ttl, RFC 2308 §5), the null address (0.0.0.0, ::), REFUSED, a redirect, no answer
 * (drop), or RPZ local data. Every one carries Extended DNS Error 15 Blocked or 17 Filtered naming
 * the list (RFC 8914 §4.16, §4.18), and is marked as policy data: it never enters the RRset cache.
 */
import { isIP } from 'node:net';
import { declaredTtl, EDE_CODE, RCODE, type Record } from '../wire/index.js';
import type { PolicyConfig } from '../config/index.js';
import type { Answer, ClientQuery } from '../server/index.js';
import type { Decision } from './engine.js';

type Block = Extract<Decision, { kind: 'block' }>;

function soa(zone: string, ttl: number): Record {
  return {
    name: zone, type: 'SOA', class: 'IN', ttl,
    data: { mname: 'blocked.ward.invalid', rname: 'nobody.ward.invalid', serial: 1, refresh: 3600, retry: 600, expire: 86400, minimum: ttl },
  } as Record;
}

const actionName = (a: Block['action']): string => (typeof a === 'string' ? a : a.kind);

export function blockedAnswer(d: Block, q: ClientQuery, policy: PolicyConfig): Answer {
  const list = policy.lists[d.list];
  const ttl = policy.blocked_ttl;
  const ede = [{ infoCode: list.ede === 'filtered' ? EDE_CODE.FILTERED : EDE_CODE.BLOCKED, extraText: `blocked by list ${list.name}` }];
  // Not microcached: every blocked query goes through the policy stage, so its counters (ward stats,
  // the status page) see each one; the answer is made without the resolver anyway.
  const base = {
    additional: [], authenticated: false, ede, cacheable: false, source: 'policy' as const,
    policy: { list: list.name, action: actionName(d.action) },
  };
  const qname = q.question.name;
  const nodata = (): Answer => ({ ...base, rcode: RCODE.NOERROR, answer: [], authority: [soa(d.entry, ttl)] });
  const addresses = (addrs: string[]): Answer => {
    const family = q.question.type === 'A' ? 4 : q.question.type === 'AAAA' ? 6 : 0;
    const mine = addrs.filter((a) => isIP(a) === family);
    if (mine.length === 0) return nodata();
    return { ...base, rcode: RCODE.NOERROR, answer: mine.map((a) => ({ name: qname, type: q.question.type, class: 'IN', ttl, data: a }) as Record), authority: [] };
  };
  const a = d.action;
  switch (typeof a === 'string' ? a : a.kind) {
    case 'nxdomain': return { ...base, rcode: RCODE.NXDOMAIN, answer: [], authority: [soa(d.entry, ttl)] };
    case 'nodata': return nodata();
    case 'null_address': return addresses(['0.0.0.0', '::']);
    case 'redirect': return addresses(list.redirect);
    case 'refused': return { ...base, rcode: RCODE.REFUSED, answer: [], authority: [] };
    case 'drop': return { ...base, rcode: RCODE.REFUSED, answer: [], authority: [], drop: true };
    default: {
      // RPZ local data: the records of the asked type (or a CNAME), owned by the question name.
      const records = typeof a === 'string' || a.kind !== 'local' ? [] : a.records;
      const hit = records.filter((r) => r.type === q.question.type || r.type === 'CNAME');
      if (hit.length === 0) return nodata();
      return { ...base, rcode: RCODE.NOERROR, answer: hit.map((r) => ({ ...r, name: qname, ttl: Math.min(ttl, declaredTtl(r) ?? ttl) }) as Record), authority: [] };
    }
  }
}
