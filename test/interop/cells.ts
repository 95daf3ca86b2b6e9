/**
 * From observations to verdicts: each function takes what a run showed (a program's output, the
 * sessions Ward recorded, what an observing relay counted) and says yes or no, with the evidence
 * text. A verdict is `yes` only when the observation shows the behaviour; these are pure functions,
 * unit-tested in interop.test.ts with observations of a feature turned off.
 */
import type { Cell, Evidence } from './types.js';
import type { SessionView } from './ward-wire.js';

/** A command as run and its output, as a program module records it. */
export interface CommandRun { command: string; out: string }

export function cell(ok: boolean, evidence: Evidence[]): Cell {
  return { verdict: ok ? 'yes' : 'no', evidence };
}

export function notApplicable(reason: string): Cell {
  return { verdict: 'n.a.', evidence: [], reason };
}

/** `no` for a feature the program does not offer, with what shows it (e.g. its help text). */
export function notOffered(reason: string, evidence: Evidence[] = []): Cell {
  return { verdict: 'no', evidence, reason };
}

/** A short account of Ward's sessions: per connection its queries, options and reply order. */
export function describeSessions(sessions: SessionView[]): string {
  if (sessions.length === 0) return 'Ward saw no TCP/TLS connection';
  const each = sessions.map((s) => {
    const q = s.queries;
    const pad = q.filter((x) => x.padding !== null).length;
    const out = s.role === 'outbound';
    return `#${s.sid} ${s.transport} ${out ? 'to' : 'from'} ${s.peer}${opened(s)}: ${q.length} quer${q.length === 1 ? 'y' : 'ies'} `
      + `[${q.map((x) => `${x.name} id ${x.id} len ${x.len}`).join(', ')}], in flight up to ${Math.max(0, ...q.map((x) => x.inflight))}, `
      + `keepalive ${q.filter((x) => x.keepalive).length}/${q.length}, padding ${pad}/${q.length}; `
      + `replies ${out ? 'read' : 'written'} [${s.replies.map((r) => `id ${r.id} len ${r.len}${r.keepaliveTimeout != null ? ` keepalive ${r.keepaliveTimeout}` : ''}`).join(', ')}]`
      + (out && s.closed ? `; closed (${s.closed.reason}, idle timeout ${s.closed.idleMs} ms)` : '');
  });
  return `Ward saw ${sessions.length} connection(s): ${each.join('; ')}`;
}

/** How an outbound connection was opened, for the evidence text. */
function opened(s: SessionView): string {
  if (!s.opened || s.transport !== 'tls') return '';
  return ` (TLS ${s.opened.resumed ? 'resumed' : 'full handshake'}, ${s.opened.authenticated ? '' : 'un'}authenticated)`;
}

function on(sessions: SessionView[], transport?: string): SessionView[] {
  return transport === undefined ? sessions : sessions.filter((s) => s.transport === transport);
}

/** The program printed the expected answer and, over a stream, Ward saw a connection of that transport. */
export function answered(run: CommandRun, expected: RegExp, sessions?: SessionView[], transport?: string): Cell {
  const printed = expected.test(run.out);
  const streamOk = sessions === undefined || on(sessions, transport).length > 0;
  const observed = `${printed ? 'answer printed' : 'expected answer NOT printed'} (${excerpt(run.out, expected)})`
    + (sessions === undefined ? '' : `; ${describeSessions(sessions)}`);
  return cell(printed && streamOk, [{ command: run.command, observed }]);
}

/** Authentication works only when the right credential answers and a wrong one gets no answer. */
export function authenticated(good: CommandRun, bad: CommandRun, expected: RegExp, sessions: SessionView[]): Cell {
  const ok = expected.test(good.out) && on(sessions, 'tls').length > 0;
  const refused = !expected.test(bad.out);
  return cell(ok && refused, [
    { command: good.command, observed: `${ok ? 'answered over TLS' : 'NOT answered over TLS'}; ${describeSessions(sessions)}` },
    { command: bad.command, observed: refused ? `no answer with the wrong credential (${excerpt(bad.out)})` : 'ANSWERED despite the wrong credential' },
  ]);
}

