/**
 * The glue from a received message to its reply: access control, the microcache fast path,
 * request checks, the query handler, response shaping, and the stream options RFC 7828 asks for
 * (keepalive: answer with the server's timeout and apply it to the session). Handler failures become
 * SERVFAIL with an EDE; nothing a client sends can throw past this file.
 */
import { errorMessage, type Clock } from '../util/index.js';
import { EDE_CODE, findOption, OPTION, RCODE, type Message, type OptRecord } from '../wire/index.js';
import type { InboundQuery, InboundSink } from '../net/index.js';
import type { ServerLimits } from '../config/index.js';
import type { Logger } from '../log/index.js';
import type { AccessControl } from './acl.js';
import { fastKey, MicroCache, partitioned, type FastKey } from './microcache.js';
import { checkRequest, queryFlags, type CheckedQuery } from './request.js';
import { errorResponse, headerOnlyResponse, shapeResponse, type ShapeContext } from './response.js';
import type { Answer, ClientQuery, QueryHandler } from './types.js';
import { LatencyHistogram, type LatencySnapshot } from './latency.js';
import type { QueryLogger } from './query-log.js';

/** Counters for operators and tests (bounded-memory checks read `inflight` and `microcacheSize`). */
export interface ServerStats {
  received: number;
  answered: number;
  dropped: number;
  formerr: number;
  refused: number;
  servfail: number;
  microcacheHits: number;
  inflight: number;
  microcacheSize: number;
  /** Queries received per transport. */
  byTransport: { udp: number; tcp: number; tls: number };
  /** Responses sent per RCODE (header value 0..15). */
  rcodes: number[];
  latency: LatencySnapshot;
}

export interface DispatchOptions {
  handler: QueryHandler;
  acl: AccessControl;
  limits: Pick<ServerLimits, 'udp_max_payload' | 'keepalive_timeout_ms'>;
  log: Logger;
  clock: Clock;
  /** Replies reused for up to a second; omit to turn the fast path off. */
  microcache?: MicroCache;
  /**
   * Called for every answered or dropped query: the query log and the status page, composed into one
   * function (composeQueryLoggers); omit when neither is on, so the query path does not pay for them.
   */
  queryLog?: QueryLogger;
  /** The client's microcache partition (0 for most): replies are reused only within one. */
  partition?: (address: string) => number;
}

export interface Dispatcher {
  sink: InboundSink;
  stats(): ServerStats;
  /** Swaps the handler and access control (reload); queries in flight finish on the old handler. */
  update(handler: QueryHandler, acl: AccessControl): void;
  /** Drops every microcache entry (a cache flush). */
  flushMicrocache(): void;
}

