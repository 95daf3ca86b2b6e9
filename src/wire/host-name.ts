/**
 * Names written in text files (block lists, hosts files, RPZ triggers) in their wire form: lowercased
 * ASCII without the final dot, UTF-8 names turned into their punycode A-labels (IDNA, RFC 5891);
 * anything else is not a name.
 */
import { domainToASCII } from 'node:url';

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** The wire form of a name written in a text file, or undefined when it is no domain name. */
export function hostName(text: string): string | undefined {
  let n = text.trim().toLowerCase().replace(/\.$/, '');
  if (n === '') return undefined;
  // eslint-disable-next-line no-control-regex
  if (/[^\x00-\x7f]/.test(n)) {
    n = domainToASCII(n);
    if (n === '') return undefined;
  }
  if (n.length > 253) return undefined;
  return n.split('.').every((l) => LABEL.test(l)) ? n : undefined;
}
