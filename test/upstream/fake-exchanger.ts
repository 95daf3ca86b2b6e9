/**
 * A scripted Exchanger for upstream unit tests: records every request (with its decoded query) and
 * answers through a handler, so tests see exactly what the upstream layer put on the "wire".
 */
import type { Exchanger, ExchangeRequest, ExchangeResult, NetErrorCode } from '../../src/net/index.js';
import {
  decodeMessage, encodeMessage, findOpt, makeOpt, optAsRecord, FLAG, MalformedMessage,
  type Message, type Record,
} from '../../src/wire/index.js';
import { ManualClock } from '../../src/util/index.js';
import { silentLogger } from '../../src/log/index.js';
import { defaultConfig, type UpstreamConfig } from '../../src/config/index.js';
import { createUpstream, type ManagedUpstream, type UpstreamOptions, type UpstreamQuery } from '../../src/upstream/index.js';

export interface Seen { req: ExchangeRequest; query: Message }
export type Handler = (req: ExchangeRequest, query: Message, n: number) => ExchangeResult | Promise<ExchangeResult>;

export class FakeExchanger implements Exchanger {
  readonly seen: Seen[] = [];
  constructor(public handler: Handler) {}

  async exchange(req: ExchangeRequest): Promise<ExchangeResult> {
    const query = decodeMessage(req.query);
    if (query instanceof MalformedMessage) throw new Error('upstream sent a malformed query');
    this.seen.push({ req, query });
    return this.handler(req, query, this.seen.length);
  }

  async close(): Promise<void> {}

  /** The transports of the requests so far, in order. */
  transports(): string[] { return this.seen.map((s) => s.req.transport); }
}

export interface ReplyShape {
  rcode?: number;
  tc?: boolean;
  answers?: Record[];
  /** Echo an OPT record when the query had one (default true). */
  opt?: boolean;
  questions?: Message['questions'];
  rttMs?: number;
  reused?: boolean;
}

/** The reply bytes to `query`, shaped by `shape`. */
export function replyBytes(query: Message, shape: ReplyShape = {}): Buffer {
  const hadOpt = findOpt(query) !== undefined;
  return encodeMessage({
    type: 'response', id: query.id,
    flags: (shape.tc ? FLAG.TC : 0) | (shape.rcode ?? 0) | FLAG.AA,
    questions: shape.questions ?? query.questions,
    answers: shape.answers ?? [],
    authorities: [],
    additionals: hadOpt && shape.opt !== false ? [optAsRecord(makeOpt(1232, false))] : [],
  });
}

/** An ExchangeResult carrying a reply to `query`. */
export function reply(req: ExchangeRequest, query: Message, shape: ReplyShape = {}): ExchangeResult {
  return {
    kind: 'reply', bytes: replyBytes(query, shape), rttMs: shape.rttMs ?? 10,
    transport: req.transport, reused: shape.reused ?? false,
  };
}

export function fail(code: NetErrorCode, elapsedMs = 5): ExchangeResult {
  return { kind: 'fail', code, elapsedMs };
}

/** An A record answering `name`. */
export function aRecord(name: string, address = '192.0.2.1'): Record {
  return { name, type: 'A', class: 'IN', ttl: 300, data: address } as Record;
}

/** An upstream over `exchanger` with a manual clock and the default upstream config plus `config`. */
export function makeUpstream(
  exchanger: Exchanger, config: Partial<UpstreamConfig> = {}, extra: Partial<UpstreamOptions> = {},
): { upstream: ManagedUpstream; clock: ManualClock } {
  const clock = new ManualClock(Date.UTC(2026, 0, 1));
  const upstream = createUpstream({
    exchanger, clock, log: silentLogger(),
    config: { ...defaultConfig().upstream, tls: 'off', ...config },
    random: () => 0.5,
    ...extra,
  });
  return { upstream, clock };
}

/** A query for `name`/`type` to `address` port 53, iterative, no DNSSEC. */
export function q(name: string, type = 'A', address = '192.0.2.53', more: Partial<UpstreamQuery> = {}): UpstreamQuery {
  return { name, type, server: { address, port: 53 }, dnssecOk: false, cd: false, rd: false, ...more };
}