/** Builds the sink a Listener calls for every message it receives. */
export function createDispatcher(opts: DispatchOptions): Dispatcher {
  const { limits, log, clock, microcache, queryLog, partition } = opts;
  let { handler, acl } = opts;
  const udpMax = limits.udp_max_payload;
  const counts = { received: 0, answered: 0, dropped: 0, formerr: 0, refused: 0, servfail: 0, inflight: 0 };
  const byTransport = { udp: 0, tcp: 0, tls: 0 };
  const rcodes = new Array<number>(16).fill(0);
  const latency = new LatencyHistogram();

  /** `started`: clock.monotonic() when the query arrived. */
  /** `from`: the handler's answer (or 'packet' from the microcache), for the query observers. */
  const send = (q: InboundQuery, bytes: Buffer | undefined, started: number, from?: Answer | 'packet'): void => {
    const ms = clock.monotonic() - started;
    if (bytes === undefined) counts.dropped++;
    else {
      counts.answered++;
      rcodes[bytes[3] & 0x0f]++;
      latency.observe(ms);
    }
    q.reply(bytes);
    if (queryLog) queryLog(q, bytes, ms, from);
  };

  const streamContext = (q: InboundQuery, checked: CheckedQuery): ShapeContext | 'formerr' => {
    const ctx: ShapeContext = { transport: q.peer.transport, udpMaxPayload: udpMax };
    const keepalive = q.stream ? findOption(checked.opt, OPTION.KEEPALIVE) : undefined;
    if (q.stream && keepalive) {
      // RFC 7828 §3.3.1: a keepalive option with a TIMEOUT in a query is a format error.
      if ((keepalive.data?.length ?? 0) > 0) return 'formerr';
      q.stream.setIdleTimeout(limits.keepalive_timeout_ms);
      ctx.keepaliveMs = limits.keepalive_timeout_ms;
    }
    return ctx;
  };

  /** The query's microcache key in its client's partition; null when it must take the slow path. */
  const keyOf = (q: InboundQuery): FastKey | null => {
    const key = fastKey(q.bytes, udpMax, q.peer.transport !== 'udp');
    return key && partition ? partitioned(key, partition(q.peer.address)) : key;
  };

  /**
   * `storable`: the answer may go into the microcache. Its key is read again here rather than kept
   * from the lookup: a key held for the whole resolution outlives young-generation collections, V8
   * then allocates every key of that site in the old space (allocation-site pretenuring), and a hit's
   * key, garbage within microseconds, filled the old space at 4 MiB/s in the signed hot pass.
   */
  const finish = (q: InboundQuery, checked: CheckedQuery, ctx: ShapeContext, storable: boolean, ans: Answer, started: number): void => {
    counts.inflight--;
    // The connection is gone: release the query without an answer (the core counts it done).
    if (q.signal.aborted) { q.reply(undefined); return; }
    if (ans.drop) { send(q, undefined, started, ans); return; }
    if (ans.rcode === RCODE.SERVFAIL) counts.servfail++;
    const bytes = shapeResponse(checked, ans, ctx);
    send(q, bytes, started, ans);
    const key = storable && ans.cacheable ? keyOf(q) : null;
    if (key) microcache?.store(key, bytes, clock.now(), ans.aa !== true, ans.reuseForMs);
  };

  const fail = (q: InboundQuery, checked: CheckedQuery, ctx: ShapeContext, err: unknown, started: number): void => {
    log.warn({ err: errorMessage(err), qname: checked.question.name, qtype: checked.question.type }, 'query handler failed');
    finish(q, checked, ctx, false, {
      rcode: RCODE.SERVFAIL, answer: [], authority: [], additional: [], authenticated: false,
      ede: [{ infoCode: EDE_CODE.OTHER, extraText: 'internal error' }],
    }, started);
  };

  const reject = (q: InboundQuery, rcode: number, msg: Message | undefined, opt: OptRecord | undefined, started: number): void => {
    if (rcode === RCODE.FORMERR) counts.formerr++;
    if (msg === undefined) { send(q, headerOnlyResponse(q.bytes, rcode), started); return; }
    const ctx: ShapeContext = { transport: q.peer.transport, udpMaxPayload: udpMax };
    send(q, errorResponse({ msg, opt, flags: queryFlags(msg, opt) }, rcode, ctx), started);
  };

  const sink: InboundSink = (q) => {
    const started = clock.monotonic();
    counts.received++;
    byTransport[q.peer.transport]++;
    const action = acl.check(q.peer.address);
    if (action === 'deny') { send(q, undefined, started); return; }
    const storable = microcache !== undefined && action === 'allow';
    if (storable) {
      const key = keyOf(q);
      const hit = key && microcache.answer(q.bytes, key, clock.now());
      if (hit) { send(q, hit, started, 'packet'); return; }
    }
    const verdict = checkRequest(q.bytes);
    if (verdict.kind === 'drop') { send(q, undefined, started); return; }
    if (verdict.kind === 'reject') { reject(q, verdict.rcode, verdict.msg, verdict.opt, started); return; }
    const ctx = streamContext(q, verdict);
    if (ctx === 'formerr') { reject(q, RCODE.FORMERR, verdict.msg, verdict.opt, started); return; }
    if (action === 'refuse') {
      counts.refused++;
      send(q, errorResponse(verdict, RCODE.REFUSED, ctx, [{ infoCode: EDE_CODE.PROHIBITED }]), started);
      return;
    }
    const cq: ClientQuery = {
      question: verdict.question, flags: verdict.flags, peer: q.peer,
      ednsSize: verdict.opt ? verdict.opt.udpPayloadSize : undefined,
    };
    counts.inflight++;
    let result: Promise<Answer> | Answer;
    try {
      result = handler(cq, q.signal);
    } catch (err) {
      fail(q, verdict, ctx, err, started);
      return;
    }
    if (result instanceof Promise) result.then((a) => finish(q, verdict, ctx, storable, a, started), (err) => fail(q, verdict, ctx, err, started));
    else finish(q, verdict, ctx, storable, result, started);
  };

  return {
    sink,
    stats: () => ({
      ...counts, microcacheHits: microcache?.hits ?? 0, microcacheSize: microcache?.size ?? 0,
      byTransport: { ...byTransport }, rcodes: [...rcodes], latency: latency.snapshot(),
    }),
    update(h, a) { handler = h; acl = a; },
    flushMicrocache: () => microcache?.clear(),
  };
}
