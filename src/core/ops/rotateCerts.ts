/**
 * `rotate-certs`: every node of a cluster deployed with `--tls` gets a fresh certificate and
 * key from the cluster's CA, one node at a time, without a refused command. A node reads its
 * certificate from files Docker mounts when its task starts, and swarm restarts a task when its
 * mounts change; so a node is first made a replica (a master hands its slots to its replica
 * with a coordinated CLUSTER FAILOVER: clients see MOVED, never an error), then its service
 * points at the new config and secret, its task restarts, and it rejoins as a replica. The
 * next node waits until `check` finds no error. Old certificate objects are removed at the end.
 */
import type Docker from 'dockerode';
import { type ClusterNode } from '../cluster/topology';
import { nodeLabel } from '../cluster/nodeNames';
import { BadInputError, describeError } from '../errors';
import { neverCancelled, nullLogger, pollUntil, silentProgress } from '../lifecycle';
import { issueCertificate, type CertifiedKey } from '../tls/certificates';
import { readClusterCa } from '../swarm/clusterCa';
import { nodeCertificateNames, nodeTlsObjects } from '../swarm/deployTls';
import { type ContainerMounts, createNodeTlsObjects, nodeTlsMountsOf, withNodeTls } from '../swarm/nodeTls';
import { announcedName } from '../swarm/discover';
import { failover } from './failover';
import { type FreshRead, notSettled, readFresh, SCALE_POLL_MS, type ScaleContext } from './scaleSupport';
import { type HealSession, lookAtCluster } from '../heal/healCluster';
import { applyHeal } from '../heal/applyHeal';

/** How long a node's task may take to come back with its new certificate and rejoin (ms). */
export const ROTATE_NODE_TIMEOUT_MS = 120_000;

export interface RotatedNode {
  readonly service: string;
  readonly certConfig: string;
  /** The node was a master and handed its slots to its replica first. */
  readonly failedOver: boolean;
}

type ServiceInspect = { ID: string; Version?: { Index?: number }; Spec: Docker.ServiceSpec & { TaskTemplate?: { ContainerSpec?: ContainerMounts } } };

export async function rotateCertificates(ctx: ScaleContext, clusterName: string): Promise<RotatedNode[]> {
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  const token = ctx.token ?? neverCancelled;
  const { docker } = ctx.engine;
  let fresh = await readFresh(ctx, clusterName);
  const problem = notSettled(fresh.topology);
  if (problem) throw new BadInputError(`Cluster "${clusterName}" is not healthy (${problem}); heal it before rotating certificates, so no node is restarted while another is missing.`);
  progress.report({ message: `reading the CA of ${clusterName}` });
  const ca = await readClusterCa(ctx.engine, fresh.cluster);
  const done: RotatedNode[] = [];
  const retired: { configs: string[]; secrets: string[] } = { configs: [], secrets: [] };
  for (const swarmNode of [...fresh.cluster.nodes].sort((a, b) => a.index - b.index)) {
    if (token.isCancellationRequested) break;
    const service = swarmNode.service;
    const node = fresh.topology.nodes.find((n) => n.swarm?.service === service);
    if (!node) throw new BadInputError(`Service ${service} is not a node of the cluster; heal the cluster first.`);
    let failedOver = false;
    if (node.role === 'master' && node.slots.length > 0) {
      const replica = fresh.topology.nodes.find((n) => n.masterId === node.id && !n.flags.fail && !n.flags.pfail);
      if (!replica) {
        throw new BadInputError(
          `Master ${nodeLabel(node)} has no replica to hand its slots to while it restarts; add one (add-node) so no command is refused, then rotate again.`,
        );
      }
      progress.report({ message: `${service}: handing its slots to its replica ${nodeLabel(replica)} (CLUSTER FAILOVER)` });
      await failover(ctx.pool, replica.endpoint, { token });
      failedOver = true;
    }
    progress.report({ message: `${service}: new certificate, restarting its task` });
    const pair = issueCertificate(ca, service, nodeCertificateNames(announcedName(swarmNode)));
    const old = await pointServiceAt(docker, clusterName, service, pair);
    retired.configs.push(old.config);
    retired.secrets.push(old.secret);
    fresh = await waitRejoined(ctx, clusterName, service, old.taskIds);
    done.push({ service, certConfig: nodeTlsObjects(service, pair).certConfig, failedOver });
    logger.info(`rotated the certificate of ${service}`);
  }
  // The replaced objects are no longer mounted by any service; tasks that used them are gone.
  for (const c of retired.configs) await docker.getConfig(c).remove().catch((e: unknown) => logger.warn(`could not remove config ${c}: ${describeError(e)}`));
  for (const s of retired.secrets) await docker.getSecret(s).remove().catch((e: unknown) => logger.warn(`could not remove secret ${s}: ${describeError(e)}`));
  return done;
}

