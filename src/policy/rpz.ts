/**
 * RPZ zone files (draft-vixie-dnsop-dns-rpz, as BIND, Unbound and Knot Resolver read them): QNAME
 * triggers only. The owner, relative to the zone's apex, is the trigger: `name` matches the name,
 * `*.name` the names below it. The action is the RRset at the trigger:
 *   CNAME .              NXDOMAIN          CNAME *.            NODATA
 *   CNAME rpz-passthru.  let it through    CNAME rpz-drop.     no answer at all
 *   anything else        local data: the records answer (a CNAME to another name rewrites to it)
 * RPZ-IP, NSDNAME, NSIP and client-IP triggers are refused line by line with a message saying so.
 */
import { hostName, parseZoneLines, rdataOf, type Record } from '../wire/index.js';
import type { ParsedList } from './parse.js';

export type RpzAction = { kind: 'nxdomain' } | { kind: 'nodata' } | { kind: 'passthru' } | { kind: 'drop' } | { kind: 'local'; records: Record[] };

export interface RpzEntry { name: string; exact: boolean; below: boolean; action: RpzAction }

const UNSUPPORTED: { [label: string]: string } = {
  'rpz-ip': 'RPZ-IP (response IP) triggers are not supported',
  'rpz-nsdname': 'NSDNAME triggers are not supported',
  'rpz-nsip': 'NSIP triggers are not supported',
  'rpz-client-ip': 'client-IP triggers are not supported',
};

function actionOf(records: Record[]): RpzAction {
  const cname = records.find((r) => r.type === 'CNAME');
  if (cname) {
    const target = String(rdataOf(cname)).toLowerCase().replace(/\.$/, '');
    if (target === '' || target === '.') return { kind: 'nxdomain' };
    if (target === '*') return { kind: 'nodata' };
    if (target === 'rpz-passthru') return { kind: 'passthru' };
    if (target === 'rpz-drop') return { kind: 'drop' };
  }
  return { kind: 'local', records };
}

export function parseRpz(text: string): ParsedList<RpzEntry> {
  // Names are kept relative to a neutral origin, so the apex can be cut off whatever it is.
  const { records, bad } = parseZoneLines(text, { origin: 'rpz.invalid.', defaultTtl: 60 });
  const out: ParsedList<RpzEntry> = { entries: [], bad: bad.map((b) => ({ line: b.line, text: '', why: b.why })), skipped: 0 };
  const soa = records.find((r) => r.rr.type === 'SOA');
  const apex = (soa ? soa.rr.name : 'rpz.invalid').toLowerCase();
  const byTrigger = new Map<string, { line: number; records: Record[] }>();
  for (const { rr, line } of records) {
    const owner = rr.name.toLowerCase();
    if (owner === apex) continue; // SOA, NS of the policy zone itself
    if (!owner.endsWith(`.${apex}`)) { out.bad.push({ line, text: owner, why: `owner outside the policy zone ${apex}` }); continue; }
    const relative = owner.slice(0, -apex.length - 1);
    const labels = relative.split('.');
    const why = UNSUPPORTED[labels[labels.length - 1]];
    if (why) { out.bad.push({ line, text: relative, why }); continue; }
    const t = byTrigger.get(relative) ?? { line, records: [] };
    // Local data keeps the owner it will answer for: the trigger's own name.
    t.records.push(rr);
    byTrigger.set(relative, t);
  }
  for (const [trigger, { line, records: rrs }] of byTrigger) {
    const wildcard = trigger.startsWith('*.');
    const name = hostName(wildcard ? trigger.slice(2) : trigger);
    if (name === undefined) { out.bad.push({ line, text: trigger, why: 'not a domain name' }); continue; }
    out.entries.push({ name, exact: !wildcard, below: wildcard, action: actionOf(rrs) });
  }
  return out;
}
