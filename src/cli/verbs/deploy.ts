import { readFileSync } from 'node:fs';
import { BadInputError } from '../../core/errors';
import { type DeployTls } from '../../core/swarm/deployTls';
import { openEngine } from '../../core/docker/engine';
import { DEPLOY_DEFAULTS, type DeployOptions, defaultNetwork, MAX_CLUSTER_NODES, MAX_REDIS_PORT, MAX_REPLICAS, MIN_MASTERS, NODE_TIMEOUT_RANGE_MS } from '../../core/swarm/deployOptions';
import { deployCluster } from '../../core/swarm/deploy';
import { tokenFromSignal } from '../../core/lifecycle';
import { type ParsedArgs, flagBoolean, flagList, flagNumber, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { stderrProgress } from '../progress';
import { readPasswordFromStdin } from '../password';
import { writeStackFile } from './deployStackFile';
import { userLines } from './userLines';
import { DEFAULT_OPERATOR_USER, parseUserSpec } from '../../core/swarm/aclUsers';

export const deployFlags = {
  ...dockerFlags,
  name: { kind: 'string', valueName: 'name', description: `Cluster name; services are <name>-1 … <name>-N (default ${DEPLOY_DEFAULTS.name}).` },
  nodes: { kind: 'number', valueName: 'n', description: `Number of nodes (default ${DEPLOY_DEFAULTS.nodes}).`, range: { min: MIN_MASTERS, max: MAX_CLUSTER_NODES } },
  replicas: { kind: 'number', valueName: 'n', description: `Replicas per master (default ${DEPLOY_DEFAULTS.replicas}).`, range: { min: 0, max: MAX_REPLICAS } },
  image: { kind: 'string', valueName: 'ref', description: `Redis image, 7.0 or later (default ${DEPLOY_DEFAULTS.image}).` },
  network: { kind: 'string', valueName: 'name', description: 'Overlay network, created if absent (default <name>-net, the cluster\'s own).' },
  port: { kind: 'number', valueName: 'port', description: `Redis port inside the containers (default ${DEPLOY_DEFAULTS.port}).`, range: { min: 1, max: MAX_REDIS_PORT } },
  'node-timeout': { kind: 'number', valueName: 'ms', description: `cluster-node-timeout (default ${DEPLOY_DEFAULTS.nodeTimeoutMs}).`, range: NODE_TIMEOUT_RANGE_MS },
  appendonly: { kind: 'string', valueName: 'yes|no', description: 'Append-only file persistence (default yes).' },
  maxmemory: { kind: 'string', valueName: 'size', description: 'maxmemory per node, e.g. 512mb.' },
  'maxmemory-policy': { kind: 'string', valueName: 'policy', description: 'maxmemory-policy, e.g. allkeys-lru.' },
  'password-stdin': { kind: 'boolean', description: 'Read a password from standard input (stored in a Docker secret). REDIS_SWARM_PASSWORD works too.' },
  publish: {
    kind: 'number',
    valueName: 'base',
    description: 'Publish node i on host port base+i-1 (mode=host: on every interface of the node running it; swarm has no host-IP option). Needs a password.',
    range: { min: 1, max: MAX_REDIS_PORT },
  },
  acl: {
    kind: 'boolean',
    description: `ACL users instead of one password: an operator user (${DEFAULT_OPERATOR_USER}) with only the commands redis-swarm sends, the default user off. Implied by --user.`,
  },
  'operator-user': { kind: 'string', valueName: 'name', description: `The operator user's name (default ${DEFAULT_OPERATOR_USER}); its password is --password-stdin's, else generated.` },
  user: {
    kind: 'list',
    valueName: 'name:keys:categories',
    description: 'An application user (repeatable), e.g. app:app:*,session:*:+@read,+@write; its password is generated into secret <name>-user-<user>.',
  },
  'insecure-no-password': { kind: 'boolean', description: 'With --publish and no password: publish an open Redis anyway (anyone who reaches the host can use it).' },
  constraint: { kind: 'list', valueName: 'expr', description: 'Placement constraint (repeatable), e.g. node.role==worker.' },
  announce: { kind: 'string', valueName: 'hostname|ip', description: 'What redirects name: the service hostname (default) or the task IP.' },
  mode: { kind: 'string', valueName: 'persistent|cache', description: 'cache: heal may reassign lost slots; persistent (default): never.' },
  tls: { kind: 'boolean', description: 'TLS only (port 0, tls-port), on the cluster bus and for replication too: a CA and a certificate per node are generated (keys in Docker secrets).' },
  'tls-cert': { kind: 'string', valueName: 'file', description: 'With --tls: your certificate for every node (it must name every service, e.g. redis-1 … redis-6), instead of generated ones.' },
  'tls-key': { kind: 'string', valueName: 'file', description: 'With --tls-cert: its private key (stored in a Docker secret).' },
  'tls-ca': { kind: 'string', valueName: 'file', description: 'With --tls-cert: the CA certificate that signed it (nodes trust it for each other and for clients).' },
  json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
  'stack-file': {
    kind: 'string',
    valueName: 'file',
    description:
      'Write the cluster as a Compose stack file (and its redis.conf next to it) for `docker stack deploy -c FILE STACK` instead of deploying it. ' +
      'With --tls or ACL users its secrets and certificate configs are created on the swarm now (no key or password goes into a file).',
  },
} as const;

export function deployOptionsFromArgs(args: ParsedArgs, password: string | undefined): DeployOptions {
  const appendonly = flagString(args, 'appendonly') ?? 'yes';
  if (appendonly !== 'yes' && appendonly !== 'no') throw new BadInputError(`--appendonly takes yes or no, not "${appendonly}".`);
  const announce = flagString(args, 'announce') ?? DEPLOY_DEFAULTS.preferredEndpoint;
  if (announce !== 'hostname' && announce !== 'ip') throw new BadInputError(`--announce takes hostname or ip, not "${announce}".`);
  const mode = flagString(args, 'mode') ?? DEPLOY_DEFAULTS.mode;
  if (mode !== 'persistent' && mode !== 'cache') throw new BadInputError(`--mode takes persistent or cache, not "${mode}".`);
  const maxmemory = flagString(args, 'maxmemory');
  const policy = flagString(args, 'maxmemory-policy');
  const publish = flagNumber(args, 'publish');
  const users = flagList(args, 'user').map(parseUserSpec);
  const operator = flagString(args, 'operator-user');
  const acl = flagBoolean(args, 'acl') || users.length > 0 || operator !== undefined ? { operator: operator ?? DEFAULT_OPERATOR_USER, users } : undefined;
  const name = flagString(args, 'name') ?? DEPLOY_DEFAULTS.name;
  return {
    ...DEPLOY_DEFAULTS,
    name,
    nodes: flagNumber(args, 'nodes') ?? DEPLOY_DEFAULTS.nodes,
    replicas: flagNumber(args, 'replicas') ?? DEPLOY_DEFAULTS.replicas,
    image: flagString(args, 'image') ?? DEPLOY_DEFAULTS.image,
    network: flagString(args, 'network') ?? defaultNetwork(name),
    port: flagNumber(args, 'port') ?? DEPLOY_DEFAULTS.port,
    nodeTimeoutMs: flagNumber(args, 'node-timeout') ?? DEPLOY_DEFAULTS.nodeTimeoutMs,
    appendonly: appendonly === 'yes',
    constraints: flagList(args, 'constraint'),
    preferredEndpoint: announce,
    mode,
    ...(maxmemory !== undefined ? { maxmemory } : {}),
    ...(policy !== undefined ? { maxmemoryPolicy: policy } : {}),
    ...(publish !== undefined ? { publishBase: publish } : {}),
    ...(flagBoolean(args, 'insecure-no-password') ? { insecureNoPassword: true } : {}),
    ...(password !== undefined ? { password } : {}),
    ...(acl ? { acl } : {}),
    ...(tlsFromDeployArgs(args) ?? {}),
  };
}

/** `--tls` (generated certificates) or `--tls --tls-cert F --tls-key F --tls-ca F` (the user's). */
function tlsFromDeployArgs(args: ParsedArgs): { tls: DeployTls } | undefined {
  const files = { cert: flagString(args, 'tls-cert'), key: flagString(args, 'tls-key'), ca: flagString(args, 'tls-ca') };
  const given = Object.entries(files).filter(([, v]) => v !== undefined);
  if (!flagBoolean(args, 'tls')) {
    if (given.length > 0) throw new BadInputError(`--tls-${given[0]?.[0] ?? 'cert'} needs --tls.`);
    return undefined;
  }
  if (given.length === 0) return { tls: { source: 'generate' } };
  if (files.cert === undefined || files.key === undefined || files.ca === undefined) {
    throw new BadInputError('Give --tls-cert, --tls-key and --tls-ca together (or none of them, to have certificates generated).');
  }
  const read = (flag: string, path: string): string => {
    try {
      return readFileSync(path, 'utf8');
    } catch (err) {
      throw new BadInputError(`Cannot read ${flag} ${path}: ${err instanceof Error ? err.message : String(err)}.`);
    }
  };
  return { tls: { source: 'files', certPem: read('--tls-cert', files.cert), keyPem: read('--tls-key', files.key), caPem: read('--tls-ca', files.ca) } };
}

/** What a published port exposes, said where the user reads the result. */
function publishedLines(o: DeployOptions): string[] {
  if (o.publishBase === undefined) return ['no published ports: nodes are reached through the Docker API'];
  const ports = `host ports ${o.publishBase}-${o.publishBase + o.nodes - 1}`;
  return o.password !== undefined || o.acl !== undefined
    ? [`${ports}, on every interface of the nodes running them (swarm has no host-IP option); a password or ACL users are required`]
    : [`[WARNING] ${ports} are published on every interface WITHOUT a password (--insecure-no-password): anyone who can reach a swarm node can use this Redis.`];
}

export const deployVerb: Verb = {
  name: 'deploy',
  summary: 'Deploy the node services of a Redis Cluster on the swarm (then form it with `create`).',
  usage: 'deploy [--name redis] [--nodes 6] [--replicas 1] [--image redis:7.2] [--publish BASE] [--stack-file FILE] [options]',
  flags: deployFlags,
  async run(argv, io) {
    const args = parseArgs(argv, deployFlags);
    if (args.positionals.length > 0) throw new BadInputError(`deploy takes no arguments (got "${args.positionals.join(' ')}"); name the cluster with --name.`);
    const password = flagBoolean(args, 'password-stdin') ? await readPasswordFromStdin(io.stdin) : io.env['REDIS_SWARM_PASSWORD'] || undefined;
    const options = deployOptionsFromArgs(args, password);
    const stackFile = flagString(args, 'stack-file');
    if (stackFile !== undefined) return writeStackFile(stackFile, options, io, flagBoolean(args, 'json'), () => openEngine(engineOptions(args, io.env)));
    const engine = openEngine(engineOptions(args, io.env));
    const result = await deployCluster(engine, options, {
      progress: stderrProgress(io.stderr),
      token: tokenFromSignal(io.signal),
    });
    if (flagBoolean(args, 'json')) {
      io.stdout.write(JSON.stringify(result, null, 2) + '\n');
    } else {
      io.stdout.write(
        [
          `Deployed ${result.services.length} node services for cluster "${result.name}": ${result.services.join(', ')}`,
          `network ${result.network}${result.networkCreated ? ' (created)' : ''}, config ${result.config}${result.secret ? `, secret ${result.secret}` : ''}`,
          `volumes ${result.volumes.join(', ')}`,
          ...(options.tls ? [`TLS only on port ${options.port} (bus and replication too); ${options.tls.source === 'files' ? 'your certificate serves every node' : result.reusedCa ? `the CA kept by destroy --keep-ca (${result.reusedCa}) signed one certificate per node` : 'a new CA signed one certificate per node'}; keys are in Docker secrets`] : []),
          `swarm nodes: ${result.spread.byHost.map((h) => `${h.host} (${h.services.length})`).join(', ')}`,
          ...result.spread.warnings.map((w) => `[WARNING] ${w}`),
          ...publishedLines(options),
          ...userLines(result),
          `Form the cluster with: redis-swarm create --cluster ${result.name}`,
        ].join('\n') + '\n',
      );
    }
    return 0;
  },
};
