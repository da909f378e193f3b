/**
 * A cluster's relay on one swarm node: a do-nothing task of the cluster's own image, pinned to
 * that node and attached to the cluster's overlay network (and given its password secret), so
 * that the Docker API of that node can exec into a container from which every task's overlay
 * address is reachable. Made only when no task of the cluster runs on the connected node (a
 * manager that runs no workloads); found again by name by later commands (idempotent); removed
 * by `destroy`. The image is the nodes' own, so a swarm with no registry needs nothing new.
 */
import type Docker from 'dockerode';
import { DockerError, NotFoundError } from '../errors';
import { type CancellationToken, pollUntil } from '../lifecycle';
import { LABEL_MANAGED, LABEL_RELAY_FOR } from './labels';
import { type SwarmCluster } from './discover';

/** How long the relay's task may take to run after it is created (ms); a bound, not a wait. */
export const RELAY_START_TIMEOUT_MS = 60_000;

/**
 * The relay service's name on a node. The `n` before the node ID keeps the name from ending in
 * `-<digits>`, which discovery would take for a hand-made node service.
 */
export function relayServiceName(cluster: string, nodeId: string): string {
  return `${cluster}-relay-n${nodeId.slice(0, 10).toLowerCase()}`;
}

interface ServiceSpecView {
  Spec?: {
    TaskTemplate?: {
      ContainerSpec?: { Image?: string; Secrets?: unknown[] };
      Networks?: { Target?: string }[];
    };
  };
}

/** The running relay container on `nodeId`, creating the relay service first when there is none. */
export async function ensureRelayContainer(docker: Docker, cluster: SwarmCluster, nodeId: string, token?: CancellationToken): Promise<string> {
  const name = relayServiceName(cluster.name, nodeId);
  const existing = await docker
    .getService(name)
    .inspect()
    .then(
      () => true,
      (err: { statusCode?: number }) => {
        if (err.statusCode === 404) return false;
        throw err;
      },
    );
  if (!existing) await createRelay(docker, cluster, nodeId, name);
  let containerId: string | undefined;
  await pollUntil(
    async () => {
      const tasks = (await docker.listTasks({ filters: { service: [name], 'desired-state': ['running'] } })) as {
        NodeID?: string;
        Status?: { State?: string; Err?: string; ContainerStatus?: { ContainerID?: string } };
      }[];
      const running = tasks.find((t) => t.NodeID === nodeId && t.Status?.State === 'running' && t.Status.ContainerStatus?.ContainerID);
      containerId = running?.Status?.ContainerStatus?.ContainerID;
      if (containerId) return undefined;
      const err = tasks.find((t) => t.Status?.Err)?.Status?.Err;
      return err ? `its task says: ${err}` : 'its task is not running yet';
    },
    {
      deadline: Date.now() + RELAY_START_TIMEOUT_MS,
      intervalMs: 250,
      ...(token ? { token } : {}),
      timeout: (missing) =>
        `The relay service ${name} (how redis-swarm reaches the nodes of "${cluster.name}" on other hosts) did not run on the connected node ` +
        `within ${RELAY_START_TIMEOUT_MS / 1000} s: ${missing}. Is the connected node drained, or does it lack the image?`,
      cancelled: 'Cancelled while the relay service was starting.',
    },
  );
  return containerId as string;
}

async function createRelay(docker: Docker, cluster: SwarmCluster, nodeId: string, name: string): Promise<void> {
  const sibling = cluster.nodes[0];
  if (!sibling) throw new NotFoundError(`Cluster "${cluster.name}" has no node service to model a relay on.`);
  const spec = ((await docker.getService(sibling.serviceId).inspect()) as ServiceSpecView).Spec?.TaskTemplate ?? {};
  const networks = (spec.Networks ?? []).flatMap((n) => (n.Target ? [{ Target: n.Target }] : []));
  if (networks.length === 0) {
    throw new NotFoundError(`Service ${sibling.service} of cluster "${cluster.name}" is on no overlay network, so no relay can reach it from the connected node.`);
  }
  try {
    await docker.createService({
      Name: name,
      Labels: { [LABEL_MANAGED]: 'true', [LABEL_RELAY_FOR]: cluster.name },
      TaskTemplate: {
        ContainerSpec: {
          // The image as the nodes run it (with swarm's digest pin, so no node looks it up again).
          Image: spec.ContainerSpec?.Image ?? sibling.image,
          Command: ['sleep', 'infinity'],
          // The password secret, so the password can be read on the connected node too.
          ...(spec.ContainerSpec?.Secrets ? { Secrets: spec.ContainerSpec.Secrets } : {}),
          StopGracePeriod: 1_000_000_000,
          // Redis images declare VOLUME /data: without a mount there, every relay task would leave
          // an anonymous volume behind on the node.
          Mounts: [{ Type: 'tmpfs', Target: '/data' }],
        },
        Placement: { Constraints: [`node.id==${nodeId}`] },
        RestartPolicy: { Condition: 'any', Delay: 1_000_000_000 },
        Networks: networks,
      },
      Mode: { Replicated: { Replicas: 1 } },
      EndpointSpec: { Mode: 'dnsrr' },
    } as unknown as Docker.CreateServiceOptions);
  } catch (err) {
    // Another command made it at the same moment: use theirs.
    if ((err as { statusCode?: number }).statusCode === 409) return;
    throw new DockerError(`Could not create the relay service ${name}: ${(err as Error).message}`, { cause: err });
  }
}

/** The relay services of a cluster (on any node), for destroy. */
export async function relayServicesOf(docker: Docker, cluster: string): Promise<string[]> {
  const services = await docker.listServices({ filters: { label: [`${LABEL_RELAY_FOR}=${cluster}`] } });
  return services.map((s) => (s as { Spec?: { Name?: string } }).Spec?.Name ?? '').filter(Boolean);
}
