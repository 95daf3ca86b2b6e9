/**
 * Opens outbound TCP and TLS sessions (RFC 7766, RFC 7858/8310). TLS sessions are resumed from a
 * small ticket cache keyed by server name and address (undici buildConnector style). Authentication
 * follows the usage profile asked for (RFC 8310 §5): with `authenticate` a failed chain/name check
 * or an SPKI pin mismatch (RFC 7858 §4.2) ends the dial with 'tls-auth'; without it the session is
 * used and reported as unauthenticated (opportunistic).
 */
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions, type TLSSocket } from 'node:tls';
import { clientTlsOptions, spkiPin } from '../tls/index.js';
import type { Logger } from '../log/index.js';
import type { Clock } from '../util/index.js';
import { Session } from './session.js';
import type { Endpoint, NetErrorCode, SessionLimits, StreamTransport } from './types.js';

export interface DialOptions {
  transport: StreamTransport;
  to: Endpoint;
  servername?: string;
  authenticate: boolean;
  spkiPins?: string[];
  sourceAddress?: string;
  /** Connect plus TLS handshake time allowed. */
  timeoutMs: number;
  limits: SessionLimits;
  log: Logger;
  clock: Clock;
  tickets: TicketCache;
  /** Extra TLS client options (a private CA in tests, for example). */
  tlsExtra?: ConnectionOptions;
}

export type DialResult =
  | { kind: 'ok'; session: Session; authenticated: boolean; resumed: boolean }
  | { kind: 'fail'; code: NetErrorCode; detail?: string };

/** TLS sessions to resume, oldest dropped first. */
export class TicketCache {
  private readonly map = new Map<string, Buffer>();
  constructor(private readonly max = 1024) {}
  get(key: string): Buffer | undefined { return this.map.get(key); }
  set(key: string, ticket: Buffer): void {
    this.map.delete(key);
    this.map.set(key, ticket);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
  delete(key: string): void { this.map.delete(key); }
}

export function dial(o: DialOptions): Promise<DialResult> {
  const { host, port } = o.to;
  const ticketKey = `${o.servername ?? ''}|${host}|${port}`;
  const socket = o.transport === 'tls'
    ? tlsConnect(clientTlsOptions({
      host, port, servername: o.servername ?? host, session: o.tickets.get(ticketKey),
      localAddress: o.sourceAddress, extra: o.tlsExtra,
    }))
    : netConnect({ host, port, localAddress: o.sourceAddress, noDelay: true });
  if (o.transport === 'tls') socket.on('session', (t: Buffer) => o.tickets.set(ticketKey, t));
  const session = new Session({
    role: 'outbound', transport: o.transport, socket, limits: o.limits, log: o.log, clock: o.clock,
    connectTimeoutMs: o.timeoutMs,
  });
  return new Promise<DialResult>((resolve) => {
    const onClose = (_r: unknown, code?: NetErrorCode, detail?: string): void =>
      resolve({ kind: 'fail', code: code ?? 'closed', detail });
    session.once('close', onClose);
    session.once('connect', () => {
      session.off('close', onClose);
      if (o.transport === 'tcp') return resolve({ kind: 'ok', session, authenticated: false, resumed: false });
      const tlsSocket = socket as TLSSocket;
      const auth = checkAuth(tlsSocket, o.spkiPins);
      if (!auth.ok && o.authenticate) {
        o.tickets.delete(ticketKey);
        session.destroy('error', 'tls-auth', auth.detail);
        return resolve({ kind: 'fail', code: 'tls-auth', detail: auth.detail });
      }
      if (!auth.ok) session.log.debug({ detail: auth.detail }, 'unauthenticated TLS (opportunistic)');
      resolve({ kind: 'ok', session, authenticated: auth.ok, resumed: tlsSocket.isSessionReused() });
    });
  });
}

/** Pins, when given, replace the chain check (RFC 7858 §4.2); otherwise Node's chain + name check decides. */
function checkAuth(s: TLSSocket, pins?: string[]): { ok: boolean; detail?: string } {
  if (pins && pins.length > 0) {
    const raw = s.getPeerCertificate().raw;
    if (!raw) return { ok: false, detail: 'no peer certificate' };
    const pin = spkiPin(raw);
    return pins.includes(pin) ? { ok: true } : { ok: false, detail: `SPKI pin ${pin} not in pin set` };
  }
  return s.authorized ? { ok: true } : { ok: false, detail: String(s.authorizationError ?? 'not authorized') };
}
