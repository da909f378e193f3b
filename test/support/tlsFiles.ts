/**
 * A CA and one certificate for loopback TLS nodes (127.0.0.1, ::1 and localhost), written to a
 * scratch folder by redis-swarm's own certificate code; `remove()` deletes the folder.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CertifiedKey, createCa, issueCertificate } from '../../src/core/tls/certificates';
import { type LoopbackTls } from './loopbackCluster';

export interface TlsTestFiles extends LoopbackTls {
  readonly dir: string;
  readonly ca: CertifiedKey;
  readonly node: CertifiedKey;
  remove(): void;
}

export function writeLoopbackTls(label: string): TlsTestFiles {
  const dir = mkdtempSync(join(tmpdir(), `redis-swarm-tls-${label}-`));
  const ca = createCa(label);
  const node = issueCertificate(ca, 'loopback', ['127.0.0.1', '::1', 'localhost']);
  const caFile = join(dir, 'ca.crt');
  const certFile = join(dir, 'node.crt');
  const keyFile = join(dir, 'node.key');
  writeFileSync(caFile, ca.certPem);
  writeFileSync(certFile, node.certPem);
  writeFileSync(keyFile, node.keyPem, { mode: 0o600 });
  return { dir, ca, node, caFile, certFile, keyFile, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
