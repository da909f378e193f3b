/**
 * Parameters of `deploy`, their defaults, and validation that needs no Docker: bad input is
 * refused before anything is created.
 */
import { type DeployTls } from './deployTls';
import { BadInputError } from '../errors';
import { type AppUser, validateUsers } from './aclUsers';

export type ClusterMode = 'persistent' | 'cache';
export type PreferredEndpoint = 'hostname' | 'ip';

export interface DeployOptions {
  readonly name: string;
  readonly nodes: number;
  readonly replicas: number;
  readonly image: string;
  readonly network: string;
  /** The port Redis listens on inside each container. */
  readonly port: number;
  readonly nodeTimeoutMs: number;
  readonly appendonly: boolean;
  readonly maxmemory?: string;
  readonly maxmemoryPolicy?: string;
  readonly password?: string;
  /** Host ports base..base+nodes-1, published in `mode=host`. */
  readonly publishBase?: number;
  /**
   * Publish ports although there is no password. Swarm binds a published port on every
   * interface of the node (0.0.0.0 and [::]; it has no host-IP option), so without a password
   * anyone who reaches the machine gets a Redis shell: refused unless asked for by this name.
   */
  readonly insecureNoPassword?: boolean;
  readonly constraints: readonly string[];
  /** What redirects name: the service hostname (stable across restarts) or the task IP. */
  readonly preferredEndpoint: PreferredEndpoint;
  /** cache: lost slots may be reassigned by heal; persistent: never. */
  readonly mode: ClusterMode;
  /**
   * ACL users instead of one password: the operator (redis-swarm's own user, and the one
   * replicas log in as; its password is `password` when given, else generated) and application
   * users (each password generated, in a Docker secret of its own). The default user is off.
   */
  readonly acl?: { readonly operator: string; readonly users: readonly AppUser[] };
  /** TLS only (`port 0`, `tls-port`), with generated or given certificates. */
  readonly tls?: DeployTls;
}

/**
 * The overlay network a cluster gets unless the user names one: its own, so destroy removes it
 * with the cluster, and two clusters never share one by accident.
 */
export function defaultNetwork(name: string): string {
  return `${name}-net`;
}

export const DEPLOY_DEFAULTS: Omit<DeployOptions, 'password' | 'maxmemory' | 'maxmemoryPolicy' | 'publishBase' | 'insecureNoPassword' | 'acl' | 'tls' | 'network'> = {
  name: 'redis',
  nodes: 6,
  replicas: 1,
  image: 'redis:7.2',
  port: 6379,
  nodeTimeoutMs: 5000,
  appendonly: true,
  constraints: [],
  preferredEndpoint: 'hostname',
  mode: 'persistent',
};

/** Redis requires at least 3 masters for a cluster (redis-cli --cluster create refuses fewer). */
export const MIN_MASTERS = 3;
/**
 * Nodes in one deployment: one service and one volume each, and every node gossips with every
 * other. Redis suggests clusters of up to about 1000 nodes; on one swarm a few hundred services
 * already make `docker service ls` and the cluster bus slow, and a typo (1000 for 100) should not
 * create services until someone notices.
 */
export const MAX_CLUSTER_NODES = 200;
/** Replicas per master: each one is a full copy of its master's data. */
export const MAX_REPLICAS = 5;
/** cluster-node-timeout in ms: past 10 minutes a dead node is noticed too late to matter. */
export const NODE_TIMEOUT_RANGE_MS = { min: 100, max: 600_000 } as const;

export const MAXMEMORY_POLICIES = [
  'noeviction',
  'allkeys-lru',
  'allkeys-lfu',
  'allkeys-random',
  'volatile-lru',
  'volatile-lfu',
  'volatile-random',
  'volatile-ttl',
] as const;

/**
 * Service names become the nodes' announced hostnames. Redis accepts only letters, digits, `-`
 * and `.` in cluster-announce-hostname (isValidAuxString in cluster.c), Docker service names
 * must start with a letter or digit, and a DNS label is at most 63 characters.
 */
export function validateClusterName(name: string): void {
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(name)) {
    throw new BadInputError(
      `Cluster name "${name}" is not valid: use letters, digits, "-" and "." only, starting and ending with a letter or digit ` +
        '(it becomes each node\'s service name and announced hostname).',
    );
  }
  // Docker checks service names as DNS names: dots separate labels, and no label may be empty
  // or start or end with "-" ("a..b", "a.-b" are refused with HTTP 400).
  const bad = name.split('.').find((label) => !/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/.test(label));
  if (bad !== undefined) {
    throw new BadInputError(
      `Cluster name "${name}" is not a valid DNS name: each part between dots must be letters, digits and "-", starting and ending with a letter or digit` +
        `${bad === '' ? ' (two dots in a row make an empty part)' : ` ("${bad}" is not)`}.`,
    );
  }
  if (name.length > 50) {
    throw new BadInputError(`Cluster name "${name}" is too long (${name.length} characters; at most 50, so "<name>-<n>" stays a valid hostname).`);
  }
}

