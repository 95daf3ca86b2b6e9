/**
 * hosts(5) text: `address canonical_name [alias ...]` per line, `#` starts a comment. Shared by the
 * local hosts table (answers) and block lists in hosts format (where only the names count).
 */
import { isIP } from 'node:net';
import { textLines, type BadLine } from '../util/index.js';
import { hostName } from '../wire/index.js';

/** One line: its address and its names in wire form (the canonical name first). */
export interface HostsLine { line: number; address: string; names: string[] }

export interface ParsedHosts { lines: HostsLine[]; bad: BadLine[] }

/**
 * The lines of a hosts file. A line whose address is not an IP address is bad; a name that is not a
 * domain name is reported and the line's other names kept. `skip` drops names before they are checked
 * (block lists leave out the files' own loopback entries).
 */
export function parseHostsText(text: string, skip: (name: string) => boolean = () => false): ParsedHosts {
  const out: ParsedHosts = { lines: [], bad: [] };
  for (const { no, text: t } of textLines(text, /#.*$/)) {
    const [address, ...tokens] = t.split(/\s+/);
    if (isIP(address) === 0) { out.bad.push({ line: no, text: t, why: `"${address}" is not an IP address` }); continue; }
    if (tokens.length === 0) { out.bad.push({ line: no, text: t, why: 'no name after the address' }); continue; }
    const names: string[] = [];
    for (const token of tokens) {
      if (skip(token)) continue;
      const name = hostName(token);
      if (name === undefined) out.bad.push({ line: no, text: t, why: `"${token}" is not a domain name` });
      else names.push(name);
    }
    if (names.length > 0) out.lines.push({ line: no, address, names });
  }
  return out;
}
