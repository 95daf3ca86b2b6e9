/**
 * Verdicts of the authoritative table, from Ward's side: what Ward's answers, its `ward upstream`
 * rows and its outbound observation lines (src/net/observe.ts) show for one server. Pure functions,
 * unit-tested in interop.test.ts with observations of a feature turned off.
 */
import { cell, describeSessions, notApplicable } from './cells.js';
import type { Cell } from './types.js';
import type { SeenQuery, SessionView } from './ward-wire.js';

/** One question asked of Ward, and its answer. */
export interface Asked { command: string; rcode: string; answers: string[]; elapsedMs: number }

/** The part of a `ward upstream --json` server row these cells read. */
export interface ServerRow {
  address: string;
  by_transport: { udp: number; tcp: number; tls: number };
  dot: { state: string };
  last_error?: string;
}

/** A stalled DoT port must not hold an answer up: the probe waits 4 s, the query at most 200 ms for it. */
export const STALL_ANSWER_BOUND_MS = 2000;

const answered = (a: Asked): boolean => a.rcode === 'NOERROR' && a.answers.length > 0;
const asked = (a: Asked): string => `${a.rcode} in ${Math.round(a.elapsedMs)} ms, ${a.answers.length} answer(s)${a.answers[0] ? ` (${a.answers[0]}${a.answers.length > 1 ? ', ...' : ''})` : ''}`;
const rowText = (r: ServerRow | undefined): string => r
  ? `ward upstream: ${r.address} udp ${r.by_transport.udp}, tcp ${r.by_transport.tcp}, tls ${r.by_transport.tls}, DoT state ${r.dot.state}${r.last_error ? `, last error "${r.last_error}"` : ''}`
  : 'ward upstream: no row for the server';

/** The sessions to `address:port`. */
export function sessionsTo(sessions: SessionView[], address: string, port: number): SessionView[] {
  return sessions.filter((s) => s.peer === `${address}:${port}`);
}

/** Do53 over UDP: answered, and Ward's row counts UDP queries to the server. */
export function overUdp(a: Asked, row: ServerRow | undefined): Cell {
  return cell(answered(a) && (row?.by_transport.udp ?? 0) > 0, [{ command: a.command, observed: `${asked(a)}; ${rowText(row)}` }]);
}

/** TCP after TC (RFC 7766 §5): the whole answer (`records` of them), and a TCP session to port 53 carried the question. */
export function overTcp(a: Asked, records: number, toPort53: SessionView[], name: string): Cell {
  const carried = toPort53.some((s) => s.transport === 'tcp' && s.queries.some((q) => q.name === name));
  return cell(a.rcode === 'NOERROR' && a.answers.length === records && carried,
    [{ command: a.command, observed: `${asked(a)} (the UDP reply had TC); ${describeSessions(toPort53)}` }]);
}

/**
 * RFC 9539 probing: the first question went in clear while the probe ran, the server's DoT state is
 * then ok, and later queries went over TLS to port 853.
 */
export function probed(first: Asked, row: ServerRow | undefined, later: Asked, to853: SessionView[]): Cell {
  const ok = answered(first) && answered(later) && row?.dot.state === 'ok' && (row?.by_transport.udp ?? 0) > 0 && (row?.by_transport.tls ?? 0) > 0
    && to853.some((s) => s.transport === 'tls' && s.queries.length > 0);
  return cell(ok, [
    { command: first.command, observed: `${asked(first)} (the query that starts the probe goes over Do53)` },
    { command: later.command, observed: `${asked(later)}; ${rowText(row)}; ${describeSessions(to853)}` },
  ]);
}

/** RFC 9539 §4.6: with 853 closed, and with 853 accepting but never speaking TLS, the answer still comes over Do53 and DoT is marked failed. */
export function fellBack(closed: [Asked, ServerRow | undefined], stalled: [Asked, ServerRow | undefined]): Cell {
  const each = ([a, r]: [Asked, ServerRow | undefined]): boolean => answered(a) && r?.dot.state === 'failed' && (r?.by_transport.udp ?? 0) > 0;
  const prompt = stalled[0].elapsedMs < STALL_ANSWER_BOUND_MS;
  return cell(each(closed) && each(stalled) && prompt, [
    { command: `${closed[0].command} (port 853 closed)`, observed: `${asked(closed[0])}; ${rowText(closed[1])}` },
    { command: `${stalled[0].command} (port 853 accepts and stays silent)`, observed: `${asked(stalled[0])}${prompt ? '' : ` (NOT within ${STALL_ANSWER_BOUND_MS} ms)`}; after the probe timed out: ${rowText(stalled[1])}` },
  ]);
}

