/**
 * A node's own TLS objects (its certificate config and key secret) and the mounts that point a
 * node service at them: what deploy makes for each node, and what add-node and rotate-certs
 * make for one node with a certificate from the cluster's CA.
 */
import type Docker from 'dockerode';
import { BadInputError } from '../errors';
import { type CertifiedKey, issueCertificate, parseCertificate } from '../tls/certificates';
import { TLS_CERT_PATH, TLS_KEY_SECRET_FILE, nodeCertificateNames, nodeTlsObjects } from './deployTls';
import { readClusterCa } from './clusterCa';
import { type Engine } from '../docker/engine';
import { type SwarmCluster } from './discover';
import { clusterLabels } from './labels';

/** The mounts of a container spec, as far as they are read here (Docker's types require more of each). */
type FileTarget = { readonly Name?: string };
export type ContainerMounts = {
  Configs?: (Omit<Docker.ConfigReference, 'File'> & { File?: FileTarget })[];
  Secrets?: (Omit<Docker.SecretReference, 'File'> & { File?: FileTarget })[];
};

export interface NodeTlsObjects {
  readonly config: { readonly name: string; readonly id: string };
  readonly secret: { readonly name: string; readonly id: string };
}

/** Stores a node's certificate (config) and key (secret), labelled as the cluster's. */
export async function createNodeTlsObjects(docker: Docker, cluster: string, service: string, pair: CertifiedKey): Promise<NodeTlsObjects> {
  const names = nodeTlsObjects(service, pair);
  const labels = clusterLabels(cluster);
  const config = (await docker.createConfig({ Name: names.certConfig, Labels: labels, Data: Buffer.from(pair.certPem).toString('base64') })) as { id?: string; ID?: string };
  const secret = (await docker.createSecret({ Name: names.keySecret, Labels: labels, Data: Buffer.from(pair.keyPem).toString('base64') })) as { id?: string; ID?: string };
  return { config: { name: names.certConfig, id: config.id ?? config.ID ?? '' }, secret: { name: names.keySecret, id: secret.id ?? secret.ID ?? '' } };
}

/** The node's current certificate config and key secret, by where they are mounted. */
export function nodeTlsMountsOf(c: ContainerMounts): { config?: string; secret?: string } {
  const config = c.Configs?.find((x) => x.File?.Name === TLS_CERT_PATH)?.ConfigName;
  const secret = c.Secrets?.find((x) => x.File?.Name === TLS_KEY_SECRET_FILE)?.SecretName;
  return { ...(config ? { config } : {}), ...(secret ? { secret } : {}) };
}

/** A copy of the mounts with the node's certificate and key replaced by `objects`. */
export function withNodeTls<T extends ContainerMounts>(c: T, objects: NodeTlsObjects): T {
  return {
    ...c,
    Configs: (c.Configs ?? []).map((x) => (x.File?.Name === TLS_CERT_PATH ? { ...x, ConfigID: objects.config.id, ConfigName: objects.config.name } : x)),
    Secrets: (c.Secrets ?? []).map((x) => (x.File?.Name === TLS_KEY_SECRET_FILE ? { ...x, SecretID: objects.secret.id, SecretName: objects.secret.name } : x)),
  };
}

/**
 * The TLS a new node service needs: for a generated CA, a certificate of its own (returned, to
 * mount); for the user's certificate, nothing new, but it must name the new service.
 */
export async function tlsForNewNode(engine: Engine, cluster: SwarmCluster, service: string, userCertPem?: string): Promise<NodeTlsObjects | undefined> {
  if (cluster.tls === 'files') {
    if (userCertPem !== undefined && nodeCertificateNames(service).some((n) => parseCertificate(userCertPem).checkHost(n) === undefined)) {
      throw new BadInputError(`Cluster "${cluster.name}" runs with your certificate, which does not name ${service}: deploy again with one that covers the new node.`);
    }
    return undefined;
  }
  if (cluster.tls !== 'generated') return undefined;
  const ca = await readClusterCa(engine, cluster);
  return createNodeTlsObjects(engine.docker, cluster.name, service, issueCertificate(ca, service, nodeCertificateNames(service)));
}