/**
 * Waits until the node's new task runs and the cluster is settled again. The task comes back at
 * a new overlay IP that its peers do not know: what heal does for any restarted task (MEET at
 * the new address) is done here as soon as the task runs.
 */
async function waitRejoined(ctx: ScaleContext, clusterName: string, service: string, oldTasks: readonly string[]): Promise<FreshRead> {
  const session: HealSession = {
    engine: ctx.engine,
    clusterName,
    router: ctx.router,
    pool: ctx.pool,
    refresh: async () => (await readFresh(ctx, clusterName)).cluster,
    dispose: async () => undefined,
  };
  let last: FreshRead | undefined;
  await pollUntil(
    async () => {
      last = await readFresh(ctx, clusterName);
      const s = last.cluster.nodes.find((n) => n.service === service);
      if (!s?.task || s.task.state !== 'running' || oldTasks.includes(s.task.id)) return 'its new task is not running yet';
      const missing = rejoined(last.topology.nodes, service) ?? notSettled(last.topology);
      if (missing !== undefined) {
        // A long grace: rotation never reassigns slots; it only reintroduces the node.
        const { plan } = await lookAtCluster(session, { graceMs: ROTATE_NODE_TIMEOUT_MS * 10 });
        if (plan.actions.length > 0) await applyHeal(ctx.pool, plan, ctx.token ? { token: ctx.token } : {});
      }
      return missing;
    },
    {
      deadline: Date.now() + ROTATE_NODE_TIMEOUT_MS,
      intervalMs: SCALE_POLL_MS,
      ...(ctx.token ? { token: ctx.token } : {}),
      cancelled: `Stopped waiting for ${service} to come back with its new certificate.`,
      timeout: (m) => `Waited ${ROTATE_NODE_TIMEOUT_MS / 1000} s for ${service} to come back with its new certificate: ${m}.`,
    },
  );
  return last as FreshRead;
}

/** Why the service's node is not back yet, or undefined: a new task runs and the cluster lists it connected. */
function rejoined(nodes: readonly ClusterNode[], service: string): string | undefined {
  const n = nodes.find((x) => x.swarm?.service === service);
  if (!n || n.flags.fail || n.flags.pfail || n.linkState !== 'connected') return `it has not rejoined the cluster yet`;
  return undefined;
}

/** Creates the node's new certificate config and key secret, and points its service at them. Returns the old ones. */
async function pointServiceAt(docker: Docker, cluster: string, service: string, pair: CertifiedKey): Promise<{ config: string; secret: string; taskIds: string[] }> {
  const svc = (await docker.getService(service).inspect()) as ServiceInspect;
  const spec = svc.Spec;
  const cs = spec.TaskTemplate?.ContainerSpec ?? {};
  const old = nodeTlsMountsOf(cs);
  if (!old.config || !old.secret) throw new BadInputError(`Service ${service} mounts no TLS certificate and key to replace.`);
  const objects = await createNodeTlsObjects(docker, cluster, service, pair);
  const tasks = (await docker.listTasks({ filters: { service: [service] } })) as { ID: string }[];
  await docker.getService(service).update({
    version: svc.Version?.Index ?? 0,
    ...spec,
    TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: withNodeTls(cs, objects) },
  });
  return { config: old.config, secret: old.secret, taskIds: tasks.map((t) => t.ID) };
}
