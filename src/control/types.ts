/**
 * The control channel's contract: newline-delimited JSON, one request and one response per line.
 * The server side dispatches each command to an AdminHandle that the composition root builds.
 */

export type ControlCommand = 'stats' | 'upstream' | 'flush' | 'flush-infra' | 'cache-dump' | 'reload' | 'status';

export interface ControlRequest {
  command: ControlCommand;
  args?: { [key: string]: unknown };
  /** Required on a TCP control listener (control.token_file). */
  token?: string;
}

export type ControlResponse = { ok: true; result: unknown } | { ok: false; error: string };

export interface FlushArgs { name?: string; type?: string; subtree?: boolean; all?: boolean }

/** What a flush removed: local entries, and with cache.shared the tier's (or why it could not). */
export interface FlushResult { removed: number; shared_removed?: number; shared_error?: string }

/** What the control channel can ask of a running Ward. Results are plain JSON values, or promises of them (a primary asks its workers). */
export interface AdminHandle {
  stats(reset: boolean): unknown;
  upstream(): unknown;
  flush(args: FlushArgs): FlushResult | Promise<FlushResult>;
  flushInfra(address: string): { removed: number } | Promise<{ removed: number }>;
  cacheDump(name?: string): unknown;
  /** Re-reads the config file; rejects with the config error when it does not validate. */
  reload(): Promise<{ applied: string[] }>;
  /** The status page's counters with `top` rows per table (what a primary merges from its workers); throws when the page is off. */
  status(top: number): unknown;
}

/** Where a control client connects: a Unix socket path, or loopback TCP with a token. */
export type ControlTarget = { socket: string } | { address: string; port: number; token: string };

/** The longest request or response line accepted (a cache dump can be large). */
export const MAX_REQUEST_BYTES = 64 * 1024;
export const MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
