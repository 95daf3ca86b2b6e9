/**
 * DoT listener certificates (RFC 7858 §3): load and check a PEM certificate and key, or make a
 * self-signed pair (stored once in the state directory by self-signed-store.ts). Also the SPKI pin of a
 * certificate (RFC 7858 §4.2 / RFC 7469 pin format: base64 of SHA-256 over the DER
 * SubjectPublicKeyInfo), the value `kdig +tls-pin` and Stubby `tls_pubkey_pinset` take.
 * RSA keys come from node:crypto (fast, native); node-forge builds and signs the X.509 structure.
 */
import { createHash, createPrivateKey, generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import { createRequire } from 'node:module';
import { WardError, errorMessage } from '../util/index.js';

/** PEM certificate and private key, ready for `tls.createServer`. */
export interface TlsMaterial {
  cert: string;
  key: string;
}

/** Where the material came from, with the files it lives in. */
export interface LoadedTlsMaterial extends TlsMaterial {
  certPath: string;
  keyPath: string;
  /** True when this call generated the self-signed pair. */
  created: boolean;
}

export interface SelfSignedOptions {
  commonName?: string;
  /** DNS names and IP addresses for subjectAltName (default: localhost, 127.0.0.1, ::1). */
  dnsNames?: string[];
  ipAddresses?: string[];
  /** Validity start (default: now from the caller's clock). */
  now?: Date;
  validDays?: number;
}

/** node-forge, loaded on first use: only creating a certificate needs it, and it costs ~80 ms of start-up. */
let forgeModule: typeof import('node-forge') | undefined;
function nodeForge(): typeof import('node-forge') {
  forgeModule ??= createRequire(import.meta.url)('node-forge') as typeof import('node-forge');
  return forgeModule;
}

/** Creates a self-signed RSA-2048/SHA-256 server certificate. */
export function createSelfSigned(opts: SelfSignedOptions = {}): TlsMaterial {
  const forge = nodeForge();
  const pair = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(pair.publicKey);
  cert.serialNumber = '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
  const start = opts.now ?? new Date();
  cert.validity.notBefore = new Date(start.getTime() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(start.getTime() + (opts.validDays ?? 3650) * 24 * 3600 * 1000);
  const attrs = [{ name: 'commonName', value: opts.commonName ?? 'ward DNS-over-TLS' }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  const altNames = [
    ...(opts.dnsNames ?? ['localhost']).map((value) => ({ type: 2, value })),
    ...(opts.ipAddresses ?? ['127.0.0.1', '::1']).map((ip) => ({ type: 7, ip })),
  ];
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(pair.privateKey), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: pair.privateKey };
}

/** Reads and checks a PEM certificate and key (parse both, and check they belong together). */
export function loadTlsMaterial(certPath: string, keyPath: string): LoadedTlsMaterial {
  return checkTlsMaterial(readPem(certPath, 'certificate'), readPem(keyPath, 'private key'), certPath, keyPath);
}

/** Checks PEM text read from `certPath` and `keyPath`: both parse, and the key is the certificate's. */
export function checkTlsMaterial(cert: string, key: string, certPath: string, keyPath: string): LoadedTlsMaterial {
  try {
    new X509Certificate(cert);
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${certPath}: not a PEM certificate: ${errorMessage(err)}`);
  }
  try {
    createPrivateKey(key);
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${keyPath}: not a PEM private key: ${errorMessage(err)}`);
  }
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${keyPath}: key does not match certificate ${certPath}: ${errorMessage(err)}`);
  }
  return { cert, key, certPath, keyPath, created: false };
}

/** True when `key` is the private key of `cert` (false as well when either does not parse). */
export function keyMatchesCertificate(cert: string, key: string): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/** The text of a PEM file; an unreadable one is ERR_TLS_MATERIAL naming it. */
export function readPem(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `${path}: cannot read ${what}: ${errorMessage(err)}`);
  }
}

/** base64(SHA-256(DER SubjectPublicKeyInfo)) of a certificate given as PEM text or DER bytes. */
export function spkiPin(cert: string | Buffer): string {
  let spki: Buffer;
  try {
    spki = new X509Certificate(cert).publicKey.export({ type: 'spki', format: 'der' });
  } catch (err) {
    throw new WardError('ERR_TLS_MATERIAL', `not a certificate: ${errorMessage(err)}`);
  }
  return createHash('sha256').update(spki).digest('base64');
}
