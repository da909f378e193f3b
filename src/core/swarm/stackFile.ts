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
 *
 * Private keys and passwords never go into a file. A password alone: the file names its secret
 * as external and says how to create it from $REDIS_PASSWORD. With TLS or ACL users (generated
 * passwords, a CA, a certificate and key per node) `deploy --stack-file` creates the secrets and
 * the certificate configs on the swarm first, labelled as deploy labels them (so destroy removes
 * them; stackObjects.ts), and the file names them all as external: this module only names them.
 */
import { type DeployOptions } from './deployOptions';
import { type DeployPlan, NODE_RESTART_DELAY_S, nodeMountRefs, nodeServiceLabels, planDeploy } from './deploy';
import { LABEL_CLUSTER, LABEL_CREATED_NETWORK, LABEL_MANAGED, LABEL_MODE, clusterLabels } from './labels';
import { modeEnvEntry, nodeCommand } from './modeEnv';
import { CONF_PATH } from './redisConf';
import { type YamlValue, toYaml } from '../util/yaml';

export const STACK_FILE_VERSION = '3.8';
/** Keys of the objects inside the file (the names in Docker are set with `name:`). */
const NETWORK_KEY = 'net';
const CONFIG_KEY = 'redis-conf';
const SECRET_KEY = 'auth';

export interface StackFile {
  /** The Compose file. */
  readonly yaml: string;
  /** redis.conf, to be written next to the stack file under `confFileName` (Compose 3.8 configs come from files). */
  readonly confFileName: string;
  readonly confText: string;
  /** The password secret the file names as external, for the user to create before `docker stack deploy` (a password alone). */
  readonly secret?: { readonly name: string; readonly createCommand: string };
  /** With TLS or ACL users: the secrets and configs the file names as external, which `deploy --stack-file` creates. */
  readonly external?: { readonly configs: readonly string[]; readonly secrets: readonly string[] };
  readonly plan: DeployPlan;
}

export interface StackFileOptions {
  /** How the stack file is called, for the comment saying how to deploy it. */
  readonly fileName?: string;
  /** redis.conf's name next to the stack file (default `<name>-redis.conf`). */
  readonly confFileName?: string;
  /**
   * The plan whose secrets and configs were created (default: a new one). With TLS or ACL users
   * it must be that plan: certificate names hash the certificates, and passwords are generated.
   */
  readonly plan?: DeployPlan;
}

/** Whether the stack file of these options names objects only redis-swarm can make (generated passwords, certificates, keys). */
export function stackNeedsSwarmObjects(o: DeployOptions): boolean {
  return o.tls !== undefined || o.acl !== undefined;
}

/**
 * The stack file for these deploy options. A password makes the file name an external secret
 * (the password itself is never written); `secret.createCommand` creates it from
 * $REDIS_PASSWORD with redis-swarm's labels, so destroy removes it as it removes deploy's.
 */
export function renderStackFile(o: DeployOptions, options: StackFileOptions = {}): StackFile {
  const plan = options.plan ?? planDeploy(o);
  const made = stackNeedsSwarmObjects(o);
  const confFileName = options.confFileName ?? `${o.name}-redis.conf`;
  const fileName = options.fileName ?? 'stack.yml';
  const labels = clusterLabels(o.name);

  // Keys inside the file: the two of a password-only file keep their short names, the rest are the objects' own.
  const keyOf = (name: string): string => (name === plan.configName ? CONFIG_KEY : name === plan.secretName ? SECRET_KEY : name);
  const externalConfigs = new Set<string>();
  const externalSecrets = new Set<string>();
  const services: Record<string, YamlValue> = {};
  for (const s of plan.services) {
    const serviceLabels = nodeServiceLabels(plan, s);
    const mounts = nodeMountRefs(plan, s.name, () => '');
    for (const c of mounts.configs) if (c.ConfigName !== undefined && c.ConfigName !== plan.configName) externalConfigs.add(c.ConfigName);
    for (const x of mounts.secrets) if (x.SecretName !== undefined) externalSecrets.add(x.SecretName);
    services[s.name] = {
      image: o.image,
      entrypoint: nodeCommand(CONF_PATH, s.name),
      environment: [modeEnvEntry()],
      hostname: s.name,
      // Container labels: as deploy's, without the mode (a container label cannot follow `mode`).
      labels: Object.fromEntries(Object.entries(serviceLabels).filter(([k]) => k !== LABEL_MODE)),
      configs: mounts.configs.map((c) => composeMount(keyOf(c.ConfigName ?? ''), c.File)),
      secrets: mounts.secrets.length > 0 ? mounts.secrets.map((x) => composeMount(keyOf(x.SecretName ?? ''), x.File)) : undefined,
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
    configs: {
      [CONFIG_KEY]: { name: plan.configName, file: `./${confFileName}`, labels },
      ...Object.fromEntries([...externalConfigs].map((n) => [keyOf(n), { name: n, external: true }])),
    },
    secrets: externalSecrets.size > 0 ? Object.fromEntries([...externalSecrets].map((n) => [keyOf(n), { name: n, external: true }])) : undefined,
    volumes,
  };
  const secret = plan.secretName && !made ? { name: plan.secretName, createCommand: secretCreateCommand(o.name, plan.secretName) } : undefined;
  const external = made ? { configs: [...externalConfigs], secrets: [...externalSecrets] } : undefined;
  const header = [
    `Redis Cluster "${o.name}" (${o.nodes} nodes, ${o.replicas} replica(s) per master, ${o.mode} mode), written by redis-swarm.`,
    ...(secret ? ['First create the password secret (the file names it; the password is not in it):', `  ${secret.createCommand}`] : []),
    ...(external
      ? [
          `${[o.tls ? 'TLS' : '', o.acl ? 'ACL users' : ''].filter(Boolean).join(' and ')}: redis-swarm deploy --stack-file created the ${external.secrets.length} secret(s)` +
            `${external.configs.length > 0 ? ` and ${external.configs.length} certificate config(s)` : ''} this file names as external`,
          '(keys and passwords are never in a file); they must exist on the swarm before docker stack deploy.',
        ]
      : []),
    `Deploy:  docker stack deploy -c ${fileName} STACK   (${confFileName} must be next to this file)`,
    `Form:    redis-swarm create --cluster ${o.name}`,
    `Services become STACK_${plan.services[0]?.name ?? ''} …; each node announces its own name (${plan.services[0]?.name ?? ''} …),`,
    `its alias on network ${o.network}. Network, configs${plan.secretName ? ', secrets' : ''} and volumes keep the names below, so one`,
    `cluster "${o.name}" per swarm, as with redis-swarm deploy. Remove: redis-swarm destroy --cluster ${o.name} [--volumes]`,
    `(or docker stack rm STACK, which keeps the volumes${plan.secretName || external ? ' and the external secrets' : ''}).`,
  ];
  return {
    yaml: header.map((l) => `# ${l}`.trimEnd()).join('\n') + '\n' + toYaml(escapeInterpolation(doc)),
    confFileName,
    confText: plan.configText,
    ...(secret ? { secret } : {}),
    ...(external ? { external } : {}),
    plan,
  };
}

/** A Docker API mount (a file of a config or secret) as Compose writes it. */
function composeMount(source: string, file: { Name?: string; UID?: string; GID?: string; Mode?: number } | undefined): YamlValue {
  return { source, target: file?.Name ?? '', uid: file?.UID ?? '0', gid: file?.GID ?? '0', mode: file?.Mode ?? 0o444 };
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
