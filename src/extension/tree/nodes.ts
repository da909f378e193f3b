/**
 * The plain nodes of the sidebar tree; the provider turns them into TreeItems. Commands run
 * from the tree receive one of these as their first argument (undefined from the palette).
 *
 * contextValue of each kind, for `when` clauses in package.json menus:
 *   engine, host, cluster (formed), cluster.unformed, master, replica, service, finding, message
 */
import { type Finding } from '../../core/cluster/check';
import { type EngineStatus } from '../../core/docker/engine';
import { type ClusterModel, type NodeModel, type ShardModel, type SwarmModel } from '../../core/model/clusterModel';
import { type SwarmHost } from '../../core/swarm/swarmHosts';
import { type SwarmRedisNode } from '../../core/swarm/discover';

export type TreeNode = EngineNode | HostTreeNode | ClusterTreeNode | MasterTreeNode | ReplicaTreeNode | ServiceTreeNode | FindingTreeNode | MessageNode;

export interface EngineNode {
  readonly kind: 'engine';
  readonly status: EngineStatus;
  /** The swarm's nodes, when the engine could list them. */
  readonly hosts?: readonly SwarmHost[];
}

/** A swarm node (machine), under the engine when the swarm has more than one or one is in trouble. */
export interface HostTreeNode {
  readonly kind: 'host';
  readonly host: SwarmHost;
  readonly model: SwarmModel;
}

export interface ClusterTreeNode {
  readonly kind: 'cluster';
  readonly cluster: ClusterModel;
}

/** A shard, shown as its master. */
export interface MasterTreeNode {
  readonly kind: 'master';
  readonly cluster: ClusterModel;
  readonly shard: ShardModel;
  readonly node: NodeModel;
}

export interface ReplicaTreeNode {
  readonly kind: 'replica';
  readonly cluster: ClusterModel;
  readonly shard: ShardModel;
  readonly node: NodeModel;
}

/** A node service of a cluster that is not formed yet (or a node outside every shard). */
export interface ServiceTreeNode {
  readonly kind: 'service';
  readonly cluster: ClusterModel;
  readonly service?: SwarmRedisNode;
  readonly node?: NodeModel;
}

/** What check (heal's diagnosis included) finds wrong with a cluster, one item each. */
export interface FindingTreeNode {
  readonly kind: 'finding';
  readonly cluster: ClusterModel;
  readonly finding: Finding;
}

/** A line of text under a cluster (an error, "no cluster yet"). */
export interface MessageNode {
  readonly kind: 'message';
  readonly text: string;
  readonly parent?: ClusterTreeNode;
}

/** The cluster a command was run on, from whichever tree node it was run. */
export function clusterOf(node: TreeNode | undefined): ClusterModel | undefined {
  if (!node) return undefined;
  switch (node.kind) {
    case 'cluster':
    case 'master':
    case 'replica':
    case 'service':
    case 'finding':
      return node.cluster;
    default:
      return undefined;
  }
}
