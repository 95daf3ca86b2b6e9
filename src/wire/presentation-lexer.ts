/**
 * The lexer of zone-file text (RFC 1035 §5.1): splits text into logical entries of tokens.
 * Handles `;` comments, parentheses that continue an entry over several lines, quoted strings
 * and backslash escapes (kept raw in the token text; the name and string parsers interpret them).
 * Pure text handling: no DNS knowledge, no I/O.
 */
import { WardError } from '../util/index.js';

/** One token; `quoted` tokens came from "..." and may be empty or contain blanks. */
export interface Token { text: string; quoted: boolean }

/** One logical entry: a record or a directive, possibly spanning lines. */
export interface Entry {
  tokens: Token[];
  /** 1-based line number where the entry starts (plus the caller's line offset). */
  line: number;
  /** The entry's line started with a blank: the owner is the previous owner (RFC 1035 §5.1). */
  blankOwner: boolean;
}

/** Splits `text` into entries; `firstLine` numbers the first line (for error messages). */
export function lexEntries(text: string, firstLine = 1): Entry[] {
  const entries: Entry[] = [];
  let line = firstLine;
  let depth = 0;
  let tokens: Token[] = [];
  let entryLine = line;
  let blankOwner = false;
  let atLineStart = true;
  let openLine = line;
  let i = 0;
  const fail = (msg: string): never => { throw new WardError('ERR_PRESENTATION', `line ${line}: ${msg}`); };
  const endEntry = (): void => {
    if (tokens.length > 0) entries.push({ tokens, line: entryLine, blankOwner });
    tokens = [];
  };
  const startToken = (): void => {
    if (tokens.length === 0 && depth === 0) entryLine = line;
  };

  while (i < text.length) {
    const c = text[i];
    if (atLineStart) {
      if (depth === 0) blankOwner = c === ' ' || c === '\t';
      atLineStart = false;
    }
    if (c === '\n') {
      line++;
      i++;
      atLineStart = true;
      if (depth === 0) endEntry();
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') { i++; continue; }
    if (c === ';') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === '(') {
      startToken();
      if (depth === 0) openLine = line;
      depth++;
      i++;
      continue;
    }
    if (c === ')') {
      if (depth === 0) fail('unbalanced )');
      depth--;
      i++;
      continue;
    }
    startToken();
    if (c === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) { s += text[i] + text[i + 1]; i += 2; continue; }
        if (text[i] === '\n') line++;
        s += text[i++];
      }
      if (i >= text.length) fail('unterminated quoted string');
      i++;
      tokens.push({ text: s, quoted: true });
      continue;
    }
    let s = '';
    while (i < text.length) {
      const d = text[i];
      if (d === '\\' && i + 1 < text.length) { s += d + text[i + 1]; i += 2; continue; }
      if (d === ' ' || d === '\t' || d === '\r' || d === '\n' || d === ';' || d === '(' || d === ')' || d === '"') break;
      s += d;
      i++;
    }
    tokens.push({ text: s, quoted: false });
  }
  if (depth !== 0) fail(`unbalanced ( opened on line ${openLine}`);
  endEntry();
  return entries;
}
