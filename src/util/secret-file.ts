/** A secret kept in a file (control token, query-log anonymization key): read, or created once with mode 0600. */
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { ConfigError, errorMessage } from './errors.js';

/** The secret in `file`; `configKey` names the setting in errors. With `create`, a missing file is made. */
export function readSecretFile(file: string, configKey: string, create: boolean): string {
  try {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < 16) throw new ConfigError(file, configKey, 'a secret of at least 16 characters');
    return secret;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    if (!create || (err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new ConfigError(file, configKey, `a readable file (${errorMessage(err)})`);
    }
  }
  const secret = randomBytes(24).toString('base64url');
  // 'wx': never overwrite a secret another process wrote meanwhile; read theirs instead.
  try { writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' }); } catch { return readSecretFile(file, configKey, false); }
  return secret;
}
