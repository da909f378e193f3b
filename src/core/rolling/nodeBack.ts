/**
 * When is an updated node back? Its new task runs on the target spec; it answers with the node
 * ID it had (its nodes.conf and data survived on its volume), says cluster_state:ok, and, as a
 * replica, its link to its master is up (the sync finished); and no other node still marks it
 * failing. Only then may the next node go: its master may need it for a failover.
 */
import { TimeoutError } from '../errors';
import { pollUntil } from '../lifecycle';
import { isIP } from 'node:net';
import { type ClusterTopology, type ReportedView } from '../cluster/topology';
import { nodeEndpoint } from './nodeEndpoint';
import { type NodeTarget } from './nodeTarget';
import { type ClusterLook, lookAt, type RollSession } from './rollSession';
import { serviceProgress } from './serviceState';

/** How often a node coming back is looked at (ms). */
export const NODE_POLL_MS = 500;
/** Failed tasks on the new spec after which the roll stops waiting (a crash loop). */
export const FAILED_TASKS_LIMIT = 3;

/** What still keeps a node from being back, in words; undefined when it is back. */
export function nodeNotBack(topology: ClusterTopology, service: string, nodeId: string | undefined, taskIp?: string): string | undefined {
  const own = ownView(topology, service);
  if (!own) return `${service} does not answer yet`;
  const self = own.view.self;
  if (taskIp !== undefined && isIP(self.endpoint.host) !== 0 && self.endpoint.host !== taskIp) return `${service} still calls itself ${self.endpoint.host}, not ${taskIp}`;
  if (nodeId !== undefined && self.id !== nodeId) return `${service} came back as node ${self.id.slice(0, 8)}, not ${nodeId.slice(0, 8)} (its nodes.conf was lost)`;
  if (own.clusterState !== 'ok') return `${service} says cluster_state:${own.clusterState}`;
  if (self.role === 'replica' && own.masterLinkStatus !== 'up') return `${service}'s link to its master is ${own.masterLinkStatus ?? 'unknown'}`;
  const doubters = topology.views.filter((v) => v !== own && v.view.nodes.some((n) => n.id === self.id && (n.flags.fail || n.flags.pfail || n.linkState !== 'connected')));
  if (doubters.length > 0) return `${doubters.length} node(s) do not see ${service} as up yet`;
  return undefined;
}

function ownView(topology: ClusterTopology, service: string): ReportedView | undefined {
  const ids = new Set(topology.nodes.filter((n) => n.swarm?.service === service).map((n) => n.id));
  return topology.views.find((v) => ids.has(v.view.self.id));
}

/**
 * A restarted node keeps its old address as its own until a peer MEETs it (cluster.c updates
 * myself->ip only from a MEET; Redis issue #4645): its peers learn the new one from its
 * packets, but the node itself would go on announcing the old one. One MEET from a peer fixes
 * that, as heal does; the node's new overlay address only goes INTO the command a peer runs.
 */
export async function meetIfStale(s: RollSession, look: ClusterLook, service: string): Promise<void> {
  const own = ownView(look.topology, service);
  const ip = look.cluster.nodes.find((n) => n.service === service)?.task?.ip;
  if (!own || ip === undefined || isIP(own.view.self.endpoint.host) === 0 || own.view.self.endpoint.host === ip) return;
  const peer = look.topology.views.find((v) => v !== own && v.clusterState === 'ok');
  if (!peer) return;
  const self = own.view.self;
  await s.pool.command(nodeEndpoint(peer.view.self), ['CLUSTER', 'MEET', ip, self.endpoint.port, self.busPort]).catch(() => undefined);
}

/** Waits until the service's new task runs on the target and its node is back (see above). */
export async function waitNodeBack(s: RollSession, service: string, target: NodeTarget, nodeId: string | undefined, o: { cancellable: boolean }): Promise<void> {
  const docker = s.access.engine.docker;
  await pollUntil(
    async () => {
      const p = await serviceProgress(docker, service, target);
      if (p.failures.length >= FAILED_TASKS_LIMIT) {
        throw new TimeoutError(`The new task of ${service} keeps failing (${p.failures[0] ?? 'failed'}); the roll stopped. Roll back with --rollback.`);
      }
      if (!p.taskOnTarget) return `${service}'s new task is not running yet`;
      const look = await lookAt(s);
      await meetIfStale(s, look, service);
      return nodeNotBack(look.topology, service, nodeId, look.cluster.nodes.find((n) => n.service === service)?.task?.ip);
    },
    {
      deadline: Date.now() + s.nodeTimeoutMs,
      intervalMs: NODE_POLL_MS,
      ...(o.cancellable ? { token: s.token } : {}),
      timeout: (missing) => `${service} did not come back within ${Math.round(s.nodeTimeoutMs / 1000)} s (${missing}); every other node is untouched. Resume with --resume or roll back with --rollback.`,
      cancelled: `Stopped while ${service} was coming back; every master is serving. Resume with --resume or roll back with --rollback.`,
    },
  );
}
