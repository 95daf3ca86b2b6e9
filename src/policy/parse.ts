/**
 * Tolerant line parsers for block and allow lists: every good line is kept, every bad one is reported
 * with its line number (the caller adds the file), and rule kinds Ward does not apply are counted as
 * skipped. Formats:
 * - hosts: `0.0.0.0 name [name ...]` (any address; `#` comments); the names match exactly.
 * - domains: one name a line; `*.name` matches the names below it only.
 * - adblock: `||name^` blocks the name and everything below it; `@@||name^` is an exception (an
 *   allow entry); `$important` wins over exceptions; other rules (paths, cosmetic, options) are skipped.
 * RPZ zone files have their own parser (rpz.ts).
 */
import { isIP } from 'node:net';
import { parseHostsText } from '../server/index.js';
import { textLines, type BadLine } from '../util/index.js';
import { hostName } from '../wire/index.js';

/** How an entry matches: the name itself, the names strictly below it, or both. */
export interface ListEntry {
  name: string;
  exact: boolean;
  below: boolean;
  /** An exception inside a block list (adblock `@@`). */
  allow?: boolean;
  /** adblock `$important`: wins over exceptions and allowlists. */
  important?: boolean;
}

export interface ParsedList<E = ListEntry> {
  entries: E[];
  bad: BadLine[];
  /** Lines of rule kinds not applied (adblock paths, cosmetic rules, unknown options). */
  skipped: number;
}

export type ListFormat = 'hosts' | 'domains' | 'adblock' | 'rpz';

/** A wildcard-or-name token: `*.name` (below only) or `name` (exact). */
function nameEntry(token: string): ListEntry | undefined {
  const wildcard = token.startsWith('*.');
  const name = hostName(wildcard ? token.slice(2) : token);
  return name === undefined ? undefined : { name, exact: !wildcard, below: wildcard };
}

/** The hosts files' own loopback entries, which are not blocks. */
function loopbackEntry(n: string): boolean {
  return n === 'localhost' || n === 'localhost.localdomain' || n === 'broadcasthost' || n === 'local' || isIP(n) !== 0;
}

export function parseHosts(text: string): ParsedList {
  const { lines, bad } = parseHostsText(text, loopbackEntry);
  return { entries: lines.flatMap((l) => l.names.map((name) => ({ name, exact: true, below: false }))), bad, skipped: 0 };
}

export function parseDomains(text: string): ParsedList {
  const out: ParsedList = { entries: [], bad: [], skipped: 0 };
  for (const { no, text: t } of textLines(text, /#.*$/)) {
    const e = t.includes(' ') ? undefined : nameEntry(t);
    if (e) out.entries.push(e); else out.bad.push({ line: no, text: t, why: 'expected one domain name (or *.name)' });
  }
  return out;
}

const ADBLOCK_RULE = /^(@@)?\|\|([^\s/^$|*]+)\^(\$(.*))?$/;

export function parseAdblock(text: string): ParsedList {
  const out: ParsedList = { entries: [], bad: [], skipped: 0 };
  // `!` starts a comment; so does `#`, except the cosmetic markers ##, #@# and #?# (counted as skipped).
  for (const { no, text: t } of textLines(text, /^(!|#(?!#|@#|\?#)).*$/)) {
    if (t.startsWith('[')) continue; // [Adblock Plus 2.0] header
    const m = ADBLOCK_RULE.exec(t);
    if (!m) {
      // Cosmetic rules, paths, regexes and bare patterns act on pages, not on names.
      if (/^(@@)?\|\|/.test(t) && !/[/*]/.test(t)) out.bad.push({ line: no, text: t, why: 'expected ||name^ with a domain name' });
      else if (/##|#@#|#\?#|^\/|^[|@]|[/*]/.test(t)) out.skipped++;
      else { const e = nameEntry(t); if (e) out.entries.push({ ...e, below: true }); else out.bad.push({ line: no, text: t, why: 'not an adblock rule' }); }
      continue;
    }
    const options = m[4]?.split(',').map((o) => o.trim()).filter((o) => o !== '') ?? [];
    if (options.some((o) => o !== 'important')) { out.skipped++; continue; }
    const name = hostName(m[2]);
    if (name === undefined) { out.bad.push({ line: no, text: t, why: `"${m[2]}" is not a domain name` }); continue; }
    out.entries.push({
      name, exact: true, below: true, ...(m[1] ? { allow: true } : {}), ...(options.includes('important') ? { important: true } : {}),
    });
  }
  return out;
}
