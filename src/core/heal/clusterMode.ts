/**
 * `mode cache|persistent` after deploy: the mode lives in the services' labels
 * (org.redis-swarm.mode, read by discover.ts: the cluster's recorded mode, the source of truth,
 * and by every task swarm starts: modeEnv.ts) and in each running node's
 * cluster-require-full-coverage (no in cache mode, so covered slots keep serving while heal
 * re-covers lost ones; yes in persistent mode, Redis's default), set live with CONFIG SET. Only
 * the service-level labels change: the task template is left alone, so no task restarts.
 */
import type Docker from 'dockerode';
import { BadInputError, ConflictError, describeError } from '../errors';
import { type AdminPool } from '../redis/adminConnection';
import { type ClusterMode } from '../swarm/deployOptions';
import { runningNodes, type SwarmCluster } from '../swarm/discover';
import { LABEL_MODE } from '../swarm/labels';
import { readsModeLabel } from '../swarm/modeEnv';

export interface ModeChange {
  readonly services: readonly string[];
  readonly nodesSet: readonly string[];
  /** Nodes whose setting could not be changed (not running, CONFIG refused), each with why. */
  readonly failed: readonly string[];
  /**
   * Services whose tasks do not read the mode label (deployed by an older redis-swarm, or made
   * by hand): a restarted task comes back with its redis.conf's setting until heal sets it.
   */
  readonly notPersisted: readonly string[];
  /**
   * The `docker stack deploy` stack the services belong to: its file still holds the old mode
   * label, and the next `docker stack deploy` of that file sets the label back.
   */
  readonly stack?: string;
}

export function parseClusterMode(text: string | undefined): ClusterMode {
  if (text === 'cache' || text === 'persistent') return text;
  throw new BadInputError(`The mode must be cache or persistent, not "${text ?? ''}".`);
}

export async function setClusterMode(docker: Docker, pool: AdminPool, cluster: SwarmCluster, mode: ClusterMode): Promise<ModeChange> {
  const services: string[] = [];
  const notPersisted: string[] = [];
  for (const n of cluster.nodes) {
    const svc = docker.getService(n.serviceId);
    const info = (await svc.inspect()) as {
      Version?: { Index?: number };
      Spec?: { Labels?: Record<string, string>; TaskTemplate?: { ContainerSpec?: { Env?: string[] } } } & Record<string, unknown>;
    };
    const spec = info.Spec ?? {};
    if (!readsModeLabel(spec.TaskTemplate?.ContainerSpec)) notPersisted.push(n.service);
    if (spec.Labels?.[LABEL_MODE] === mode) continue;
    // The service version guards against a concurrent update (the API refuses a stale one).
    await svc.update({ _query: { version: info.Version?.Index ?? 0 }, _body: { ...spec, Labels: { ...(spec.Labels ?? {}), [LABEL_MODE]: mode } } }).catch((err: unknown) => {
      throw new ConflictError(`Could not update the labels of service ${n.service}: ${describeError(err)}`, { cause: err });
    });
    services.push(n.service);
  }
  const value = mode === 'cache' ? 'no' : 'yes';
  const nodesSet: string[] = [];
  const failed: string[] = cluster.nodes.filter((n) => !runningNodes(cluster).includes(n)).map((n) => `${n.service}: not running (it takes the mode when its task starts; "redis-swarm check" and "heal" catch a node that does not)`);
  await Promise.all(
    runningNodes(cluster).map(async (n) => {
      try {
        await pool.command({ host: n.service, port: n.port }, ['CONFIG', 'SET', 'cluster-require-full-coverage', value]);
        nodesSet.push(n.service);
      } catch (err) {
        failed.push(`${n.service}: ${describeError(err)}`);
      }
    }),
  );
  return { services, nodesSet: nodesSet.sort(), failed, notPersisted, ...(cluster.stack ? { stack: cluster.stack } : {}) };
}
