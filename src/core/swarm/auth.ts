/**
 * The credentials of a deployed cluster, read back from the node itself: the values live only in
 * Docker secrets, which the API never returns, but each secret is a file inside every node's
 * container. Whoever can use this engine's API can exec there, so this reveals nothing new
 * (the README's Security section says what to do about that).
 */
import { type Engine } from '../docker/engine';
import { NotFoundError } from '../errors';
import { userSecretName } from './aclUsers';
import { splitConfArgs } from './confArgs';
import { SECRET_DIR } from './redisConf';
import { type SwarmCluster } from './discover';
import { execCapture } from './exec';
import { LocalHops } from './localHop';

/** How a connection logs in: a password alone (the default user) or an ACL user and its password. */
export interface Credentials {
  readonly username?: string;
  readonly password: string;
}

/** The fields of connection options (ioredis, AdminPool, the REPL) that carry credentials. */
export function loginOptions(c: Credentials | undefined): { username?: string; password?: string } {
  if (!c) return {};
  return { ...(c.username !== undefined ? { username: c.username } : {}), password: c.password };
}

/** What the user gave: a user, a password, both or neither (then the cluster's own are read). */
export interface GivenLogin {
  readonly username?: string;
  readonly password?: string;
}

/**
 * The credentials to use for a cluster: what the user gave, completed from the cluster's
 * secrets. A password without a user on a cluster with users is the operator's (the default
 * user is off there, so a password alone could never log in); a user without a password gets
 * its password from its secret.
 */
export async function resolveCredentials(
  engine: Engine,
  cluster: SwarmCluster,
  given: GivenLogin = {},
  hops = new LocalHops(engine.docker),
): Promise<Credentials | undefined> {
  if (given.password !== undefined) {
    const username = given.username ?? cluster.operatorUser;
    return { ...(username !== undefined ? { username } : {}), password: given.password };
  }
  return readClusterCredentials(engine, cluster, given.username, hops);
}

/**
 * Reads the credentials from the secrets a node mounts: the operator's (or the single password)
 * by default, an application user's when `user` names one.
 */
export async function readClusterCredentials(
  engine: Engine,
  cluster: SwarmCluster,
  user?: string,
  hops = new LocalHops(engine.docker),
): Promise<Credentials | undefined> {
  if (user !== undefined && user !== cluster.operatorUser) {
    if (!cluster.appUsers?.includes(user)) {
      throw new NotFoundError(
        `Cluster "${cluster.name}" has no user "${user}" that redis-swarm deployed` +
          (cluster.operatorUser ? ` (its users: ${[cluster.operatorUser, ...(cluster.appUsers ?? [])].join(', ')})` : '') +
          '; give its password with -a, --askpass or REDISCLI_AUTH.',
      );
    }
    const password = await readSecretFile(engine, cluster, userSecretName(cluster.name, user), hops);
    return { username: user, password };
  }
  if (!cluster.authSecret) return undefined;
  const text = await readSecretFile(engine, cluster, cluster.authSecret, hops);
  const values = new Map<string, string>();
  for (const line of text.split('\n')) {
    const [directive, value] = splitConfArgs(line);
    if (directive !== undefined && value !== undefined) values.set(directive.toLowerCase(), value);
  }
  const masteruser = values.get('masteruser');
  const masterauth = values.get('masterauth');
  if (masteruser !== undefined && masterauth !== undefined) return { username: masteruser, password: masterauth };
  const requirepass = values.get('requirepass');
  if (requirepass !== undefined) return { password: requirepass };
  throw new NotFoundError(`Secret ${cluster.authSecret} of cluster "${cluster.name}" holds neither a requirepass line nor masteruser and masterauth.`);
}

/**
 * A secret is read in a container on the connected node (the API execs only there): a task of
 * the cluster, else its relay, which mounts the same secrets.
 */
async function readSecretFile(engine: Engine, cluster: SwarmCluster, secret: string, hops: LocalHops): Promise<string> {
  const containerId = await hops.localContainer(cluster);
  if (!containerId) {
    throw new NotFoundError(`Cannot read the credentials of cluster "${cluster.name}": none of its nodes is running.`);
  }
  return execCapture(engine.docker, containerId, ['cat', `${SECRET_DIR}/${secret}`]);
}
