/**
 * Do53 or DoT for one query, per `upstream.tls`:
 * - 'off': Do53 only.
 * - 'opportunistic' (RFC 9539 §4): DoT without authentication to a server whose DoT state is `ok`;
 *   otherwise Do53, and when the state is unknown (or expired) a background probe (the same query over
 *   DoT) records ok/failed without delaying the query. A server known good over DoT gets no cleartext
 *   unless DoT then fails to connect, which marks it failed (damped) and falls back to Do53 (§4.6).
 * - 'strict' (RFC 8310 §5): DoT with authentication against the NS name only; no cleartext fallback.
 * A query with `requireTls` (a forward zone with `tls: true`) goes over DoT only in every mode, and
 * fails rather than fall back to cleartext; outside 'strict' it is encrypted without authentication
 * and without SNI (the only name at hand is the forward zone's, which SNI would send in clear).
 */
import type { Logger } from '../log/index.js';
import type { UpstreamTlsPolicy } from '../config/index.js';
import { buildQuery, checkReply, keepaliveTimeoutMs } from './query-message.js';
import { failureOf, runLadder, type LadderDeps, type Route } from './ladder.js';
import type { DotState, TlsRule, UpstreamFailure, UpstreamQuery, UpstreamResult } from './types.js';
import { describeRule, TlsRules } from './tls-rules.js';
import { serverKey as infraKey } from './infra-cache.js';

/** RFC 9539 §4.1 defaults: success remembered 3 days, failure damped 1 day, probe timeout 4 s. */
export const DOT_OK_TTL_MS = 3 * 86_400_000;
export const DOT_FAILED_TTL_MS = 86_400_000;
const PROBE_TIMEOUT_MS = 4_000;
/** How long a query waits for a DoT probe to the same server already in flight before it goes in clear. */
export const PROBE_WAIT_MS = 200;
/** RFC 7858 §3.1. */
export const DOT_PORT = 853;

/** Failures that say DoT itself does not work with the server (a timeout may be the server or path). */
const DOT_BROKEN: ReadonlySet<UpstreamFailure> = new Set<UpstreamFailure>(['tls-failed', 'connect-failed', 'network']);

export class TransportPolicy {
  private readonly probes = new Set<Promise<void>>();
  /** The probe in flight per server (serverKey). */
  private readonly probing = new Map<string, Promise<void>>();

  constructor(
    private readonly deps: LadderDeps,
    private readonly mode: UpstreamTlsPolicy,
    private readonly dotPort: number,
    private readonly log: Logger,
    private readonly rules: TlsRules = new TlsRules([]),
  ) {}

  run(q: UpstreamQuery): Promise<UpstreamResult> {
    const rule = this.rules.match(q.server, q.zone);
    const mode = rule?.mode ?? this.mode;
    if (q.requireTls && mode !== 'strict') return this.dotOnly(q, this.dot(q, false));
    switch (mode) {
      case 'off': return runLadder(this.deps, q, this.do53(q));
      case 'strict': return this.dotOnly(q, this.dot(q, true, rule), rule);
      case 'opportunistic': return this.opportunistic(q);
    }
  }

