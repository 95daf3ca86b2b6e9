/**
 * Parser of Deckard/testbound `.rpl` scenario files (test infrastructure, not part of Ward):
 * the `key: value` header up to CONFIG_END, SCENARIO_BEGIN, RANGE_BEGIN/ADDRESS/ENTRY blocks and
 * STEP n QUERY | CHECK_ANSWER | TIME_PASSES ELAPSE | REPLY | CHECK_OUT_QUERY | ERROR | TIMEOUT. Records inside entries
 * are parsed by Ward's own presentation parser (src/wire/presentation.ts).
 */
import { parseQuestion, parseZone, FLAG, RCODE, type Question, type Record } from '../../src/wire/index.js';

/** One ENTRY_BEGIN … ENTRY_END block: a message template with match rules and adjustments. */
export interface RplEntry {
  line: number;
  /** MATCH fields with `all` and `question` expanded (Deckard's process_match). */
  match: Set<string>;
  adjust: Set<string>;
  /** Header flag bits from the REPLY line (QR AA TC RD RA AD CD). */
  flags: number;
  rcode: number;
  opcode: number;
  /** DO from the REPLY line (EDNS flag). */
  do: boolean;
  /** Deckard gives every template EDNS (payload 4096) unless an `EDNS … 0` line removes it. */
  edns: boolean;
  /** MANDATORY: the scenario fails unless this entry answered at least one query. */
  mandatory: boolean;
  question: Question[];
  answer: Record[];
  authority: Record[];
  additional: Record[];
  raw?: Buffer;
}

export interface RplRange { line: number; from: number; to: number; addresses: string[]; entries: RplEntry[] }

export interface RplStep {
  line: number;
  id: number;
  type: string;
  /** TIME_PASSES ELAPSE seconds. */
  elapse?: number;
  entry?: RplEntry;
}

export interface Scenario {
  file: string;
  /** Written for Deckard, or for Unbound's testbound (its config has `server:`/`stub-zone:` clauses). */
  dialect: 'deckard' | 'testbound';
  title: string;
  /** Header lines in order (keys repeat, e.g. trust-anchor). */
  config: [string, string][];
  ranges: RplRange[];
  steps: RplStep[];
}

export class RplError extends Error {}

const FLAG_NAMES: { [k: string]: number } = {
  QR: FLAG.QR, AA: FLAG.AA, TC: FLAG.TC, RD: FLAG.RD, RA: FLAG.RA, AD: FLAG.AD, CD: FLAG.CD,
};
const RCODES: { [k: string]: number } = {
  ...RCODE, YXDOMAIN: 6, YXRRSET: 7, NXRRSET: 8, NOTAUTH: 9, NOTZONE: 10, BADVERS: 16,
};
const OPCODES: { [k: string]: number } = { QUERY: 0, IQUERY: 1, STATUS: 2, NOTIFY: 4, UPDATE: 5 };

/** Strips a `;` comment that is not inside quotes. */
function stripComment(line: string): string {
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\') { i++; continue; }
    if (c === '"') quoted = !quoted;
    if (c === ';' && !quoted) return line.slice(0, i);
  }
  return line;
}

function parenDelta(line: string): number {
  let d = 0;
  let quoted = false;
  for (const c of stripComment(line)) {
    if (c === '"') quoted = !quoted;
    else if (!quoted && c === '(') d++;
    else if (!quoted && c === ')') d--;
  }
  return d;
}

const ENTRY_KEYWORDS = new Set([
  'MATCH', 'ADJUST', 'REPLY', 'FLAGS', 'SECTION', 'RAW', 'HEX_ANSWER_BEGIN', 'HEX_ANSWER_END', 'ENTRY_END', 'MANDATORY', 'TSIG', 'EDNS',
]);

/** unbound.conf clauses: a header that has them was written for testbound. */
export const TESTBOUND_CLAUSES = new Set(['server', 'stub-zone', 'forward-zone', 'remote-control', 'auth-zone', 'rpz']);