export function validateDeployOptions(o: DeployOptions): void {
  validateClusterName(o.name);
  if (!Number.isInteger(o.nodes) || o.nodes < MIN_MASTERS || o.nodes > MAX_CLUSTER_NODES) {
    throw new BadInputError(`--nodes must be a whole number from ${MIN_MASTERS} to ${MAX_CLUSTER_NODES}, not ${o.nodes}.`);
  }
  if (!Number.isInteger(o.replicas) || o.replicas < 0 || o.replicas > MAX_REPLICAS) {
    throw new BadInputError(`--replicas must be a whole number from 0 to ${MAX_REPLICAS}, not ${o.replicas}.`);
  }
  if (o.nodes % (o.replicas + 1) !== 0) {
    throw new BadInputError(
      `${o.nodes} nodes do not fit ${o.replicas} replica(s) per master: the node count must be a multiple of ${o.replicas + 1} ` +
        `(for example ${Math.max(MIN_MASTERS, Math.ceil(o.nodes / (o.replicas + 1))) * (o.replicas + 1)}).`,
    );
  }
  const masters = o.nodes / (o.replicas + 1);
  if (masters < MIN_MASTERS) {
    throw new BadInputError(
      `${o.nodes} nodes with ${o.replicas} replica(s) each make ${masters} master(s); a Redis Cluster needs at least ${MIN_MASTERS} ` +
        `(use --nodes ${MIN_MASTERS * (o.replicas + 1)} or more).`,
    );
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(o.network)) throw new BadInputError(`Network name "${o.network}" is not valid.`);
  if (o.image.trim() === '' || /\s/.test(o.image)) throw new BadInputError(`Image "${o.image}" is not a valid image reference.`);
  validatePort('--port', o.port);
  if (!Number.isInteger(o.nodeTimeoutMs) || o.nodeTimeoutMs < NODE_TIMEOUT_RANGE_MS.min || o.nodeTimeoutMs > NODE_TIMEOUT_RANGE_MS.max) {
    throw new BadInputError(`--node-timeout must be from ${NODE_TIMEOUT_RANGE_MS.min} to ${NODE_TIMEOUT_RANGE_MS.max} ms, not ${o.nodeTimeoutMs}.`);
  }
  if (o.publishBase !== undefined) {
    validatePort('--publish', o.publishBase);
    if (o.publishBase + o.nodes - 1 > 65535) {
      throw new BadInputError(`--publish ${o.publishBase} with ${o.nodes} nodes runs past port 65535.`);
    }
    if (o.password === undefined && o.acl === undefined && o.insecureNoPassword !== true) throw new BadInputError(unauthenticatedPublishRefusal(o.publishBase, o.nodes));
  }
  if (o.maxmemory !== undefined && !/^\d+(?:[kKmMgG][bB]?)?$/.test(o.maxmemory)) {
    throw new BadInputError(`--maxmemory "${o.maxmemory}" is not a size like 512mb or 2gb.`);
  }
  if (o.maxmemoryPolicy !== undefined && !(MAXMEMORY_POLICIES as readonly string[]).includes(o.maxmemoryPolicy)) {
    throw new BadInputError(`--maxmemory-policy must be one of ${MAXMEMORY_POLICIES.join(', ')}; not "${o.maxmemoryPolicy}".`);
  }
  if (o.password !== undefined) {
    if (o.password.length === 0) throw new BadInputError('The password is empty; leave it out for no password.');
    if (/[\r\n]/.test(o.password)) throw new BadInputError('The password may not contain line breaks.');
  }
  if (o.acl) validateUsers(o.acl.operator, o.acl.users);
  for (const c of o.constraints) {
    if (!/^[^=!]+(==|!=)[^=]+$/.test(c)) {
      throw new BadInputError(`Placement constraint "${c}" is not of the form key==value or key!=value (e.g. node.role==worker).`);
    }
  }
}

/** Redis's cluster bus listens on port + 10000, which must itself be a valid port. */
export const MAX_REDIS_PORT = 65535 - 10000;

/** Why a cluster with published ports needs a password; the CLI and the Deploy wizard say it alike. */
export function unauthenticatedPublishRefusal(base: number, nodes: number): string {
  return (
    `Publishing host ports ${base}-${base + nodes - 1} without a password would let anyone who can reach a swarm node use Redis: ` +
    'swarm publishes on every interface (0.0.0.0 and [::]) and has no option to bind one address. ' +
    'Set a password (--password-stdin or REDIS_SWARM_PASSWORD), leave the ports unpublished (nodes are reached through the Docker API), ' +
    'or pass --insecure-no-password to publish an open Redis anyway.'
  );
}

function validatePort(flag: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > MAX_REDIS_PORT) {
    throw new BadInputError(`${flag} must be a port from 1 to ${MAX_REDIS_PORT} (the cluster bus uses port + 10000), not ${port}.`);
  }
}

export function serviceName(cluster: string, index: number): string {
  return `${cluster}-${index}`;
}

export function volumeName(cluster: string, index: number): string {
  return `${cluster}-${index}-data`;
}
