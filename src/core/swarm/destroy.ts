/**
 * Removal of what deploy made: services, then (once their containers are gone) the config,
 * the secret, the network deploy created, and, only when asked, the volumes. Objects are found
 * by our labels, so nothing a user made by hand is touched.
 */
import type Docker from 'dockerode';
import { type Engine, getEngineStatus, requireSwarmManager } from '../docker/engine';
import { NotFoundError } from '../errors';
import { type ProgressReporter, pollUntil, silentProgress, sleep } from '../lifecycle';
import { LABEL_CREATED_NETWORK, clusterFilter } from './labels';
import { type NodeVolumes, removeVolumesOnOtherNodes, volumePlaces } from './nodeVolumes';
import { relayServicesOf } from './relayService';
import { isCaObjectName } from './deployTls';

/** How long removed services' containers may take to stop before volumes are removed. */
export const CONTAINERS_GONE_TIMEOUT_MS = 60_000;

export interface ClusterObjects {
  services: string[];
  /** With volumes: per other swarm node, what was removed there and what was left (and why). */
  volumesByNode?: NodeVolumes[];
  volumes: string[];
  configs: string[];
  secrets: string[];
  networks: string[];
  /** With keepCa: the CA certificate config and CA key secret left for the next `deploy --tls` of this name. */
  keptCa?: string[];
}

/** Takes the cluster's CA (certificate config, key secret) out of what is removed, naming it as kept. */
export function keepCaObjects(cluster: string, o: ClusterObjects): ClusterObjects {
  const keptCa = [...o.configs, ...o.secrets].filter((n) => isCaObjectName(cluster, n));
  const kept = new Set(keptCa);
  return { ...o, configs: o.configs.filter((n) => !kept.has(n)), secrets: o.secrets.filter((n) => !kept.has(n)), keptCa };
}

/** What destroy would remove, found by label. */
export async function findClusterObjects(docker: Docker, cluster: string, withVolumes: boolean): Promise<ClusterObjects> {
  const filters = clusterFilter(cluster);
  const [services, relays, configs, secrets, networks, volumes] = await Promise.all([
    docker.listServices({ filters }),
    // The relays that reached its nodes on other hosts (relayService.ts) go with the cluster.
    relayServicesOf(docker, cluster),
    docker.listConfigs({ filters }),
    docker.listSecrets({ filters }),
    docker.listNetworks({ filters: { label: [...filters.label, `${LABEL_CREATED_NETWORK}=true`] } }),
    withVolumes ? docker.listVolumes({ filters }) : Promise.resolve({ Volumes: [] as Docker.VolumeInspectInfo[] }),
  ]);
  const nameOf = (x: unknown): string => (x as { Spec?: { Name?: string } }).Spec?.Name ?? '';
  return {
    services: [...services.map(nameOf).filter(Boolean), ...relays].sort(),
    configs: configs.map(nameOf).filter(Boolean),
    secrets: secrets.map(nameOf).filter(Boolean),
    networks: networks.map((n) => n.Name),
    volumes: (volumes.Volumes ?? []).map((v) => v.Name).sort(),
  };
}

export async function destroyCluster(
  engine: Engine,
  cluster: string,
  options: { volumes: boolean; keepCa?: boolean; progress?: ProgressReporter; nodeEngines?: ReadonlyMap<string, string>; env?: NodeJS.ProcessEnv },
): Promise<ClusterObjects> {
  requireSwarmManager(await getEngineStatus(engine));
  const found = await findClusterObjects(engine.docker, cluster, options.volumes);
  const objects = options.keepCa ? keepCaObjects(cluster, found) : found;
  if (objects.services.length + objects.configs.length + objects.secrets.length + objects.networks.length + objects.volumes.length === 0) {
    throw new NotFoundError(`Nothing to destroy: no objects labelled as cluster "${cluster}" of redis-swarm on this swarm.`);
  }
  // Where the volumes are must be read while the services (and their task history) exist.
  const places = options.volumes ? await volumePlaces(engine.docker, objects.services) : undefined;
  await removeClusterObjects(engine.docker, objects, options.progress);
  if (places && places.nodes.length > 1) {
    options.progress?.report({ message: 'removing volumes on the other swarm nodes' });
    objects.volumesByNode = await removeVolumesOnOtherNodes(cluster, places, options.nodeEngines ?? new Map(), options.env);
  }
  return objects;
}

export async function removeClusterObjects(docker: Docker, o: ClusterObjects, progress: ProgressReporter = silentProgress): Promise<void> {
  if (o.services.length > 0) progress.report({ message: `removing services ${o.services.join(', ')}` });
  await Promise.all(o.services.map((s) => ignore404(docker.getService(s).remove())));
  await waitContainersGone(docker, o.services);
  if (o.configs.length + o.secrets.length > 0) progress.report({ message: 'removing config and secret' });
  await Promise.all([
    ...o.configs.map((c) => ignore404(docker.getConfig(c).remove())),
    ...o.secrets.map((s) => ignore404(docker.getSecret(s).remove())),
  ]);
  // Endpoints leave a network and volumes are released a moment after containers go.
  for (const n of o.networks) {
    progress.report({ message: `removing network ${n}` });
    await retry(() => ignore404(docker.getNetwork(n).remove()));
    // Swarm removes an overlay network asynchronously; wait so "destroyed" means gone.
    await retry(async () => {
      if (await exists(docker.getNetwork(n).inspect())) throw new Error(`network ${n} is still being removed`);
    });
  }
  for (const v of o.volumes) {
    progress.report({ message: `removing volume ${v}` });
    await retry(() => ignore404(docker.getVolume(v).remove()));
  }
}

/** The label swarm puts on every task container, naming its service. */
const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';

/** The task containers still there of any of these services (running, stopping or exited). */
export async function containersOfServices(docker: Docker, services: readonly string[]): Promise<string[]> {
  // Label filters are ANDed by Docker (one filter per service would match a container only if
  // it belonged to all of them, so none): ask for every task container, and pick ours here.
  const all = await docker.listContainers({ all: true, filters: { label: [SWARM_SERVICE_LABEL] } });
  const wanted = new Set(services);
  return all.filter((c) => wanted.has(c.Labels?.[SWARM_SERVICE_LABEL] ?? '')).map((c) => c.Id);
}

async function waitContainersGone(docker: Docker, services: readonly string[]): Promise<void> {
  if (services.length === 0) return;
  await pollUntil(
    async () => {
      const left = await containersOfServices(docker, services);
      return left.length === 0 ? undefined : `${left.length} container(s)`;
    },
    {
      deadline: Date.now() + CONTAINERS_GONE_TIMEOUT_MS,
      intervalMs: 250,
      timeout: (missing) =>
        `Containers of ${services.join(', ')} were still there (${missing}) ${CONTAINERS_GONE_TIMEOUT_MS / 1000} s after their services were removed; ` +
        'their volumes were kept. Run destroy again once `docker ps -a` no longer lists them.',
      cancelled: 'Destroy cancelled.',
    },
  );
}

async function retry(fn: () => Promise<unknown>, attempts = 20, delayMs = 500): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      await fn();
      return;
    } catch (err) {
      if (i >= attempts) throw err;
      await sleep(delayMs);
    }
  }
}

async function exists(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return false;
    throw err;
  }
}

async function ignore404(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 404) throw err;
  }
}