/**
 * Strict DoT (RFC 8310 §5): the right name against the test CA answers over an authenticated session;
 * a wrong name gets SERVFAIL, no query for the zone in clear (`clearForZone`), and the reason on the server's row.
 */
export function strictAuthenticated(good: Asked, goodSessions: SessionView[], wrong: Asked, wrongRow: ServerRow | undefined, clearForZone: number): Cell {
  const ok = answered(good) && goodSessions.some((s) => s.transport === 'tls' && s.opened?.authenticated === true && s.queries.length > 0);
  const refused = wrong.rcode === 'SERVFAIL' && clearForZone === 0 && /strict DoT/.test(wrongRow?.last_error ?? '');
  return cell(ok && refused, [
    { command: good.command, observed: `${asked(good)}; ${describeSessions(goodSessions)}` },
    { command: wrong.command, observed: `${asked(wrong)}; ${clearForZone} queries for the zone in clear; ${rowText(wrongRow)}` },
  ]);
}

/** Pipelining (RFC 7766 §6.2.1.1): a session had several queries in flight, and every query written on it was answered on it. */
export function pipelinedAnswered(command: string, sessions: SessionView[]): Cell {
  const unanswered = (s: SessionView): SeenQuery[] => s.queries.filter((q) => !s.replies.some((r) => r.id === q.id));
  const ok = sessions.some((s) => s.queries.some((q) => q.inflight >= 2) && unanswered(s).length === 0);
  const lost = sessions.flatMap((s) => unanswered(s).map((q) => `${q.name} on #${s.sid}`));
  return cell(ok, [{ command, observed: `${describeSessions(sessions)}; ${lost.length === 0 ? 'every query answered on its connection' : `NOT answered on its connection (asked again elsewhere): ${lost.join(', ')}`}` }]);
}

/** Out of order (RFC 7766 §7): a session read replies in another order than it wrote the queries, and every question was answered. n.a. when the server kept the order. */
export function repliesOutOfOrder(command: string, sessions: SessionView[], allAnswered: boolean): Cell {
  const reordered = sessions.some((s) => {
    const sent = s.queries.map((q) => q.id).filter((id) => s.replies.some((r) => r.id === id));
    return s.replies.map((r) => r.id).filter((id) => sent.includes(id)).some((id, i) => id !== sent[i]);
  });
  if (!reordered) return { ...notApplicable('the server answered each connection\'s queries in the order they were sent: nothing to reorder'), evidence: [{ command, observed: describeSessions(sessions) }] };
  return cell(allAnswered, [{ command, observed: `${describeSessions(sessions)}; replies read in another order than the queries were written; ${allAnswered ? 'every question answered' : 'NOT every question answered'}` }]);
}

/**
 * Keepalive (RFC 7828 §3.3.2): a session whose last reply carried a timeout closed as idle after that
 * timeout (or Ward's own `ownIdleMs` if shorter). n.a. when no reply carried one.
 */
export function keepaliveHonoured(command: string, sessions: SessionView[], ownIdleMs: number): Cell {
  const offered = sessions.filter((s) => s.replies.some((r) => typeof r.keepaliveTimeout === 'number'));
  if (offered.length === 0) {
    return { ...notApplicable('the server\'s replies carried no keepalive timeout: nothing to honour (Ward\'s own idle timeout applies)'), evidence: [{ command, observed: describeSessions(sessions) }] };
  }
  const honoured = (s: SessionView): boolean => {
    const last = s.replies[s.replies.length - 1];
    if (typeof last.keepaliveTimeout !== 'number' || !s.closed || s.closed.reason !== 'idle') return false;
    const want = Math.min(last.keepaliveTimeout * 100, ownIdleMs);
    const idle = s.closed.time - (last.time ?? 0);
    return s.closed.idleMs === want && idle >= want - 100 && idle <= want + 2000;
  };
  const closed = offered.filter((s) => s.closed?.reason === 'idle');
  const idleText = closed.map((s) => `#${s.sid} closed ${s.closed && s.replies.length ? s.closed.time - (s.replies[s.replies.length - 1].time ?? 0) : '?'} ms after its last reply`).join(', ');
  return cell(closed.length > 0 && closed.every(honoured), [{ command, observed: `${describeSessions(offered)}; ${idleText || 'no session closed as idle'}` }]);
}

/** RFC 8467 §4.1: every query over TLS carried a padding option and was a multiple of 128 octets long. */
export function paddedTo128(command: string, sessions: SessionView[]): Cell {
  const tls = sessions.filter((s) => s.transport === 'tls').flatMap((s) => s.queries);
  const ok = tls.length > 0 && tls.every((q) => q.padding !== null && q.len % 128 === 0);
  return cell(ok, [{ command, observed: `query lengths over TLS: [${tls.map((q) => q.len).join(', ')}]; ${describeSessions(sessions)}` }]);
}
