/**
 * The fallback ladder for one query to one server over one route (Do53 or DoT):
 * UDP with EDNS → on FORMERR/NOTIMP, or repeated timeouts of a server not known to do EDNS, the same
 * without EDNS (RFC 6891 §7; remembered in the infra cache) → on TC=1 the same over TCP (RFC 1035
 * §4.2.1, RFC 7766 §5); when UDP stays silent with and without EDNS, one try over TCP (RFC 7766 §5:
 * TCP is a full transport; some servers and paths carry nothing else), and while that is remembered
 * in the infra cache the server is asked over TCP first. Over DoT the ladder is EDNS → no EDNS only.
 * A UDP timeout with rungs left (no EDNS, TCP) is reported as `udpSilent`; the resolver, when no
 * other server of the zone is left, asks again with `afterUdpSilence`, which goes straight to those
 * rungs, so a server that only answers over TCP answers the first client query (Unbound and Knot
 * Resolver retry a silent server within the query too).
 * Every try feeds the infra cache (RTT samples from UDP and reused streams, timeouts and garbage
 * replies, EDNS support); a stream reply's keepalive timeout goes back to its session (RFC 7828
 * §3.3.2). Failures are values.
 */
import type { Exchanger, NetErrorCode, Transport } from '../net/index.js';
import { RCODE, rcodeOf } from '../wire/index.js';
import type { Clock } from '../util/index.js';
import type { InfraCache } from './infra-cache.js';
import type { UpstreamTracker } from './tracker.js';
import { buildQuery, checkReply, hasOpt, isTruncated, keepaliveTimeoutMs, rejectsEdns } from './query-message.js';
import type { ServerAddress, UpstreamFailure, UpstreamQuery, UpstreamResult } from './types.js';

export interface LadderDeps {
  exchanger: Exchanger;
  infra: InfraCache;
  clock: Clock;
  /** The ceiling of any one try; stream tries get all of it (connection set-up included). */
  maxTimeoutMs: number;
  sourceAddress?: string;
  /** Counts every try per server and zone (`ward upstream`, metrics). */
  tracker: UpstreamTracker;
}

/** Where and how the first try goes: Do53 over UDP, or DoT. */
export interface Route {
  transport: 'udp' | 'tls';
  port: number;
  tls?: { servername?: string; authenticate: boolean; spkiPins?: string[]; ca?: string };
}

/** Timeouts of a server not known to speak EDNS after which the ladder tries without EDNS. */
const EDNS_TIMEOUT_FALLBACK = 2;

/** The UpstreamFailure a network failure becomes. */
export function failureOf(code: NetErrorCode): UpstreamFailure {
  switch (code) {
    case 'timeout': return 'timeout';
    case 'connect-refused': case 'connect-timeout': return 'connect-failed';
    case 'tls-handshake': case 'tls-auth': return 'tls-failed';
    case 'aborted': return 'aborted';
    case 'bad-query': return 'malformed';
    default: return 'network';
  }
}

/** One try's outcome, with whether it carried EDNS and the transport it went over. */
type Try = UpstreamResult & { edns: boolean; via: Transport };

/** One try: encode, exchange, check, feed the infra cache. */
async function attempt(deps: LadderDeps, q: UpstreamQuery, route: Route, transport: Transport, edns: boolean): Promise<Try> {
  const s = q.server;
  const started = deps.clock.monotonic();
  const bytes = buildQuery(q, edns, transport);
  if (!bytes) return { kind: 'fail', reason: 'malformed', elapsedMs: 0, edns, via: transport };
  const stream = transport !== 'udp';
  const r = await deps.exchanger.exchange({
    to: { host: s.address, port: transport === 'tls' ? route.port : s.port },
    transport,
    query: bytes,
    timeoutMs: stream ? deps.maxTimeoutMs : deps.infra.timeoutMs(s),
    tls: transport === 'tls' ? route.tls : undefined,
    signal: q.signal,
    sourceAddress: deps.sourceAddress,
    onOpened: (e) => deps.tracker.opened(s, e.transport, e.resumed),
  });
  deps.tracker.sent(s, q.zone, transport, r);
  if (r.kind === 'fail') {
    const serverDown = r.code === 'timeout' || (transport !== 'tls' && r.code.startsWith('connect-'));
    if (serverDown) deps.infra.timedOut(s, r.code === 'timeout' && edns && !stream);
    return { kind: 'fail', reason: failureOf(r.code), elapsedMs: deps.clock.monotonic() - started, edns, via: transport, ...(r.detail ? { detail: r.detail } : {}) };
  }
  const check = checkReply(q, r.bytes);
  if (check.kind !== 'ok') {
    // Garbage is no answer: rank the server last for a while, as after a timeout (else a server that
    // always sends garbage quickly stays "never heard from" and is asked first every time).
    deps.infra.timedOut(s);
    return { kind: 'fail', reason: check.kind, elapsedMs: deps.clock.monotonic() - started, edns, via: transport };
  }
  r.session?.applyKeepalive(keepaliveTimeoutMs(check.message));
  if (transport === 'udp' || r.reused) deps.infra.rttSample(s, r.rttMs);
  else deps.infra.replied(s);
  if (edns && !stream) deps.infra.ednsAnswered(s);
  return { kind: 'reply', message: check.message, rttMs: r.rttMs, transport: r.transport, edns, via: transport };
}