/** Reads the scenario file text. `file` is used in messages only. */
export function parseRpl(text: string, file: string): Scenario {
  const lines = text.split('\n');
  let i = 0;
  const fail = (msg: string, at = i + 1): never => { throw new RplError(`${file}:${at}: ${msg}`); };
  const words = (l: string): string[] => stripComment(l).trim().split(/\s+/).filter((w) => w !== '');
  const sc: Scenario = { file, dialect: 'deckard', title: '', config: [], ranges: [], steps: [] };

  // Header: key: value lines up to CONFIG_END (or SCENARIO_BEGIN: testbound files without config
  // leave CONFIG_END out); values may continue inside parentheses.
  for (; i < lines.length; i++) {
    let l = stripComment(lines[i]).trim();
    if (l === 'CONFIG_END') { i++; break; }
    if (/^SCENARIO_BEGIN\b/.test(l)) break;
    if (l === '') continue;
    const hash = l.indexOf('#');
    if (hash >= 0) l = l.slice(0, hash).trim();
    // testbound's file blocks hold no config; their lines are not `key: value` either.
    const block = /^(AUTOTRUST_FILE|TEMPFILE_CONTENTS)\b/.exec(l);
    if (block) {
      const end = block[1] === 'AUTOTRUST_FILE' ? 'AUTOTRUST_END' : 'TEMPFILE_END';
      while (i + 1 < lines.length && lines[i + 1].trim() !== end) i++;
      i++;
      continue;
    }
    const m = /^([A-Za-z0-9_-]+)\s*:\s*(.*)$/.exec(l);
    // Like Deckard's parser, a line that is not `key: value` (a testbound COMMANDLINE, say) is skipped.
    if (!m) continue;
    let value = (m as RegExpExecArray)[2].trim();
    let depth = parenDelta(value);
    while (depth > 0 && i + 1 < lines.length) {
      const more = stripComment(lines[++i]).trim();
      value += ' ' + more;
      depth += parenDelta(more);
    }
    for (const [k, v] of configPairs((m as RegExpExecArray)[1], value)) sc.config.push([k, v.replace(/^["']|["']$/g, '')]);
  }

  if (sc.config.some(([k, v]) => v === '' && TESTBOUND_CLAUSES.has(k))) sc.dialect = 'testbound';

  const readEntry = (): RplEntry => {
    const e: RplEntry = {
      line: i + 1, match: new Set(), adjust: new Set(), flags: 0, rcode: 0, opcode: 0, do: false, edns: true, mandatory: false,
      question: [], answer: [], authority: [], additional: [],
    };
    let section: 'question' | 'answer' | 'authority' | 'additional' | 'raw' | undefined;
    let depth = 0;
    let pending: { text: string; line: number }[] = [];
    const flush = (): void => {
      try {
        readSection();
      } catch (err) {
        if (err instanceof RplError) throw err;
        throw new RplError(`${file}: ${err instanceof Error ? err.message : String(err)}`);
      }
      pending = [];
    };
    const readSection = (): void => {
      if (section === 'raw') {
        const hex = pending.map((p) => stripComment(p.text).trim()).join('').replace(/\s+/g, '');
        if (!/^([0-9a-fA-F]{2})*$/.test(hex)) fail('bad RAW hex', pending[0]?.line);
        e.raw = Buffer.from(hex, 'hex');
      } else if (section === 'question') {
        for (const p of pending) if (stripComment(p.text).trim() !== '') e.question.push(parseQuestion(withoutTtl(p.text), { firstLine: p.line }) as Question);
      } else if (section && pending.length > 0) {
        const body = pending.map((p) => p.text.replace(/^\s+/, '')).join('\n');
        e[section].push(...parseZone(body, { firstLine: pending[0].line }));
      }
    };
    for (i++; i < lines.length; i++) {
      const w = words(lines[i]);
      const key = w[0]?.toUpperCase();
      if (depth === 0 && key !== undefined && ENTRY_KEYWORDS.has(key)) {
        if (key === 'ENTRY_END') { flush(); e.match = expandMatch(e.match); return e; }
        if (key === 'MATCH') for (const f of w.slice(1)) e.match.add(f.toLowerCase());
        else if (key === 'ADJUST') for (const f of w.slice(1)) e.adjust.add(f.toLowerCase());
        else if (key === 'REPLY' || key === 'FLAGS') applyReply(e, w.slice(1), () => fail('bad REPLY line'));
        else if (key === 'EDNS') e.edns = !(w[2] === '0');
        else if (key === 'MANDATORY') e.mandatory = true;
        else if (key === 'HEX_ANSWER_END') { flush(); section = undefined; }
        else if (key === 'SECTION' || key === 'RAW' || key === 'HEX_ANSWER_BEGIN') {
          flush();
          // testbound's HEX_ANSWER_BEGIN … HEX_ANSWER_END is Deckard's RAW: the whole reply in hex.
          section = key === 'SECTION' ? (w[1]?.toLowerCase() as typeof section) : 'raw';
          if (!['question', 'answer', 'authority', 'additional', 'raw'].includes(section ?? '')) fail(`bad SECTION ${w[1]}`);
        }
        continue;
      }
      if (section) pending.push({ text: lines[i], line: i + 1 });
      depth += parenDelta(lines[i]);
    }
    return fail('ENTRY_BEGIN without ENTRY_END', e.line);
  };

  for (; i < lines.length; i++) {
    const w = words(lines[i]);
    if (w.length === 0) continue;
    switch (w[0]) {
      case 'SCENARIO_BEGIN': sc.title = stripComment(lines[i]).trim().slice('SCENARIO_BEGIN'.length).trim(); break;
      case 'SCENARIO_END': return finish(sc);
      case 'RANGE_BEGIN': {
        const r: RplRange = { line: i + 1, from: Number(w[1]), to: Number(w[2]), addresses: [], entries: [] };
        if (!Number.isInteger(r.from) || !Number.isInteger(r.to)) fail('bad RANGE_BEGIN');
        for (i++; i < lines.length; i++) {
          const rw = words(lines[i]);
          if (rw[0] === 'RANGE_END') break;
          if (rw[0] === 'ADDRESS') r.addresses.push(rw[1]);
          else if (rw[0] === 'ENTRY_BEGIN') r.entries.push(readEntry());
          else if (rw.length > 0) fail(`unexpected "${rw[0]}" in RANGE`);
        }
        sc.ranges.push(r);
        break;
      }
      case 'STEP': {
        const step: RplStep = { line: i + 1, id: Number(w[1]), type: w[2] ?? '' };
        if (!Number.isInteger(step.id)) fail('bad STEP number');
        if (step.type === 'TIME_PASSES') {
          if (w[3] !== 'ELAPSE' || !/^\d+$/.test(w[4] ?? '')) fail('TIME_PASSES needs ELAPSE seconds');
          step.elapse = Number(w[4]);
        }
        if (['QUERY', 'CHECK_ANSWER', 'REPLY', 'CHECK_OUT_QUERY'].includes(step.type)) {
          while (i + 1 < lines.length && words(lines[i + 1]).length === 0) i++;
          if (words(lines[i + 1] ?? '')[0] !== 'ENTRY_BEGIN') fail(`STEP ${step.id} ${step.type} needs an entry`);
          i++;
          step.entry = readEntry();
        }
        sc.steps.push(step);
        break;
      }
      default: fail(`unexpected "${w[0]}"`);
    }
  }
  return finish(sc); // SCENARIO_END is missing in a few files; Deckard accepts that too
}

/** testbound reads a question line as a record, so a TTL in it (`example.com. 10 IN NS`) is read and ignored. */
function withoutTtl(line: string): string {
  return line.replace(/^(\s*\S+\s+)\d+\s+(?=\S)/, '$1');
}

/**
 * The `key: value` pairs of one header line. unbound.conf lets one line hold several
 * (`forward-zone: name: "." forward-addr: 192.0.2.1`): a bare word ending in a colon outside
 * quotes and parentheses starts the next pair.
 */
function configPairs(key: string, value: string): [string, string][] {
  const pairs: [string, string][] = [];
  let current: [string, string[]] = [key, []];
  let quoted = false;
  let depth = 0;
  for (const word of value.split(/\s+/).filter((w) => w !== '')) {
    if (!quoted && depth === 0 && /^[A-Za-z][A-Za-z0-9_-]*:$/.test(word)) {
      pairs.push([current[0], current[1].join(' ')]);
      current = [word.slice(0, -1), []];
      continue;
    }
    for (const c of word) {
      if (c === '"') quoted = !quoted;
      else if (!quoted && c === '(') depth++;
      else if (!quoted && c === ')') depth--;
    }
    current[1].push(word);
  }
  pairs.push([current[0], current[1].join(' ')]);
  return pairs;
}

function finish(sc: Scenario): Scenario {
  if (sc.steps.length === 0) throw new RplError(`${sc.file}: no steps`);
  return sc;
}

function applyReply(e: RplEntry, words: string[], fail: () => never): void {
  for (const w of words) {
    const up = w.toUpperCase();
    if (FLAG_NAMES[up] !== undefined) e.flags |= FLAG_NAMES[up];
    else if (RCODES[up] !== undefined) e.rcode = RCODES[up];
    else if (OPCODES[up] !== undefined) e.opcode = OPCODES[up];
    else if (up === 'DO') e.do = true;
    else fail();
  }
}

/** Deckard's expansion of MATCH shorthands. */
export function expandMatch(fields: Set<string>): Set<string> {
  const out = new Set(fields);
  // testbound's all_noedns: `all` without the EDNS record, which `all` does not compare here anyway.
  const all = out.delete('all');
  if (out.delete('all_noedns') || all) for (const f of ['opcode', 'qtype', 'qname', 'flags', 'rcode', 'answer', 'authority', 'additional']) out.add(f);
  if (out.delete('question')) { out.add('qtype'); out.add('qname'); }
  return out;
}
