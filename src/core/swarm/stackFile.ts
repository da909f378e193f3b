/**
 * `deploy --stack-file`: the cluster deploy would create, written as a Compose v3.8 stack file
 * for `docker stack deploy -c FILE STACK`, so teams can keep it in Git. The same plan as deploy
 * (planDeploy) and the same labels, command, environment, mounts and endpoint mode, so discovery,
 * create, check, heal, mode and destroy treat the stack's services as deploy's.
 *
 * `docker stack deploy` prefixes every object with `STACK_` unless the file names it: the
 * network, config, secret and volumes are named here (`name:`) exactly as deploy names them;
 * services cannot be named, so they become `STACK_redis-1` …. Redis refuses `_` in
 * cluster-announce-hostname, so a node keeps announcing `redis-1`, which its network alias
 * makes resolvable on the overlay; discovery maps that name back to the service (discover.ts).
 */
import { type DeployOptions } from './deployOptions';
import { type DeployPlan, NODE_RESTART_DELAY_S, nodeServiceLabels, planDeploy } from './deploy';
import { LABEL_CLUSTER, LABEL_CREATED_NETWORK, LABEL_MANAGED, LABEL_MODE, clusterLabels } from './labels';
import { modeEnvEntry, nodeCommand } from './modeEnv';
import { CONF_PATH } from './redisConf';
import { type YamlValue, toYaml } from '../util/yaml';

export const STACK_FILE_VERSION = '3.8';
/** Keys of the objects inside the file (the names in Docker are set with `name:`). */
const NETWORK_KEY = 'net';
const CONFIG_KEY = 'redis-conf';
const SECRET_KEY = 'auth';
/** File mode of the mounted config and secret, 0444 (Compose wants a number; decimal leaves no doubt). */
const READ_ONLY_MODE = 0o444;

export interface StackFile {
  /** The Compose file. */
  readonly yaml: string;
  /** redis.conf, to be written next to the stack file under `confFileName` (Compose 3.8 configs come from files). */
  readonly confFileName: string;
  readonly confText: string;
  /** The password secret the file names as external: it must exist before `docker stack deploy`. */
  readonly secret?: { readonly name: string; readonly createCommand: string };
  readonly plan: DeployPlan;
}

export interface StackFileOptions {
  /** How the stack file is called, for the comment saying how to deploy it. */
  readonly fileName?: string;
  /** redis.conf's name next to the stack file (default `<name>-redis.conf`). */
  readonly confFileName?: string;
}

/**
 * The stack file for these deploy options. A password makes the file name an external secret
 * (the password itself is never written); `secret.createCommand` creates it from
 * $REDIS_PASSWORD with redis-swarm's labels, so destroy removes it as it removes deploy's.
 */
