/**
 * The CA of a cluster deployed with `--tls`, for signing new node certificates (add-node,
 * rotate-certs). Its certificate is a Docker config, which the API returns. Its key is a
 * Docker secret, which the API never returns and no node mounts (a node that leaked it could
 * mint certificates for any name): it is read in a short-lived task of its own, on the swarm
 * node this engine runs, that mounts only that secret and is removed at once.
 */
import type Docker from 'dockerode';
import { type Engine, getEngineStatus } from '../docker/engine';
import { BadInputError, NotFoundError, TimeoutError } from '../errors';
import { pollUntil } from '../lifecycle';
import { type CertifiedKey } from '../tls/certificates';
import { TLS_CA_PATH, caKeySecretName, isCaObjectName } from './deployTls';
import { type SwarmCluster } from './discover';
import { execCapture } from './exec';
import { clusterFilter, clusterLabels } from './labels';
import { SECRET_DIR } from './redisConf';

/** How long the CA key's task may take to run (ms); the image is already on the node. */
export const CA_READER_TIMEOUT_MS = 60_000;
const CA_KEY_FILE = 'redis-swarm-ca.key';

type ServiceSpec = {
  TaskTemplate?: { ContainerSpec?: { Image?: string; Configs?: Docker.ConfigReference[] } };
};

/** The CA certificate's config name, from a node service's mounts. */
export function caConfigOf(spec: ServiceSpec): string | undefined {
  return spec.TaskTemplate?.ContainerSpec?.Configs?.find((c) => c.File?.Name === TLS_CA_PATH)?.ConfigName;
}

export async function readClusterCa(engine: Engine, cluster: SwarmCluster): Promise<CertifiedKey> {
  if (cluster.tls !== 'generated') {
    throw new BadInputError(
      cluster.tls === 'files'
        ? `Cluster "${cluster.name}" runs with your own certificate (deploy --tls-cert): redis-swarm has no CA key to sign node certificates with.`
        : `Cluster "${cluster.name}" was not deployed with --tls.`,
    );
  }
  const { docker } = engine;
  const first = cluster.nodes[0];
  if (!first) throw new NotFoundError(`Cluster "${cluster.name}" has no node service.`);
  const spec = ((await docker.getService(first.service).inspect()) as { Spec: ServiceSpec }).Spec;
  const caConfig = caConfigOf(spec);
  const image = spec.TaskTemplate?.ContainerSpec?.Image;
  if (!caConfig || !image) throw new NotFoundError(`Service ${first.service} mounts no CA certificate at ${TLS_CA_PATH}.`);
  const caData = ((await docker.getConfig(caConfig).inspect()) as { Spec?: { Data?: string } }).Spec?.Data ?? '';
  const certPem = Buffer.from(caData, 'base64').toString('utf8');
  const keyPem = await readSecretInTask(engine, cluster.name, image, caKeySecretName(cluster.name));
  return { certPem, keyPem };
}

/** A CA that `destroy --keep-ca` left for a later `deploy --tls` of the same name. */
export interface KeptCa {
  readonly configName: string;
  readonly configId: string;
  readonly certPem: string;
}

/** The kept CA's certificate config, when both it and its key secret are there (one without the other is no CA to sign with). */
export async function findKeptCa(docker: Docker, cluster: string): Promise<KeptCa | undefined> {
  const filters = clusterFilter(cluster);
  const [configs, secrets] = await Promise.all([docker.listConfigs({ filters }), docker.listSecrets({ filters })]);
  const named = (x: unknown): { ID?: string; Spec?: { Name?: string; Data?: string } } => x as { ID?: string; Spec?: { Name?: string; Data?: string } };
  const config = configs.map(named).find((c) => isCaObjectName(cluster, c.Spec?.Name ?? ''));
  const key = secrets.map(named).find((s) => s.Spec?.Name === caKeySecretName(cluster));
  if (!config?.ID || !config.Spec?.Name || !key) return undefined;
  // The list may leave Data out; inspect returns it.
  const data = ((await docker.getConfig(config.ID).inspect()) as { Spec?: { Data?: string } }).Spec?.Data ?? '';
  return { configName: config.Spec.Name, configId: config.ID, certPem: Buffer.from(data, 'base64').toString('utf8') };
}

/** The kept CA with its key, read in a task of this image (deploy's image, on the engine's node). */
export async function readKeptCa(engine: Engine, cluster: string, image: string, kept: KeptCa): Promise<CertifiedKey> {
  return { certPem: kept.certPem, keyPem: await readSecretInTask(engine, cluster, image, caKeySecretName(cluster)) };
}

/** Mounts one secret in a task of its own on this engine's swarm node, reads it, removes the task. */
async function readSecretInTask(engine: Engine, cluster: string, image: string, secretName: string): Promise<string> {
  const { docker } = engine;
  const status = await getEngineStatus(engine);
  const secret = (await docker.getSecret(secretName).inspect().catch(() => undefined)) as { ID?: string } | undefined;
  if (!secret?.ID) throw new NotFoundError(`The CA key of cluster "${cluster}" (secret ${secretName}) is gone; redeploy the cluster to get a new CA.`);
  const name = `${cluster}-tls-ca-reader`;
  // Any Redis image runs this and nothing else: no port, a socket in /tmp, no data written.
  await docker.createService({
    Name: name,
    Labels: clusterLabels(cluster),
    TaskTemplate: {
      ContainerSpec: {
        Image: image,
        Command: ['redis-server', '--port', '0', '--unixsocket', '/tmp/redis-swarm-ca-reader.sock', '--save', '', '--appendonly', 'no'],
        Secrets: [{ File: { Name: CA_KEY_FILE, UID: '0', GID: '0', Mode: 0o400 }, SecretID: secret.ID, SecretName: secretName }],
      },
      RestartPolicy: { Condition: 'none' },
      // Exec reaches containers of the engine we talk to only.
      ...(status.nodeId ? { Placement: { Constraints: [`node.id==${status.nodeId}`] } } : {}),
    },
  });
  try {
    let containerId: string | undefined;
    await pollUntil(
      async () => {
        const tasks = (await docker.listTasks({ filters: { service: [name] } })) as { Status?: { State?: string; ContainerStatus?: { ContainerID?: string } } }[];
        containerId = tasks.find((t) => t.Status?.State === 'running')?.Status?.ContainerStatus?.ContainerID;
        return containerId ? undefined : `its task is ${tasks[0]?.Status?.State ?? 'not created'}`;
      },
      { deadline: Date.now() + CA_READER_TIMEOUT_MS, intervalMs: 200, timeout: (m) => `The task reading the CA key of "${cluster}" did not run within ${CA_READER_TIMEOUT_MS / 1000} s (${m}).`, cancelled: 'Cancelled.' },
    );
    if (!containerId) throw new TimeoutError(`The task reading the CA key of "${cluster}" did not run.`);
    return await execCapture(docker, containerId, ['cat', `${SECRET_DIR}/${CA_KEY_FILE}`]);
  } finally {
    await docker.getService(name).remove().catch(() => undefined);
  }
}
