/**
 * What the sidebar's welcome views, the walkthrough and the commands' `when` clauses know about
 * the last model read: one value per context key (package.json names them). Pure (no `vscode`
 * import), so the rules are unit-tested; contextKeys.ts sets them.
 */
import { type SwarmModel } from '../../core/model/clusterModel';

/**
 * Where a first-time user stands, in the order they get past it:
 * - noEngine: no Docker engine answered (or the settings name none that can be reached);
 * - swarmInactive: the engine answers but is in no swarm (`docker swarm init` makes one);
 * - notManager: a swarm worker, or a swarm that is locked or joining: connect to a manager;
 * - noCluster: a manager with no Redis cluster and no node service yet;
 * - clusters: at least one cluster (formed or not) to show in the tree.
 */
export type FirstRunState = 'noEngine' | 'swarmInactive' | 'notManager' | 'noCluster' | 'clusters';

/** The context keys and their values; every key is set on every read, so none goes stale. */
export interface FirstRunContext {
  /** True once a read has finished: until then the palette shows every command (it cannot know better). */
  readonly 'redisSwarm.modelRead': boolean;
  readonly 'redisSwarm.state': FirstRunState;
  /** The engine is a manager of an active swarm: deploy and stack files can be made. */
  readonly 'redisSwarm.swarmReady': boolean;
  readonly 'redisSwarm.hasCluster': boolean;
  /** A cluster with slots assigned: check, heal, the slot map and the terminal work on it. */
  readonly 'redisSwarm.hasFormedCluster': boolean;
  /** Node services not formed into a cluster yet: Create Cluster from Services adopts them. */
  readonly 'redisSwarm.hasUnformedCluster': boolean;
}

export function firstRunState(model: SwarmModel | undefined, error: string | undefined): FirstRunState {
  if (error !== undefined || !model) return 'noEngine';
  const { swarm, isManager } = model.engine;
  if (swarm === 'inactive') return 'swarmInactive';
  if (swarm !== 'active' || !isManager) return 'notManager';
  return model.clusters.length === 0 ? 'noCluster' : 'clusters';
}

export function firstRunContext(model: SwarmModel | undefined, error: string | undefined): FirstRunContext {
  const state = firstRunState(model, error);
  const clusters = state === 'clusters' && model ? model.clusters : [];
  return {
    'redisSwarm.modelRead': true,
    'redisSwarm.state': state,
    'redisSwarm.swarmReady': state === 'noCluster' || state === 'clusters',
    'redisSwarm.hasCluster': clusters.length > 0,
    'redisSwarm.hasFormedCluster': clusters.some((c) => c.shards.length > 0),
    'redisSwarm.hasUnformedCluster': clusters.some((c) => c.shards.length === 0),
  };
}
