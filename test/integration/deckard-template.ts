/**
 * What CZ.NIC Deckard does before it starts a resolver, without Deckard (it is not packaged), for
 * test/integration/deckard-harness.test.ts: the template variables it derives from a scenario's
 * CONFIG_END header (pydnstest/scenario.py parse_config plus deckard.py setup_daemon_environment),
 * a renderer for the small Jinja2 subset deckard/ward.yaml.j2 uses, and the libfaketime timestamp
 * file Deckard writes for the start time and for each TIME_PASSES step.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { Scenario } from '../scenarios/rpl-parse.js';

export type TemplateContext = { [name: string]: unknown };

/** Deckard's str2bool, as the 'true'/'false' strings its templates compare against. */
function flag(v: string): string {
  return String(['yes', 'true', 'on', '1'].includes(v.trim().toLowerCase()));
}

/** `YYYYMMDDHHMMSS` (UTC, calendar.timegm in Deckard) as POSIX seconds. */
function overrideDate(v: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v.trim());
  if (!m) throw new Error(`bad val-override-date ${v}`);
  return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
}

/**
 * The template variables for one scenario and the program's address, and the faked start time
 * (POSIX seconds) when the header fixes one. Header keys Deckard's current parse_config does not know
 * (do-ip4, do-ip6, forward-addr) become DO_IP4, DO_IP6 and FORWARD_ADDR, as the template accepts them.
 */
export function deckardContext(sc: Scenario, selfAddr: string, workingDir: string): { ctx: TemplateContext; startSeconds?: number } {
  const ctx: TemplateContext = {
    SELF_ADDR: selfAddr, WORKING_DIR: workingDir, DAEMON_NAME: 'ward', QMIN: 'true', DO_NOT_QUERY_LOCALHOST: 'true',
    HARDEN_GLUE: 'true', TRUST_ANCHORS: [], NEGATIVE_TRUST_ANCHORS: [], FEATURES: {},
  };
  let startSeconds: number | undefined;
  const unquote = (v: string): string => v.trim().replace(/^["']|["']$/g, '');
  for (const [key, value] of sc.config) {
    switch (key) {
      case 'query-minimization': ctx.QMIN = flag(value); break;
      case 'do-not-query-localhost': ctx.DO_NOT_QUERY_LOCALHOST = flag(value); break;
      case 'harden-glue': ctx.HARDEN_GLUE = flag(value); break;
      case 'trust-anchor': (ctx.TRUST_ANCHORS as string[]).push(unquote(value)); break;
      case 'domain-insecure': (ctx.NEGATIVE_TRUST_ANCHORS as string[]).push(value); break;
      case 'stub-addr': ctx.ROOT_ADDR = unquote(value); break;
      case 'val-override-date': startSeconds = overrideDate(unquote(value)); break;
      case 'val-override-timestamp': startSeconds = Number(unquote(value)); break;
      case 'features':
        for (const item of value.split(';')) {
          const eq = item.indexOf('=');
          const [k, v] = eq < 0 ? [item.trim(), ''] : [item.slice(0, eq).trim(), item.slice(eq + 1).trim()];
          (ctx.FEATURES as TemplateContext)[k] = v;
        }
        break;
      case 'do-ip4': ctx.DO_IP4 = flag(value); break;
      case 'do-ip6': ctx.DO_IP6 = flag(value); break;
      case 'forward-addr': ctx.FORWARD_ADDR = unquote(value); break;
      default: break;
    }
  }
  return { ctx, startSeconds };
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'var'; path: string }
  | { kind: 'if'; cond: string; then: Node[]; else: Node[] }
  | { kind: 'for'; name: string; list: string; body: Node[] };

type Token = { text: string } | { expr: string } | { stmt: string };

function lookup(path: string, ctx: TemplateContext): unknown {
  let v: unknown = ctx;
  for (const part of path.split('.')) {
    if (v === null || typeof v !== 'object' || !(part in v)) return undefined;
    v = (v as TemplateContext)[part];
  }
  return v;
}

/** `A == "x"`, `A is defined`, joined by `or`: all the template needs. */
function test(cond: string, ctx: TemplateContext): boolean {
  return cond.split(/\s+or\s+/).some((atom) => {
    const defined = /^([\w.]+) is defined$/.exec(atom.trim());
    if (defined) return lookup(defined[1], ctx) !== undefined;
    const eq = /^([\w.]+) == "([^"]*)"$/.exec(atom.trim());
    if (eq) return lookup(eq[1], ctx) !== undefined && String(lookup(eq[1], ctx)) === eq[2];
    throw new Error(`template condition not supported by this renderer: ${atom}`);
  });
}