  /** `p`, or after `ms`, whichever comes first. */
  private atMost(p: Promise<void>, ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = this.deps.clock.setTimeout(resolve, ms);
      void p.then(() => { this.deps.clock.clearTimeout(timer); resolve(); });
    });
  }

  /** Resolves when the probes running now have finished. */
  async settle(): Promise<void> {
    await Promise.all([...this.probes]);
  }

  private do53(q: UpstreamQuery): Route {
    return { transport: 'udp', port: q.server.port };
  }

  /**
   * The DoT route. Unauthenticated DoT (opportunistic, RFC 9539) names no server: no SNI to leak the
   * NS name in clear, and one pooled connection per server address carries the queries of every
   * zone it serves (RFC 9539 keeps its state per address; RFC 7766 §6.2.1 reuse).
   */
  private dot(q: UpstreamQuery, authenticate: boolean, rule?: TlsRule): Route {
    if (!authenticate) return { transport: 'tls', port: this.dotPort, tls: { authenticate } };
    const tls = rule
      ? { servername: rule.name ?? q.server.name, authenticate, ...(rule.pins.length > 0 ? { spkiPins: rule.pins } : {}), ...(rule.ca ? { ca: rule.ca } : {}) }
      : { servername: q.server.name, authenticate };
    return { transport: 'tls', port: this.dotPort, tls };
  }

  private record(q: UpstreamQuery, ok: boolean, why: string): void {
    const now = this.deps.clock.now();
    const prev = this.deps.infra.dot(q.server).state;
    this.deps.infra.setDot(q.server, ok
      ? { state: 'ok', until: now + DOT_OK_TTL_MS }
      : { state: 'failed', until: now + DOT_FAILED_TTL_MS });
    const next = ok ? 'ok' : 'failed';
    if (prev !== next) this.log.debug({ server: q.server.address, dot: next, why }, 'DoT state');
  }

  /**
   * DoT over `route` and nothing else (strict, RFC 8310 §5; or a forward zone with tls): the outcome
   * feeds the server's DoT state, and a failure says why (EDE text, `ward upstream`).
   */
  private async dotOnly(q: UpstreamQuery, route: Route, rule?: TlsRule): Promise<UpstreamResult> {
    const res = await runLadder(this.deps, q, route);
    if (res.kind === 'reply') this.record(q, true, 'reply');
    else {
      if (DOT_BROKEN.has(res.reason)) this.record(q, false, res.reason);
      const what = route.tls?.authenticate ? 'strict DoT' : 'DoT only';
      const why = `${what}${rule ? ` (rule ${describeRule(rule)})` : ''}: ${res.detail ?? res.reason}`;
      this.deps.tracker.refused(q.server, why);
      return { ...res, detail: why };
    }
    return res;
  }

  /** Not async where DoT is not in play (failed, or unknown and probed now): the ladder's promise as it is. */
  private opportunistic(q: UpstreamQuery): Promise<UpstreamResult> {
    const state = this.deps.infra.dot(q.server).state;
    if (state === 'probing' || state === 'ok') return this.withDot(q, state);
    if (state === 'unknown') this.probe(q);
    return runLadder(this.deps, q, this.do53(q));
  }

  /** Opportunistic DoT for a server whose DoT is known good or being probed. */
  private async withDot(q: UpstreamQuery, known: 'probing' | 'ok'): Promise<UpstreamResult> {
    let state: DotState['state'] = known;
    if (state === 'probing') {
      // Queries behind the one that started the probe wait for it a little (a handshake or so) rather
      // than all going in clear during a cold burst; never longer than PROBE_WAIT_MS.
      const pending = this.probing.get(infraKey(q.server));
      if (pending) await this.atMost(pending, PROBE_WAIT_MS);
      state = this.deps.infra.dot(q.server).state;
    }
    if (state === 'ok') {
      const res = await runLadder(this.deps, q, this.dot(q, false));
      if (res.kind === 'reply') { this.record(q, true, 'reply'); return res; }
      if (DOT_BROKEN.has(res.reason)) this.record(q, false, res.reason);
      // A timeout leaves DoT known good (the server or its session may be slow), but this query
      // still gets its answer over Do53: opportunistic privacy (RFC 9539) never costs the answer.
      else if (res.reason !== 'timeout') return res;
      this.deps.tracker.fellBack(q.server);
    } else if (state === 'unknown') {
      this.probe(q);
    }
    return runLadder(this.deps, q, this.do53(q));
  }

  /** A DoT exchange of the same query in the background; only its outcome is kept (RFC 9539 §4.3). */
  private probe(q: UpstreamQuery): void {
    this.deps.infra.setDot(q.server, { state: 'probing' });
    const route = this.dot(q, false);
    const bytes = buildQuery(q, true, 'tls');
    if (!bytes) { this.deps.infra.setDot(q.server, { state: 'unknown' }); return; }
    const p = this.deps.exchanger.exchange({
      to: { host: q.server.address, port: route.port }, transport: 'tls', query: bytes,
      timeoutMs: Math.max(PROBE_TIMEOUT_MS, this.deps.maxTimeoutMs), tls: route.tls, sourceAddress: this.deps.sourceAddress,
      onOpened: (e) => this.deps.tracker.opened(q.server, e.transport, e.resumed),
    }).then((r) => {
      this.deps.tracker.sent(q.server, q.zone, 'tls', r);
      if (r.kind === 'fail') { this.record(q, false, `probe ${failureOf(r.code)}`); return; }
      const check = checkReply(q, r.bytes);
      if (check.kind !== 'ok') { this.record(q, false, 'probe reply unusable'); return; }
      r.session?.applyKeepalive(keepaliveTimeoutMs(check.message));
      this.record(q, true, 'probe');
    }, () => this.record(q, false, 'probe threw')).finally(() => {
      this.probes.delete(p);
      this.probing.delete(infraKey(q.server));
    });
    this.probes.add(p);
    this.probing.set(infraKey(q.server), p);
  }
}