function timedOut(t: Try): boolean {
  return t.kind === 'fail' && t.reason === 'timeout';
}

/** The TCP rung after UDP silence; its outcome is remembered (TCP first, or no TCP fallback, for a while). */
async function tcpAfterSilence(deps: LadderDeps, q: UpstreamQuery, route: Route): Promise<Try> {
  const res = await attempt(deps, q, route, 'tcp', deps.infra.edns(q.server) !== 'no');
  deps.infra.setTcpFallback(q.server, res.kind === 'reply' ? 'works' : 'failed');
  return res;
}

/** The first try, and after repeated UDP timeouts without EDNS and then over TCP (see the file header). */
async function firstRungs(deps: LadderDeps, q: UpstreamQuery, route: Route): Promise<Try> {
  const s = q.server;
  const first: Transport = route.transport === 'udp' && deps.infra.tcpFallback(s) === 'works' ? 'tcp' : route.transport;
  const res = await attempt(deps, q, route, first, deps.infra.edns(s) !== 'no');
  // A server asked over TCP first that fails there goes back to UDP (and no TCP fallback) for a while.
  if (first === 'tcp' && route.transport === 'udp' && res.kind === 'fail') deps.infra.setTcpFallback(s, 'failed');
  if (!(timedOut(res) && first === 'udp' && res.edns && deps.infra.edns(s) === 'unknown'
      && deps.infra.consecutiveTimeouts(s) >= EDNS_TIMEOUT_FALLBACK)) return res;
  const plain = await attempt(deps, q, route, 'udp', false);
  if (plain.kind === 'reply') deps.infra.setEdns(s, 'no');
  if (timedOut(plain) && deps.infra.tcpFallback(s) === 'untried') return tcpAfterSilence(deps, q, route);
  return plain;
}

/**
 * The rungs left after the server stayed silent over UDP with EDNS (a query with `afterUdpSilence`):
 * without EDNS while its EDNS support is unknown, then TCP unless already tried (a dead server gets
 * one TCP try, not one per query). Undefined when no rung is left. A reply without EDNS marks the
 * server as not speaking EDNS only after repeated silences (one lost datagram is no evidence).
 */
async function afterUdpSilence(deps: LadderDeps, q: UpstreamQuery, route: Route): Promise<Try | undefined> {
  const s = q.server;
  const plainLeft = deps.infra.edns(s) === 'unknown';
  const tcpLeft = deps.infra.tcpFallback(s) === 'untried';
  if (route.transport !== 'udp' || (!plainLeft && !tcpLeft)) return undefined;
  if (plainLeft) {
    const plain = await attempt(deps, q, route, 'udp', false);
    if (plain.kind === 'reply' && deps.infra.ednsTimeouts(s) >= EDNS_TIMEOUT_FALLBACK) deps.infra.setEdns(s, 'no');
    if (!timedOut(plain) || !tcpLeft) return plain;
  }
  return tcpAfterSilence(deps, q, route);
}

/** Whether a failed try leaves rungs for `afterUdpSilence`: a UDP timeout, with no EDNS or TCP untried. */
function leavesRungs(deps: LadderDeps, s: ServerAddress, route: Route, res: Try): boolean {
  if (route.transport !== 'udp' || res.via !== 'udp' || !timedOut(res)) return false;
  return (res.edns && deps.infra.edns(s) === 'unknown') || deps.infra.tcpFallback(s) === 'untried';
}

/** Runs the ladder (see the file header). Never throws. */
export async function runLadder(deps: LadderDeps, q: UpstreamQuery, route: Route): Promise<UpstreamResult> {
  const s = q.server;
  const started = deps.clock.monotonic();
  let res = (q.afterUdpSilence ? await afterUdpSilence(deps, q, route) : undefined) ?? await firstRungs(deps, q, route);
  if (res.kind === 'reply' && res.edns && rejectsEdns(res.message)) {
    const plain = await attempt(deps, q, route, res.via, false);
    if (plain.kind === 'reply' && !rejectsEdns(plain.message)) deps.infra.setEdns(s, 'no');
    res = plain;
  }
  if (res.kind === 'reply' && res.transport === 'udp' && isTruncated(res.message)) {
    res = await attempt(deps, q, route, 'tcp', res.edns);
  }
  const elapsedMs = deps.clock.monotonic() - started;
  if (res.kind === 'fail') {
    return {
      kind: 'fail', reason: res.reason, elapsedMs, ...(res.detail ? { detail: res.detail } : {}),
      ...(leavesRungs(deps, s, route, res) ? { udpSilent: true } : {}),
    };
  }
  if (!res.edns && rcodeOf(res.message.flags) === RCODE.FORMERR) return { kind: 'fail', reason: 'formerr', elapsedMs };
  if (res.edns && !rejectsEdns(res.message)) deps.infra.setEdns(s, hasOpt(res.message) ? 'yes' : 'no');
  return { kind: 'reply', message: res.message, rttMs: res.rttMs, transport: res.transport };
}
