/**
 * A cluster's volumes on every swarm node. Volumes are local to the node whose engine made them,
 * and a manager's API neither lists nor removes another node's volumes; no task can do it either
 * without a Docker client in the image. So `destroy --volumes` removes them through the engines
 * it can reach: the connected one for its own node, and the engines the user names for the other
 * nodes (`--node-engine NODE=URL`, REDIS_SWARM_NODE_ENGINES). For every other node where a task
 * of the cluster ran, it names the node and the volumes left there, and why.
 */
import type Docker from 'dockerode';
import { type Engine, getEngineStatus, openEngine } from '../docker/engine';
import { BadInputError, describeError } from '../errors';
import { sleep } from '../lifecycle';
import { clusterFilter } from './labels';

export interface NodeVolumes {
  /** The swarm node's hostname. */
  readonly node: string;
  readonly removed: readonly string[];
  /** Volumes that may be left on the node, and why they could not be removed. */
  readonly left?: { readonly volumes: readonly string[]; readonly reason: string };
}

/** Where the cluster's volumes live before its services go: volume names per swarm node ID. */
export interface VolumePlaces {
  readonly localNodeId?: string;
  readonly nodes: readonly { id: string; hostname: string }[];
  readonly byNode: ReadonlyMap<string, readonly string[]>;
}

/** Parses `NODE=URL` pairs (a hostname or node ID, then a Docker host URL). */
export function parseNodeEngines(pairs: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const pair of pairs.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean)) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new BadInputError(`"${pair}" is not NODE=URL (e.g. worker-2=ssh://admin@worker-2).`);
    out.set(pair.slice(0, at), pair.slice(at + 1));
  }
  return out;
}

interface TaskView {
  ServiceID?: string;
  NodeID?: string;
}
interface ServiceView {
  ID?: string;
  Spec?: { TaskTemplate?: { ContainerSpec?: { Mounts?: { Type?: string; Source?: string }[] } } };
}

/** Reads, while the services still exist, which volumes their tasks used on which node. */
export async function volumePlaces(docker: Docker, serviceNames: readonly string[]): Promise<VolumePlaces> {
  const [info, nodes, services, tasks] = await Promise.all([
    docker.info() as Promise<{ Swarm?: { NodeID?: string } }>,
    docker.listNodes() as Promise<{ ID?: string; Description?: { Hostname?: string } }[]>,
    docker.listServices() as Promise<ServiceView[]>,
    docker.listTasks() as Promise<TaskView[]>,
  ]);
  const wanted = new Set(serviceNames);
  const volumesOf = new Map<string, string[]>();
  for (const s of services) {
    if (!s.ID || !wanted.has((s as { Spec?: { Name?: string } }).Spec?.Name ?? '')) continue;
    const mounts = s.Spec?.TaskTemplate?.ContainerSpec?.Mounts ?? [];
    volumesOf.set(s.ID, mounts.flatMap((m) => (m.Type === 'volume' && m.Source ? [m.Source] : [])));
  }
  const byNode = new Map<string, string[]>();
  for (const t of tasks) {
    const vols = t.ServiceID ? volumesOf.get(t.ServiceID) : undefined;
    if (!vols || !t.NodeID) continue;
    byNode.set(t.NodeID, [...new Set([...(byNode.get(t.NodeID) ?? []), ...vols])].sort());
  }
  return {
    ...(info.Swarm?.NodeID ? { localNodeId: info.Swarm.NodeID } : {}),
    nodes: nodes.flatMap((n) => (n.ID ? [{ id: n.ID, hostname: n.Description?.Hostname ?? n.ID }] : [])),
    byNode,
  };
}

/** Removes the cluster's volumes on every node other than the connected one that it can reach. */
export async function removeVolumesOnOtherNodes(
  cluster: string,
  places: VolumePlaces,
  nodeEngines: ReadonlyMap<string, string>,
  env: NodeJS.ProcessEnv = process.env,
): Promise<NodeVolumes[]> {
  const results: NodeVolumes[] = [];
  for (const n of places.nodes) {
    if (n.id === places.localNodeId) continue;
    const expected = places.byNode.get(n.id) ?? [];
    const url = nodeEngines.get(n.hostname) ?? nodeEngines.get(n.id);
    if (!url) {
      if (expected.length > 0) {
        results.push({ node: n.hostname, removed: [], left: { volumes: expected, reason: `no engine given for it (--node-engine ${n.hostname}=URL)` } });
      }
      continue;
    }
    const engine = openEngine({ env: { ...env, DOCKER_HOST: url } });
    try {
      results.push({ node: n.hostname, removed: await removeClusterVolumes(engine, cluster) });
    } catch (err) {
      results.push({ node: n.hostname, removed: [], left: { volumes: expected, reason: describeError(err) } });
    }
  }
  return results;
}

async function removeClusterVolumes(engine: Engine, cluster: string): Promise<string[]> {
  // Bounded by the engine's ping timeout: a node that is down answers nothing.
  await getEngineStatus(engine);
  const volumes = ((await engine.docker.listVolumes({ filters: clusterFilter(cluster) })).Volumes ?? []).map((v) => v.Name).sort();
  for (const v of volumes) {
    // The node's task containers may take a moment to go after their services are removed.
    for (let attempt = 1; ; attempt++) {
      try {
        await engine.docker.getVolume(v).remove();
        break;
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode === 404) break;
        if (attempt >= 40) throw err;
        await sleep(500);
      }
    }
  }
  return volumes;
}

/** One sentence naming, per node, the volumes destroy could not remove; undefined when none. */
export function describeVolumesLeft(nodes: readonly NodeVolumes[]): string | undefined {
  const left = nodes.filter((n) => n.left && n.left.volumes.length > 0);
  if (left.length === 0) return undefined;
  return (
    'Volumes left on other swarm nodes: ' +
    left.map((n) => `on ${n.node}, ${n.left?.volumes.join(', ')} (${n.left?.reason})`).join('; ') +
    '. Remove them there with `docker volume rm`.'
  );
}
