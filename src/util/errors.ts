/**
 * The error catalogue. Exceptions are for programmer errors, bad configuration and malformed input;
 * network outcomes are values (see net/types.ts).
 */
export type WardErrorCode =
  | 'ERR_FRAME_TOO_LARGE'  // a stream frame over the configured limit
  | 'ERR_CONFIG'           // a configuration file that does not fit the schema
  | 'ERR_TLS_MATERIAL'     // certificate or key that cannot be loaded or created
  | 'ERR_PRESENTATION';    // zone-file text that cannot be parsed

export class WardError extends Error {
  constructor(readonly code: WardErrorCode, message: string) {
    super(message);
    this.name = 'WardError';
  }
}

/** A configuration error names the file, the key and what is expected. */
export class ConfigError extends WardError {
  constructor(readonly file: string, readonly key: string, readonly expected: string) {
    super('ERR_CONFIG', `${file}: ${key}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

/** The message of any thrown value, for logs. */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
