/**
 * A throwaway self-signed certificate for DoT listeners in the lab and the benchmarks (RFC 7858 §3.1),
 * made by Ward's own generator (src/tls) and written as PEM files for daemons that read files.
 * Also a test CA with a server certificate it signed, for clients that authenticate by name.
 */
import { execFileSync } from 'node:child_process';
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

export interface TestCa extends CertFiles { caFile: string }

/**
 * A test certificate authority and a server certificate it signed for `name` (RFC 8310 §8: the
 * client checks the chain and the name), made with the openssl command line, files in `dir`.
 */
export function makeTestCa(dir: string, name: string): TestCa {
  const file = (f: string): string => join(dir, f);
  const openssl = (...args: string[]): void => { execFileSync('openssl', args, { stdio: 'pipe' }); };
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2',
    '-subj', '/CN=Ward interop test CA', '-keyout', file('ca-key.pem'), '-out', file('ca.pem'),
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`,
    '-keyout', file('server-key.pem'), '-out', file('server.csr'));
  writeFileSync(file('server.ext'), `subjectAltName=DNS:${name}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`);
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca-key.pem'), '-CAcreateserial',
    '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem'));
  return { caFile: file('ca.pem'), certFile: file('server.pem'), keyFile: file('server-key.pem') };
}
