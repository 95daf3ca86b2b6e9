/**
 * Default limits of the connection core. Inbound values follow the config defaults
 * (server.limits); outbound ones follow Unbound's tcp-reuse-timeout / max-reuse-tcp-queries idea
 * (RFC 7766 §6.2.1: reuse connections, close idle ones).
 */
import type { ServerLimits } from '../config/index.js';
import type { SessionLimits } from './types.js';

export const DEFAULT_SESSION_LIMITS: Readonly<SessionLimits> = {
  maxFrameBytes: 65535,
  idleTimeoutMs: 10_000,
  maxWriteQueueBytes: 1 << 20,
  maxInflight: 100,
  tlsHandshakeTimeoutMs: 5_000,
};

/** Limits of the outbound session pool. */
export interface OutboundLimits extends SessionLimits {
  /** Queries one outbound session carries before it retires (closes once its last answer is in). */
  maxQueriesPerSession: number;
}

export const DEFAULT_OUTBOUND_LIMITS: Readonly<OutboundLimits> = {
  ...DEFAULT_SESSION_LIMITS,
  maxInflight: 64,
  maxQueriesPerSession: 1000,
};

/** Time a gracefully closing session gets to flush its writes before it is destroyed. */
export const CLOSE_GRACE_MS = 2_000;

/** Fills the missing fields of `partial` from the inbound defaults. */
export function sessionLimits(partial: Partial<SessionLimits> = {}): SessionLimits {
  return { ...DEFAULT_SESSION_LIMITS, ...partial };
}

/** Fills the missing fields of `partial` from the outbound defaults. */
export function outboundLimits(partial: Partial<OutboundLimits> = {}): OutboundLimits {
  return { ...DEFAULT_OUTBOUND_LIMITS, ...partial };
}

/** The inbound session limits a server config asks for (server.limits). */
export function sessionLimitsFromConfig(c: ServerLimits): SessionLimits {
  return {
    maxFrameBytes: c.max_frame_bytes,
    idleTimeoutMs: c.tcp_idle_timeout_ms,
    maxWriteQueueBytes: c.max_write_queue_bytes,
    maxInflight: c.max_inflight_per_connection,
    tlsHandshakeTimeoutMs: c.tls_handshake_timeout_ms,
  };
}
