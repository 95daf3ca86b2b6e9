/**
 * The local hosts table (`local_hosts`): names and addresses from hosts(5) lines, answered before
 * local zones and the resolver, as Knot Resolver's hints module and dnsmasq answer /etc/hosts.
 * - A and AAAA for a listed name: its addresses of that family, in the order given (ANY: both);
 * - another type for a listed name, or a family it has no address of: NODATA (Knot Resolver's
 *   hints.use_nodata), so the name never leaks to the resolver half-answered;
 * - PTR for the reverse name of a listed address (RFC 1035 §3.5, RFC 3596 §2.5): the canonical
 *   name of the first line giving it (hosts(5): the first name of a line), when `reverse` is on.
 * Answers are not authoritative (AA clear: Ward does not serve the zone) and never validated.
 */
import { readFileSync } from 'node:fs';
import { isIPv4 } from 'node:net';
import type { LocalHostsConfig } from '../config/index.js';
import { ConfigError, errorMessage } from '../util/index.js';
import { addressBytes, normalizeName, RCODE, reverseName, type Record } from '../wire/index.js';
import { parseHostsText } from './hosts-file.js';
import type { Answer, ChainedHandler, ClientQuery } from './types.js';

interface HostName { a: string[]; aaaa: string[] }

export class LocalHosts {
  private readonly names = new Map<string, HostName>();
  private readonly pointers = new Map<string, string>();
  private readonly ttl: number;

  /**
   * Built from `local_hosts` (entries, then files in order). Throws ConfigError naming `source` and the
   * key for an unreadable file or a bad line, so that a broken hosts file never half-loads on reload.
   */
  constructor(config: LocalHostsConfig, source = 'config') {
    this.ttl = config.ttl;
    config.entries.forEach((line, i) => this.add(line, source, `local_hosts.entries[${i}]`, config.reverse, false));
    config.files.forEach((file, i) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (err) {
        throw new ConfigError(source, `local_hosts.files[${i}]`, `a readable hosts file (${errorMessage(err)})`);
      }
      this.add(text, file, `local_hosts.files[${i}]`, config.reverse, true);
    });
  }

  /** The table's content as text: a reload says `local_hosts` was applied when a file changed it. */
  get digest(): string {
    return JSON.stringify([this.ttl, [...this.names], [...this.pointers]]);
  }

  private add(text: string, source: string, key: string, reverse: boolean, isFile: boolean): void {
    const { lines, bad } = parseHostsText(text);
    if (bad.length > 0) {
      const b = bad[0];
      throw new ConfigError(source, isFile ? `${key} line ${b.line}` : key, `a hosts line "address name [name ...]", got "${b.text}" (${b.why})`);
    }
    for (const { address, names } of lines) {
      const bytes = addressBytes(address);
      if (bytes === undefined) continue; // parseHostsText has checked it is an address
      const v4 = isIPv4(address);
      for (const name of names) {
        const entry = this.names.get(name) ?? { a: [], aaaa: [] };
        const list = v4 ? entry.a : entry.aaaa;
        if (!list.includes(address)) list.push(address);
        this.names.set(name, entry);
      }
      const ptr = reverseName(bytes);
      if (reverse && !this.pointers.has(ptr)) this.pointers.set(ptr, names[0]);
    }
  }

  /** The answer from the table, or undefined when the question is not about a listed name or address. */
  answer(q: ClientQuery): Answer | undefined {
    if (q.question.class !== 'IN') return undefined;
    const qname = normalizeName(q.question.name);
    const { type, name } = q.question;
    const record = (t: string, data: string): Record => ({ name, type: t, class: 'IN', ttl: this.ttl, data }) as Record;
    const base = { rcode: RCODE.NOERROR, authority: [], additional: [], authenticated: false, aa: false, cacheable: true, source: 'local' as const };
    const entry = this.names.get(qname);
    if (entry !== undefined) {
      const a = type === 'A' || type === 'ANY' ? entry.a.map((d) => record('A', d)) : [];
      const aaaa = type === 'AAAA' || type === 'ANY' ? entry.aaaa.map((d) => record('AAAA', d)) : [];
      return { ...base, answer: [...a, ...aaaa] };
    }
    const target = this.pointers.get(qname);
    if (target === undefined) return undefined;
    return { ...base, answer: type === 'PTR' || type === 'ANY' ? [record('PTR', target)] : [] };
  }

  /** This table as a link in a handler chain. */
  readonly handler: ChainedHandler = (q, signal, next) => this.answer(q) ?? next(q, signal);
}
