/**
 * The status page's counters, fed by the dispatcher's query observer for every answered or dropped
 * query: queries and blocked answers over time, the heavy hitters among names, blocked names and
 * clients, and (when the query log is on) its recent lines. Everything is bounded: fixed rings of
 * time slots, Space-Saving tables of `capacity` keys, a ring of `recent` lines.
 */
import type { InboundQuery } from '../net/index.js';
import { normalizeName, peekQnameHash, peekQuestion } from '../wire/index.js';
import { RecentQueries } from './recent.js';
import { SpaceSaving, type TopEntry } from './space-saving.js';
import { TimeBuckets, type TimeSeries } from './time-buckets.js';

/** What the collector reads of a handler's answer (the server's Answer fits it). */
export interface ObservedAnswer {
  /** 'policy': a block list decided the answer, which counts as blocked. */
  source?: string;
}

/** The server's query observer signature (server/query-log.ts QueryLogger), seen from here. */
export type QueryObserver = (q: InboundQuery, reply: Buffer | undefined, ms: number, from?: ObservedAnswer | 'packet') => void;

export interface StatusCollectorOptions {
  /** Wall-clock ms (Clock.now()). */
  now(): number;
  /** Keys each top table holds at most. */
  capacity: number;
  /** Recent query-log lines kept; 0 when the query log is off. */
  recent: number;
  /** How a client address is shown (the query log's anonymization applies here too). */
  client(address: string): string;
}

export interface CollectorSnapshot {
  total: number;
  blocked: number;
  perMinute: TimeSeries;
  perTenSeconds: TimeSeries;
  /** `key`: the name ('' for the root) or the client as shown. */
  topNames: TopEntry[];
  topBlocked: TopEntry[];
  topClients: TopEntry[];
  /** Newest first; undefined when the query log is off. */
  recent: object[] | undefined;
}

export interface StatusCollector {
  observe: QueryObserver;
  /** Where the query log also writes its lines, when it is on. */
  recent: RecentQueries | undefined;
  snapshot(top: number): CollectorSnapshot;
}

export function createStatusCollector(o: StatusCollectorOptions): StatusCollector {
  let total = 0;
  let blockedTotal = 0;
  const perMinute = new TimeBuckets(60_000, 60);
  const perTenSeconds = new TimeBuckets(10_000, 60);
  // Names are counted by a hash of their wire form (no string per query); their text is made when
  // one enters a table. Two names of equal hash held at once would count as one: with `capacity`
  // names held, a new name meets one by chance about capacity / 2^32 of the time.
  const names = new SpaceSaving<number>(o.capacity);
  const blockedNames = new SpaceSaving<number>(o.capacity);
  const clients = new SpaceSaving(o.capacity);
  const count = (table: SpaceSaving<number>, name: number, q: InboundQuery): void => {
    if (table.add(name)) table.label(name, normalizeName(peekQuestion(q.bytes)?.name ?? ''));
  };
  const recent = o.recent > 0 ? new RecentQueries(o.recent, o.now) : undefined;

  const observe: QueryObserver = (q, _reply, _ms, from) => {
    const now = o.now();
    const blocked = typeof from === 'object' && from.source === 'policy';
    total++;
    if (blocked) blockedTotal++;
    perMinute.add(now, blocked);
    perTenSeconds.add(now, blocked);
    // Addresses are labelled (anonymize: hashed) when shown: once per page view and row, not per query.
    clients.add(q.peer.address);
    const name = peekQnameHash(q.bytes);
    if (name === null) return;
    count(names, name, q);
    if (blocked) count(blockedNames, name, q);
  };

  const named = (entries: TopEntry<number>[]): TopEntry[] => entries.map((e) => ({ ...e, key: e.label ?? '' }));

  return {
    observe,
    recent,
    snapshot(top) {
      const now = o.now();
      return {
        total, blocked: blockedTotal,
        perMinute: perMinute.series(now), perTenSeconds: perTenSeconds.series(now),
        topNames: named(names.top(top)), topBlocked: named(blockedNames.top(top)),
        topClients: clients.top(top).map((e) => ({ ...e, key: o.client(e.key) })),
        recent: recent?.list(),
      };
    },
  };
}
