/**
 * TLS options for both directions of DNS over TLS (RFC 7858, RFC 8310): the DoT listener (TLS 1.2
 * and 1.3 only, ALPN "dot" per RFC 7858 §3.2 / IANA) and upstream client connections. Client
 * connections never let Node reject the peer itself: the dialer decides after the handshake whether
 * authentication (RFC 8310 §8: strict vs opportunistic) is required, so a failure is a value.
 */
import { isIP } from 'node:net';
import type { ConnectionOptions, TlsOptions } from 'node:tls';
import type { TlsMaterial } from './certificates.js';

export const DOT_ALPN = 'dot';

/** Options for `tls.createServer` serving DoT. */
export function serverTlsOptions(material: TlsMaterial, handshakeTimeoutMs: number): TlsOptions {
  return {
    cert: material.cert,
    key: material.key,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ALPNProtocols: [DOT_ALPN],
    handshakeTimeout: handshakeTimeoutMs,
  };
}

export interface ClientTlsParams {
  host: string;
  port: number;
  /** The name to authenticate (and send as SNI when it is not an IP address). */
  servername?: string;
  /** A saved TLS session to resume (RFC 8446 §2.2 / RFC 5077 tickets). */
  session?: Buffer;
  localAddress?: string;
  /** Extra options from the caller (a test CA, for example). */
  extra?: ConnectionOptions;
}

/** Options for `tls.connect` to an upstream DoT server (socket.connect options pass through). */
export function clientTlsOptions(p: ClientTlsParams): ConnectionOptions & { localAddress?: string } {
  const sni = p.servername !== undefined && isIP(p.servername) === 0 ? p.servername : undefined;
  return {
    host: p.host,
    port: p.port,
    servername: sni,
    localAddress: p.localAddress,
    minVersion: 'TLSv1.2',
    maxVersion: 'TLSv1.3',
    ALPNProtocols: [DOT_ALPN],
    session: p.session,
    // Node still checks chain and identity (servername, else host) and reports it in `authorized`.
    rejectUnauthorized: false,
    ...p.extra,
  };
}
