/**
 * Labels that mark swarm objects as redis-swarm's, so discovery never relies on names alone
 * and destroy never touches what a user made by hand.
 */
export const LABEL_MANAGED = 'org.redis-swarm.managed';
export const LABEL_CLUSTER = 'org.redis-swarm.cluster';
export const LABEL_NODE_INDEX = 'org.redis-swarm.node-index';
export const LABEL_MODE = 'org.redis-swarm.mode';
export const LABEL_PORT = 'org.redis-swarm.port';
/** Name of the Docker secret holding the password (the value never appears in a label). */
export const LABEL_AUTH_SECRET = 'org.redis-swarm.auth-secret';
/** Replicas per master deploy was asked for: `create` forms the cluster with them unless told otherwise. */
export const LABEL_REPLICAS = 'org.redis-swarm.replicas';
/** Set on a network deploy created, so destroy removes only networks it made. */
export const LABEL_CREATED_NETWORK = 'org.redis-swarm.created-network';

export function clusterLabels(cluster: string): Record<string, string> {
  return { [LABEL_MANAGED]: 'true', [LABEL_CLUSTER]: cluster };
}

/** A Docker API label filter selecting one cluster's objects. */
export function clusterFilter(cluster: string): { label: string[] } {
  return { label: [`${LABEL_MANAGED}=true`, `${LABEL_CLUSTER}=${cluster}`] };
}
/**
 * Set on a cluster's relay service (see relayService.ts) with the cluster's name. Not
 * LABEL_CLUSTER: the relay is no Redis node, and discovery must not count it as one.
 */
export const LABEL_RELAY_FOR = 'org.redis-swarm.relay-for';
