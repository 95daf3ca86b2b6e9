/**
 * A throwaway self-signed certificate for DoT listeners in the lab and the benchmarks (RFC 7858 §3.1),
 * made by Ward's own generator (src/tls) and written as PEM files for daemons that read files.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSelfSigned } from '../../src/tls/index.js';

export interface CertFiles { certFile: string; keyFile: string }

/** Writes cert.pem and key.pem for `commonName` into `dir` and returns their paths. */
export function makeSelfSignedCert(dir: string, commonName = 'ward.test'): CertFiles {
  const { cert, key } = createSelfSigned({ commonName, dnsNames: [commonName], validDays: 2 });
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
  writeFileSync(certFile, cert);
  writeFileSync(keyFile, key, { mode: 0o600 });
  return { certFile, keyFile };
}
