/**
 * What changed between two consecutive SwarmModels that a person should hear about: a cluster
 * that went to fail (Redis's own cluster_state), one that became degraded (Redis serves, but
 * redundancy is lost), a shard whose master changed (a failover), a cluster that came back. Pure, so the extension's notifications and the tests share one definition.
 */
import { formatRanges } from '../cluster/topology';
import { formatEndpoint } from '../routes/endpoint';
import { type ClusterModel, type ShardModel, type SwarmModel, TOTAL_SLOTS } from './clusterModel';

export type ModelChange =
  | { readonly kind: 'cluster-failed'; readonly cluster: string; readonly severity: 'warning'; readonly message: string }
  | { readonly kind: 'cluster-degraded'; readonly cluster: string; readonly severity: 'warning'; readonly message: string }
  | { readonly kind: 'cluster-recovered'; readonly cluster: string; readonly severity: 'info'; readonly message: string }
  | {
      readonly kind: 'failover';
      readonly cluster: string;
      readonly severity: 'warning';
      readonly oldMasterId: string;
      readonly newMasterId: string;
      readonly message: string;
    };

export function modelChanges(previous: SwarmModel | undefined, next: SwarmModel): ModelChange[] {
  if (!previous) return [];
  const out: ModelChange[] = [];
  for (const after of next.clusters) {
    const before = previous.clusters.find((c) => c.name === after.name);
    if (!before) continue;
    const served = (h: ClusterModel['health']): boolean => h === 'ok' || h === 'degraded';
    if (served(before.health) && after.health === 'fail') {
      out.push({
        kind: 'cluster-failed',
        cluster: after.name,
        severity: 'warning',
        message: `Redis cluster "${after.name}" went from ${before.health} to fail${failReason(after)}.`,
      });
    } else if (before.health === 'ok' && after.health === 'degraded') {
      out.push({
        kind: 'cluster-degraded',
        cluster: after.name,
        severity: 'warning',
        message: `Redis cluster "${after.name}" is degraded: Redis still says cluster_state:ok, but ${degradedReason(after)}.`,
      });
    } else if ((before.health === 'fail' || before.health === 'degraded') && after.health === 'ok') {
      out.push({ kind: 'cluster-recovered', cluster: after.name, severity: 'info', message: `Redis cluster "${after.name}" is ok again.` });
    } else if (before.health === 'fail' && after.health === 'degraded') {
      out.push({ kind: 'cluster-recovered', cluster: after.name, severity: 'info', message: `Redis cluster "${after.name}" says cluster_state:ok again, still degraded: ${degradedReason(after)}.` });
    }
    out.push(...failovers(before, after));
  }
  return out;
}

/**
 * A shard is followed by the first slot it owned before: when the master owning that slot now
 * has another ID, and that ID was not a master before (a promoted replica, or a node that came
 * back with a new ID), the shard failed over. A master that took slots from another master
 * (resharding) is not a failover.
 */
function failovers(before: ClusterModel, after: ClusterModel): ModelChange[] {
  const out: ModelChange[] = [];
  const mastersBefore = new Set(before.shards.map((s) => s.master.node.id));
  for (const old of before.shards) {
    const first = old.slots[0]?.start;
    if (first === undefined) continue;
    const now = shardOwning(after.shards, first);
    if (!now || now.master.node.id === old.master.node.id || mastersBefore.has(now.master.node.id)) continue;
    const wasReplica = old.replicas.some((r) => r.node.id === now.master.node.id);
    out.push({
      kind: 'failover',
      cluster: after.name,
      severity: 'warning',
      oldMasterId: old.master.node.id,
      newMasterId: now.master.node.id,
      message:
        `Failover in Redis cluster "${after.name}": slots ${formatRanges(old.slots)} moved from ` +
        `${nodeName(old)} (${old.master.node.id.slice(0, 8)}) to ${nodeName(now)} (${now.master.node.id.slice(0, 8)})` +
        `${wasReplica ? ', its replica' : ''}.`,
    });
  }
  return out;
}

function shardOwning(shards: readonly ShardModel[], slot: number): ShardModel | undefined {
  return shards.find((s) => s.slots.some((r) => r.start <= slot && slot <= r.end));
}

function nodeName(s: ShardModel): string {
  return s.master.service?.service ?? s.master.node.hostname ?? formatEndpoint(s.master.node.endpoint);
}

/** The findings behind a degraded state, in check's (and heal's) words; at most three named. */
function degradedReason(c: ClusterModel): string {
  const shown = c.findings.slice(0, 3).map((f) => f.message.replace(/\.$/, ''));
  const more = c.findings.length - shown.length;
  return shown.length === 0 ? 'check finds a fault' : `${shown.join('; ')}${more > 0 ? ` (and ${more} more)` : ''}`;
}

function failReason(c: ClusterModel): string {
  const down = [...c.shards.flatMap((s) => [s.master, ...s.replicas]), ...c.others].filter((n) => !n.healthy);
  if (c.slotsCovered < TOTAL_SLOTS) return ` (${TOTAL_SLOTS - c.slotsCovered} slots not covered)`;
  if (down.length > 0) {
    return ` (${down.map((n) => n.service?.service ?? formatEndpoint(n.node.endpoint)).join(', ')} down)`;
  }
  return '';
}
