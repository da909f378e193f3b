/**
 * redis-cli's TLS flags (`--cacert`, `--cacertdir`, `--cert`, `--key`, `--sni`, `--insecure`)
 * read into a TlsClientConfig, with the reasons hiredis gives when a file cannot be used.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { type TlsClientConfig } from './clientTls';

export interface TlsFlags {
  readonly cacert?: string;
  readonly cacertdir?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly sni?: string;
  readonly insecure?: boolean;
}

/** hiredis's texts (redisSSLContextGetError). */
const INVALID_CA = 'Invalid CA Certificate File/Directory';
const INVALID_CERT = 'Invalid client certificate';
const INVALID_KEY = 'Invalid private key';

export function loadTlsFlags(f: TlsFlags): TlsClientConfig {
  const base: TlsClientConfig = { ...(f.sni !== undefined ? { sni: f.sni } : {}), ...(f.insecure ? { insecure: true } : {}) };
  let ca: string[] | undefined;
  if (f.cacert !== undefined || f.cacertdir !== undefined) {
    // Either one replaces the default roots, as SSL_CTX_load_verify_locations does.
    ca = [];
    if (f.cacert !== undefined) {
      const text = readText(f.cacert);
      if (text === undefined || !isCertificate(text)) return { ...base, setupError: INVALID_CA };
      ca.push(text);
    }
    // A CA directory is looked up lazily by OpenSSL: a missing one is no error, it trusts nothing.
    if (f.cacertdir !== undefined) ca.push(...certificatesIn(f.cacertdir));
  }
  // hiredis uses a client certificate only when both the certificate and the key are given.
  let pair: { cert: string; key: string } | undefined;
  if (f.cert !== undefined && f.key !== undefined) {
    const cert = readText(f.cert);
    if (cert === undefined || !isCertificate(cert)) return { ...base, ...(ca ? { ca } : {}), setupError: INVALID_CERT };
    const key = readText(f.key);
    if (key === undefined || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(key)) return { ...base, ...(ca ? { ca } : {}), setupError: INVALID_KEY };
    pair = { cert, key };
  }
  return { ...base, ...(ca ? { ca } : {}), ...(pair ?? {}) };
}

function readText(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

function isCertificate(pem: string): boolean {
  try {
    new X509Certificate(pem);
    return true;
  } catch {
    return false;
  }
}

/**
 * The certificates OpenSSL finds in a CA directory: it looks a CA up by the hash of its subject,
 * in files named `<hash>.<n>` (what `openssl rehash`/c_rehash make); other files are not read.
 */
function certificatesIn(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => /^[0-9a-f]{8}\.\d+$/.test(n))
    .map((n) => readText(join(dir, n)))
    .filter((t): t is string => t !== undefined && isCertificate(t));
}
