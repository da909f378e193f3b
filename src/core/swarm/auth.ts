/**
 * The password of a deployed cluster, read back from the node itself: the value lives only in a
 * Docker secret, which the API never returns, but the secret is a file inside every node's
 * container. Whoever can use this engine's API can exec there, so this reveals nothing new.
 */
import { type Engine } from '../docker/engine';
import { NotFoundError } from '../errors';
import { splitConfArgs } from './confArgs';
import { SECRET_DIR } from './redisConf';
import { type SwarmCluster } from './discover';
import { execCapture } from './exec';
import { LocalHops } from './localHop';

/**
 * The secret is read in a container on the connected node (the API execs only there): a task of
 * the cluster, else its relay, which carries the same secret.
 */
export async function readClusterPassword(engine: Engine, cluster: SwarmCluster, hops = new LocalHops(engine.docker)): Promise<string | undefined> {
  if (!cluster.authSecret) return undefined;
  const containerId = await hops.localContainer(cluster);
  if (!containerId) {
    throw new NotFoundError(`Cannot read the password of cluster "${cluster.name}": none of its nodes is running.`);
  }
  const text = await execCapture(engine.docker, containerId, ['cat', `${SECRET_DIR}/${cluster.authSecret}`]);
  for (const line of text.split('\n')) {
    const [directive, value] = splitConfArgs(line);
    if (directive?.toLowerCase() === 'requirepass' && value !== undefined) return value;
  }
  throw new NotFoundError(`Secret ${cluster.authSecret} of cluster "${cluster.name}" holds no requirepass line.`);
}