/** Reuse: some connection carried more than one query. */
export function reuse(command: string, sessions: SessionView[]): Cell {
  return cell(sessions.some((s) => s.queries.length >= 2), [{ command, observed: describeSessions(sessions) }]);
}

/** Pipelining: a query was read while an earlier one on the same connection was still unanswered. */
export function pipelining(command: string, sessions: SessionView[]): Cell {
  return cell(sessions.some((s) => s.queries.some((q) => q.inflight >= 2)), [{ command, observed: describeSessions(sessions) }]);
}

/**
 * Out of order (RFC 7766 §7): on one connection the slow question was read before the fast one,
 * the fast reply was written first, and the program accepted both answers.
 */
export function outOfOrder(command: string, sessions: SessionView[], slow: string, fast: string, accepted: boolean, output: string): Cell {
  const overtaken = sessions.some((s) => {
    const qs = s.queries.findIndex((q) => q.name === slow);
    const qf = s.queries.findIndex((q) => q.name === fast);
    if (qs < 0 || qf < 0 || qs > qf) return false;
    const rs = s.replies.findIndex((r) => r.id === s.queries[qs].id);
    const rf = s.replies.findIndex((r) => r.id === s.queries[qf].id);
    return rs >= 0 && rf >= 0 && rf < rs;
  });
  return cell(overtaken && accepted, [{
    command,
    observed: `${describeSessions(sessions)}; ${overtaken ? `the ${fast} reply overtook ${slow} on one connection` : `no connection where ${fast} overtook ${slow}`}; `
      + `${accepted ? 'both answers accepted' : 'NOT both answers accepted'} (${excerpt(output)})`,
  }]);
}

/** Keepalive (RFC 7828): the program's queries carried the option; `printed`: it showed Ward's timeout. */
export function keepalive(command: string, sessions: SessionView[], printed?: boolean): Cell {
  const seen = sessions.some((s) => s.queries.some((q) => q.keepalive));
  const shown = printed === undefined ? '' : printed ? '; the program printed Ward\'s keepalive timeout' : '; the program did NOT print Ward\'s timeout';
  return cell(seen && printed !== false, [{ command, observed: `${describeSessions(sessions)}${shown}` }]);
}

/** Padding (RFC 7830, RFC 8467): every query over TLS carried a padding option. */
export function padding(command: string, sessions: SessionView[]): Cell {
  const tls = on(sessions, 'tls').flatMap((s) => s.queries);
  const ok = tls.length > 0 && tls.every((q) => q.padding !== null);
  const lengths = tls.map((q) => q.len).join(', ');
  return cell(ok, [{ command, observed: `query lengths over TLS: [${lengths}]; ${describeSessions(sessions)}` }]);
}

/** A bounded excerpt of a program's output: the line matching `re`, or the first lines. */
export function excerpt(out: string, re?: RegExp): string {
  const lines = out.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const hit = re ? lines.find((l) => re.test(l)) : undefined;
  const text = hit ?? lines.slice(0, 2).join(' / ');
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/** The rows one multi-question run on a stream shows: reuse, pipelining, reply order, keepalive, padding. */
export function streamRows(
  run: CommandRun, sessions: SessionView[], slow: string, fast: string, accepted: boolean, printedKeepalive?: boolean,
): Record<'reuse' | 'pipelining' | 'ooo' | 'keepalive' | 'padding', Cell> {
  return {
    reuse: reuse(run.command, sessions),
    pipelining: pipelining(run.command, sessions),
    ooo: outOfOrder(run.command, sessions, slow, fast, accepted, run.out),
    keepalive: keepalive(run.command, sessions, printedKeepalive),
    padding: padding(run.command, sessions),
  };
}
