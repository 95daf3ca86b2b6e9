/**
 * The self-signed DoT pair in state_dir, created once even when several processes start at the same
 * moment (Ward and `ward pin` on a fresh install). Each creator writes its pair to temporary files of
 * its own, then claims the key's name with link(2), which fails with EEXIST when another creator got
 * there first. Only the claimant installs the certificate (rename, replacing a stale one left without
 * its key), so the key on disk and the certificate that ends up beside it come from one creator. A
 * loser discards its pair and loads the winner's; a reader that finds the key without its certificate
 * (the claimant between its two steps) waits for it rather than pair the key with another certificate.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WardError, errorMessage } from '../util/index.js';
import { checkTlsMaterial, createSelfSigned, keyMatchesCertificate, loadTlsMaterial, readPem, type LoadedTlsMaterial } from './certificates.js';

/** File names used in the state directory for the generated pair. */
export const SELF_SIGNED_CERT_FILE = 'dot-cert.pem';
export const SELF_SIGNED_KEY_FILE = 'dot-key.pem';

/** How long a reader waits for the certificate of a key on disk (the claimant needs microseconds). */
const PAIR_WAIT_MS = 2000;
const PAIR_POLL_MS = 20;

interface PairPaths { certPath: string; keyPath: string }

/** What the state directory holds: a checked pair, no key yet, or a key whose certificate is not (yet) beside it. */
type Stored = LoadedTlsMaterial | 'no-key' | 'incomplete';

/**
 * Loads the configured pair, or (when `configured` is null) the self-signed pair in `stateDir`,
 * creating it on first start (key file mode 0600). Bad material throws ERR_TLS_MATERIAL naming the file.
 */
export function loadOrCreateTlsMaterial(
  configured: { certificate: string; key: string } | null,
  stateDir: string,
  now?: Date,
): LoadedTlsMaterial {
  if (configured) return loadTlsMaterial(configured.certificate, configured.key);
  const paths = { certPath: join(stateDir, SELF_SIGNED_CERT_FILE), keyPath: join(stateDir, SELF_SIGNED_KEY_FILE) };
  const deadline = Date.now() + PAIR_WAIT_MS;
  for (;; sleepSync(PAIR_POLL_MS)) {
    const stored = readStored(paths);
    if (typeof stored === 'object') return stored;
    if (stored === 'no-key') {
      const made = createOnce(stateDir, paths, now);
      if (made) return made;
      continue; // lost the race: read the winner's pair
    }
    if (Date.now() >= deadline) return giveUp(paths);
  }
}

function readStored(p: PairPaths): Stored {
  const key = readIfPresent(p.keyPath, 'private key');
  if (key === undefined) return 'no-key';
  const cert = readIfPresent(p.certPath, 'certificate');
  if (cert === undefined || !keyMatchesCertificate(cert, key)) return 'incomplete';
  return checkTlsMaterial(cert, key, p.certPath, p.keyPath);
}

function readIfPresent(path: string, what: string): string | undefined {
  return existsSync(path) ? readPem(path, what) : undefined;
}

/** Generates a pair and installs it; undefined when another creator claimed the key first. */
function createOnce(stateDir: string, p: PairPaths, now: Date | undefined): LoadedTlsMaterial | undefined {
  const made = createSelfSigned({ now });
  const tag = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const tmpKey = `${p.keyPath}.${tag}`;
  const tmpCert = `${p.certPath}.${tag}`;
  try {
    mkdirSync(stateDir, { recursive: true });
    writeFileSync(tmpKey, made.key, { mode: 0o600, flag: 'wx' });
    chmodSync(tmpKey, 0o600); // exact, whatever the umask; the link below shares the inode and its mode
    writeFileSync(tmpCert, made.cert, { mode: 0o644, flag: 'wx' });
    if (!claim(tmpKey, p.keyPath)) return undefined;
    renameSync(tmpCert, p.certPath);
    return { ...made, ...p, created: true };
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${stateDir}: cannot store the self-signed DoT certificate: ${errorMessage(err)}`);
  } finally {
    rmSync(tmpKey, { force: true });
    rmSync(tmpCert, { force: true });
  }
}

/** link(2) is atomic and never replaces: exactly one concurrent creator gets the name. */
function claim(from: string, to: string): boolean {
  try {
    linkSync(from, to);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
}

/** The key stayed without its certificate: the pair if it became whole at last, else the reason. */
function giveUp(p: PairPaths): LoadedTlsMaterial {
  try {
    return loadTlsMaterial(p.certPath, p.keyPath);
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${errorMessage(err)} (remove ${p.keyPath} and ${p.certPath} to have a new pair created)`);
  }
}

/** Blocks the thread; only at start-up, while another process finishes installing the pair. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
