/**
 * What Ward recorded per connection: its 'stream query' / 'stream reply' debug lines (src/net/observe.ts)
 * read from its log, grouped by session, for one role: inbound (clients of Ward; queries read, replies
 * written) or outbound (authoritative servers; queries written, replies read, with the 'stream open' and
 * 'session closing' lines). A step marks where it starts and ends in the log, so each program's sessions
 * are told apart from the next one's.
 */

/** One query Ward read on a stream. */
export interface SeenQuery { id: number; name: string; len: number; inflight: number; keepalive: boolean; padding: number | null }

/** A reply on a stream; `keepaliveTimeout`: the RFC 7828 timeout it carried (100 ms units), `time`: when logged (ms). */
export interface SeenReply { id: number; len: number; keepaliveTimeout?: number | null; time?: number }

/** One TCP or TLS connection as Ward saw it: the queries and the replies, in order. */
export interface SessionView {
  sid: number;
  transport: string;
  peer: string;
  queries: SeenQuery[];
  replies: SeenReply[];
  role?: 'inbound' | 'outbound';
  /** Outbound: how the connection was opened (TLS resumed from a ticket, server authenticated). */
  opened?: { resumed: boolean; authenticated: boolean };
  /** Why and when it closed, and the idle timeout it had then. */
  closed?: { reason: string; idleMs: number; time: number };
}

type Role = NonNullable<SessionView['role']>;

type Line = Record<string, unknown>;

const SESSION_LINES = new Set(['stream open', 'stream query', 'stream reply', 'session closing']);

/** Collects Ward's JSON log lines from its output chunks (lines may be split across chunks). */
export class WardWire {
  private readonly lines: Line[] = [];
  private partial = '';

  /** Feed for lab-ward's onOutput. */
  readonly onOutput = (chunk: string): void => {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    for (const p of parts) {
      if (!p.startsWith('{')) continue;
      try { this.lines.push(JSON.parse(p) as Line); } catch { /* not a log line */ }
    }
  };

  /** A position in the log, for `sessionsBetween`. */
  mark(): number { return this.lines.length; }

  /** True once a 'stream query' line for `name` has been read at or after `from`. */
  sawQuery(name: string, from: number): boolean {
    return this.lines.slice(from).some((l) => l.msg === 'stream query' && String(l.name).toLowerCase() === name);
  }

  /** The `role` sessions whose lines fall between two marks, leaving out those that asked for `exclude`. */
  sessionsBetween(from: number, to: number, exclude: string, role: Role = 'inbound'): SessionView[] {
    const bySid = new Map<number, SessionView>();
    for (const l of this.lines.slice(from, to)) {
      if (l.role !== role || !SESSION_LINES.has(String(l.msg))) continue;
      const sid = Number(l.sid);
      let s = bySid.get(sid);
      if (!s) {
        s = { sid, transport: String(l.transport), peer: String(l.peer ?? ''), queries: [], replies: [], role };
        bySid.set(sid, s);
      }
      if (!s.peer && l.peer !== undefined) s.peer = String(l.peer);
      if (l.msg === 'stream open') s.opened = { resumed: l.resumed === true, authenticated: l.authenticated === true };
      else if (l.msg === 'session closing') s.closed = { reason: String(l.reason), idleMs: Number(l.idle_ms), time: Number(l.time) };
      else if (l.msg === 'stream reply') {
        s.replies.push({ id: Number(l.id), len: Number(l.len), keepaliveTimeout: typeof l.keepalive_timeout === 'number' ? l.keepalive_timeout : null, time: Number(l.time) });
      } else {
        s.queries.push({
          id: Number(l.id), name: String(l.name).toLowerCase(), len: Number(l.len), inflight: Number(l.inflight),
          keepalive: l.keepalive === true, padding: typeof l.padding === 'number' ? l.padding : null,
        });
      }
    }
    // A session without queries here only had its last reply written after `from` (an earlier step's).
    return [...bySid.values()].filter((s) => s.queries.length > 0 && !s.queries.some((q) => q.name === exclude));
  }
}
