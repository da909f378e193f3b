/**
 * How redis-swarm speaks TLS to a cluster it deployed with TLS: it trusts the cluster's CA and
 * shows a node's own certificate as its client certificate (node certificates are for clients
 * too, and `tls-auth-clients yes` wants one). Both are read from a running node, like the
 * password: whoever can use this engine's API can exec there, so this reveals nothing new.
 */
import { type Engine } from '../docker/engine';
import { NotFoundError } from '../errors';
import { type TlsClientConfig } from '../tls/clientTls';
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_SECRET_FILE } from './deployTls';
import { SECRET_DIR } from './redisConf';
import { type SwarmCluster, runningNodes } from './discover';
import { execCapture } from './exec';

const PEM_BLOCK = /-----BEGIN ([A-Z ]+)-----[\s\S]*?-----END \1-----\n?/g;

export async function readClusterTls(engine: Engine, cluster: SwarmCluster): Promise<TlsClientConfig | undefined> {
  if (!cluster.tls) return undefined;
  const node = runningNodes(cluster)[0];
  if (!node?.task?.containerId) {
    throw new NotFoundError(`Cannot read the TLS certificates of cluster "${cluster.name}": none of its nodes is running.`);
  }
  // One exec for the three files, a marker between them (a CA file may hold several certificates).
  const script = `cat "$1"; echo "${MARK}"; cat "$2"; echo "${MARK}"; cat "$3"`;
  const text = await execCapture(engine.docker, node.task.containerId, ['sh', '-c', script, 'sh', TLS_CA_PATH, TLS_CERT_PATH, `${SECRET_DIR}/${TLS_KEY_SECRET_FILE}`]);
  return parseNodeTlsFiles(text, cluster.name);
}

const MARK = '#redis-swarm-tls-file#';

/** The CA, certificate and key files of a node, as the exec above prints them. */
export function parseNodeTlsFiles(text: string, cluster: string): TlsClientConfig {
  const [caText = '', certText = '', keyText = ''] = text.split(`${MARK}\n`);
  const pems = (t: string): string[] => [...t.matchAll(PEM_BLOCK)].map((m) => m[0]);
  const ca = pems(caText);
  const cert = pems(certText);
  const key = pems(keyText)[0];
  if (ca.length === 0 || cert.length === 0 || key === undefined) {
    throw new NotFoundError(`The TLS files of cluster "${cluster}" are incomplete on its node (a CA, a certificate and a key are expected).`);
  }
  return { ca, cert: cert.join(''), key };
}
