/**
 * What Ward's serving side recorded per connection: its 'stream query' / 'stream reply' debug lines
 * (src/net/inflight.ts) read from its log, grouped by session. A step marks where it starts and
 * ends in the log, so each program's sessions are told apart from the next one's.
 */

/** One query Ward read on a stream. */
export interface SeenQuery { id: number; name: string; len: number; inflight: number; keepalive: boolean; padding: number | null }

/** One TCP or TLS connection as Ward saw it: the queries read and the replies written, in order. */
export interface SessionView {
  sid: number;
  transport: string;
  peer: string;
  queries: SeenQuery[];
  replies: { id: number; len: number }[];
}

type Line = Record<string, unknown>;

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

  /** The sessions whose lines fall between two marks, leaving out those that asked for `exclude`. */
  sessionsBetween(from: number, to: number, exclude: string): SessionView[] {
    const bySid = new Map<number, SessionView>();
    for (const l of this.lines.slice(from, to)) {
      if (l.msg !== 'stream query' && l.msg !== 'stream reply') continue;
      const sid = Number(l.sid);
      let s = bySid.get(sid);
      if (!s) {
        s = { sid, transport: String(l.transport), peer: String(l.peer ?? ''), queries: [], replies: [] };
        bySid.set(sid, s);
      }
      if (l.msg === 'stream reply') s.replies.push({ id: Number(l.id), len: Number(l.len) });
      else {
        if (!s.peer) s.peer = String(l.peer);
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