export function renderStackFile(o: DeployOptions, options: StackFileOptions = {}): StackFile {
  const plan = planDeploy(o);
  const confFileName = options.confFileName ?? `${o.name}-redis.conf`;
  const fileName = options.fileName ?? 'stack.yml';
  const labels = clusterLabels(o.name);

  const services: Record<string, YamlValue> = {};
  for (const s of plan.services) {
    const serviceLabels = nodeServiceLabels(plan, s);
    services[s.name] = {
      image: o.image,
      entrypoint: nodeCommand(CONF_PATH, s.name),
      environment: [modeEnvEntry()],
      hostname: s.name,
      // Container labels: as deploy's, without the mode (a container label cannot follow `mode`).
      labels: Object.fromEntries(Object.entries(serviceLabels).filter(([k]) => k !== LABEL_MODE)),
      configs: [{ source: CONFIG_KEY, target: CONF_PATH, uid: '0', gid: '0', mode: READ_ONLY_MODE }],
      secrets: plan.secretName ? [{ source: SECRET_KEY, target: plan.secretName, uid: '0', gid: '0', mode: READ_ONLY_MODE }] : undefined,
      volumes: [{ type: 'volume', source: volumeKey(s.index), target: '/data' }],
      networks: { [NETWORK_KEY]: { aliases: [s.name] } },
      ports: s.publishedPort !== undefined ? [{ target: o.port, published: s.publishedPort, protocol: 'tcp', mode: 'host' }] : undefined,
      deploy: {
        // No VIP: clients must reach each node itself, and a VIP does not route without IPVS.
        endpoint_mode: 'dnsrr',
        labels: serviceLabels,
        restart_policy: { condition: 'any', delay: `${NODE_RESTART_DELAY_S}s` },
        placement: o.constraints.length > 0 ? { constraints: [...o.constraints] } : undefined,
      },
    };
  }
  const volumes: Record<string, YamlValue> = {};
  for (const s of plan.services) volumes[volumeKey(s.index)] = { name: s.volume, driver: 'local', labels };

  const doc: YamlValue = {
    version: STACK_FILE_VERSION,
    services,
    networks: {
      [NETWORK_KEY]: { name: o.network, driver: 'overlay', attachable: true, labels: { ...labels, [LABEL_CREATED_NETWORK]: 'true' } },
    },
    configs: { [CONFIG_KEY]: { name: plan.configName, file: `./${confFileName}`, labels } },
    secrets: plan.secretName ? { [SECRET_KEY]: { name: plan.secretName, external: true } } : undefined,
    volumes,
  };
  const secret = plan.secretName ? { name: plan.secretName, createCommand: secretCreateCommand(o.name, plan.secretName) } : undefined;
  const header = [
    `Redis Cluster "${o.name}" (${o.nodes} nodes, ${o.replicas} replica(s) per master, ${o.mode} mode), written by redis-swarm.`,
    ...(secret ? ['First create the password secret (the file names it; the password is not in it):', `  ${secret.createCommand}`] : []),
    `Deploy:  docker stack deploy -c ${fileName} STACK   (${confFileName} must be next to this file)`,
    `Form:    redis-swarm create --cluster ${o.name}`,
    `Services become STACK_${plan.services[0]?.name ?? ''} …; each node announces its own name (${plan.services[0]?.name ?? ''} …),`,
    `its alias on network ${o.network}. Network, config${secret ? ', secret' : ''} and volumes keep the names below, so one`,
    `cluster "${o.name}" per swarm, as with redis-swarm deploy. Remove: redis-swarm destroy --cluster ${o.name} [--volumes]`,
    '(or docker stack rm STACK, which keeps the volumes).',
  ];
  return {
    yaml: header.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' + toYaml(escapeInterpolation(doc)),
    confFileName,
    confText: plan.configText,
    ...(secret ? { secret } : {}),
    plan,
  };
}

function volumeKey(index: number): string {
  return `data-${index}`;
}

/**
 * The command creating the secret from $REDIS_PASSWORD, in the format the nodes' redis.conf
 * includes (renderAuthSecret's), labelled as deploy labels its secret. A password holding `"`
 * or `\` needs those escaped with a backslash first.
 */
export function secretCreateCommand(cluster: string, secretName: string): string {
  return (
    `printf 'requirepass "%s"\\nmasterauth "%s"\\n' "$REDIS_PASSWORD" "$REDIS_PASSWORD" | ` +
    `docker secret create --label ${LABEL_MANAGED}=true --label ${LABEL_CLUSTER}=${cluster} ${secretName} -`
  );
}

/** `docker stack deploy` reads `$X` and `${X}` as variables everywhere: `$$` is a literal `$`. */
function escapeInterpolation(v: YamlValue): YamlValue {
  if (typeof v === 'string') return v.replace(/\$/g, '$$$$');
  if (typeof v !== 'object') return v;
  if (Array.isArray(v)) return (v as readonly YamlValue[]).map(escapeInterpolation);
  const out: Record<string, YamlValue | undefined> = {};
  for (const [k, x] of Object.entries(v as Record<string, YamlValue | undefined>)) out[k] = x === undefined ? undefined : escapeInterpolation(x);
  return out;
}