function parse(tokens: Token[], pos: { i: number }, until: string[]): { nodes: Node[]; end: string } {
  const nodes: Node[] = [];
  while (pos.i < tokens.length) {
    const t = tokens[pos.i++];
    if ('text' in t) nodes.push({ kind: 'text', text: t.text });
    else if ('expr' in t) nodes.push({ kind: 'var', path: t.expr });
    else if (until.includes(t.stmt)) return { nodes, end: t.stmt };
    else if (t.stmt.startsWith('if ')) {
      const then = parse(tokens, pos, ['else', 'endif']);
      const other = then.end === 'else' ? parse(tokens, pos, ['endif']).nodes : [];
      nodes.push({ kind: 'if', cond: t.stmt.slice(3), then: then.nodes, else: other });
    } else {
      const m = /^for (\w+) in ([\w.]+)$/.exec(t.stmt);
      if (!m) throw new Error(`template statement not supported by this renderer: ${t.stmt}`);
      nodes.push({ kind: 'for', name: m[1], list: m[2], body: parse(tokens, pos, ['endfor']).nodes });
    }
  }
  if (until.length > 0) throw new Error(`template ends before {% ${until.join(' / ')} %}`);
  return { nodes, end: '' };
}

function render(nodes: Node[], ctx: TemplateContext): string {
  return nodes.map((n) => {
    if (n.kind === 'text') return n.text;
    if (n.kind === 'var') return String(lookup(n.path, ctx) ?? '');
    if (n.kind === 'if') return render(test(n.cond, ctx) ? n.then : n.else, ctx);
    const list = lookup(n.list, ctx);
    return (Array.isArray(list) ? list : []).map((item) => render(n.body, { ...ctx, [n.name]: item })).join('');
  }).join('');
}

/** Renders a template as Jinja2's default environment does (no block trimming, final newline dropped). */
export function renderTemplate(source: string, ctx: TemplateContext): string {
  const tokens: Token[] = [];
  let last = 0;
  for (const m of source.matchAll(/\{\{(.*?)\}\}|\{%(.*?)%\}/gs)) {
    tokens.push({ text: source.slice(last, m.index) });
    tokens.push(m[1] !== undefined ? { expr: m[1].trim() } : { stmt: m[2].trim() });
    last = (m.index ?? 0) + m[0].length;
  }
  tokens.push({ text: source.slice(last) });
  return render(parse(tokens, { i: 0 }, []).nodes, ctx).replace(/\n$/, '');
}

/** `@YYYY-MM-DD HH:MM:SS`, libfaketime's "start at" format (UTC: the resolver runs with TZ=UTC). */
function faketimeStamp(seconds: number): string {
  return `@${new Date(seconds * 1000).toISOString().slice(0, 19).replace('T', ' ')}`;
}

/** Writes the timestamp file as Deckard does at start (the override, or now). */
export function writeTimestampFile(path: string, seconds: number): void {
  writeFileSync(path, `${faketimeStamp(Math.floor(seconds))}\n`);
}

/** TIME_PASSES ELAPSE s: the file's time plus s, replaced atomically (Deckard's __time_passes). */
export function timePasses(path: string, elapseSeconds: number): void {
  const m = /^@(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(readFileSync(path, 'utf8'));
  if (!m) throw new Error(`bad timestamp file ${path}`);
  const now = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) / 1000;
  writeFileSync(`${path}.next`, `${faketimeStamp(now + elapseSeconds)}\n`);
  renameSync(`${path}.next`, path);
}
