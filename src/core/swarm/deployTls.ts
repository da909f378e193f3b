/**
 * TLS for a deployed cluster: what each node mounts and where. Certificates are public and go
 * into Docker configs; private keys go only into Docker secrets. Every node gets its own
 * certificate naming its announced host name (the service name), signed by the cluster's CA:
 * redis-swarm generates the CA (its key in a secret that no node mounts) or takes the user's
 * certificate, key and CA (`--tls-cert/--tls-key/--tls-ca`), one certificate for every node,
 * which must then name every node.
 *
 * The files sit at fixed paths, so the shared redis.conf names them once for every node.
 */
import { createHash } from 'node:crypto';
import { BadInputError } from '../errors';
import { type CertifiedKey, checkCertifiedKey, createCa, issueCertificate, parseCertificate } from '../tls/certificates';

export const TLS_DIR = '/usr/local/etc/redis/tls';
export const TLS_CA_PATH = `${TLS_DIR}/ca.crt`;
export const TLS_CERT_PATH = `${TLS_DIR}/node.crt`;
/** The node's key: a secret's target name, so /run/secrets/redis-tls.key. */
export const TLS_KEY_SECRET_FILE = 'redis-tls.key';

/** TLS as deploy is asked for it. */
export type DeployTls =
  | { readonly source: 'generate' }
  | { readonly source: 'files'; readonly certPem: string; readonly keyPem: string; readonly caPem: string };

/** One node's TLS objects. */
export interface NodeTlsPlan {
  readonly certConfig: string;
  readonly keySecret: string;
  readonly pair: CertifiedKey;
}

/** Every TLS object deploy creates. */
export interface TlsPlan {
  readonly source: DeployTls['source'];
  readonly caConfig: string;
  readonly caPem: string;
  /** The CA key's secret, for a generated CA (add-node and rotate-certs sign with it). */
  readonly caKeySecret?: string;
  readonly caKeyPem?: string;
  /** The CA kept by `destroy --keep-ca`: its config and key secret exist already, so deploy neither creates nor (on failure) removes them. */
  readonly reusedCa?: boolean;
  /** By service name. */
  readonly nodes: ReadonlyMap<string, NodeTlsPlan>;
}

/** The names a node's certificate must cover: what it announces and what clients dial. */
export function nodeCertificateNames(service: string): string[] {
  return [service];
}

/** Swarm objects are immutable: a content hash in each name lets rotation add new ones beside. */
function hashed(name: string, content: string): string {
  return `${name}-${createHash('sha256').update(content).digest('hex').slice(0, 10)}`;
}

export function caKeySecretName(cluster: string): string {
  return `${cluster}-tls-ca-key`;
}

/** Whether a config or secret of this cluster is its CA (certificate config or key secret), which `destroy --keep-ca` keeps. */
export function isCaObjectName(cluster: string, name: string): boolean {
  return name === caKeySecretName(cluster) || (name.startsWith(`${cluster}-tls-ca-`) && /^[0-9a-f]{10}$/.test(name.slice(cluster.length + 8)));
}

/** The TLS objects of one node, for a certificate it is to get. */
export function nodeTlsObjects(service: string, pair: CertifiedKey): NodeTlsPlan {
  return { certConfig: hashed(`${service}-tls-cert`, pair.certPem), keySecret: hashed(`${service}-tls-key`, pair.certPem), pair };
}

/** `keptCa`: the CA a `destroy --keep-ca` left, to sign the node certificates with instead of a new one. */
export function planTls(cluster: string, services: readonly string[], tls: DeployTls, now = new Date(), keptCa?: CertifiedKey): TlsPlan {
  if (tls.source === 'files') {
    const pair = { certPem: tls.certPem, keyPem: tls.keyPem };
    checkCertifiedKey(pair, tls.caPem, 'The --tls-cert');
    const cert = parseCertificate(tls.certPem, 'The --tls-cert');
    const uncovered = services.filter((s) => nodeCertificateNames(s).some((n) => cert.checkHost(n) === undefined));
    if (uncovered.length > 0) {
      throw new BadInputError(
        `The --tls-cert does not name ${uncovered.join(', ')}: every node announces its service name, so the certificate must cover each ` +
          `(a subject alternative name per node, or a wildcard that matches them).`,
      );
    }
    return { source: 'files', caConfig: hashed(`${cluster}-tls-ca`, tls.caPem), caPem: tls.caPem, nodes: new Map(services.map((s) => [s, nodeTlsObjects(s, pair)])) };
  }
  const ca = keptCa ?? createCa(cluster, now);
  return {
    source: 'generate',
    ...(keptCa ? { reusedCa: true } : {}),
    caConfig: hashed(`${cluster}-tls-ca`, ca.certPem),
    caPem: ca.certPem,
    caKeySecret: caKeySecretName(cluster),
    caKeyPem: ca.keyPem,
    nodes: new Map(services.map((s) => [s, nodeTlsObjects(s, issueCertificate(ca, s, nodeCertificateNames(s), now))])),
  };
}

/** redis.conf lines of a TLS cluster: TLS only (port 0), on the bus and for replication too. */
export function tlsConfLines(port: number): string[] {
  return [
    'port 0',
    `tls-port ${port}`,
    'tls-cluster yes',
    'tls-replication yes',
    `tls-cert-file ${TLS_CERT_PATH}`,
    `tls-key-file /run/secrets/${TLS_KEY_SECRET_FILE}`,
    `tls-ca-cert-file ${TLS_CA_PATH}`,
    // Clients (redis-swarm included) show a certificate the CA signed, as nodes do to each other.
    'tls-auth-clients yes',
  ];
}
