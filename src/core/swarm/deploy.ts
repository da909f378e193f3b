/**
 * `deploy`: one swarm service per cluster node, on an overlay network, each with its own volume,
 * the shared redis.conf in a Docker config and the password in a Docker secret. Everything is
 * checked before anything is created, and a failure part-way removes what this deploy created.
 */
import { createHash } from 'node:crypto';
import * as net from 'node:net';
import type Docker from 'dockerode';
import { type Engine, getEngineStatus, requireSwarmManager } from '../docker/engine';
import { imageExists } from '../docker/images';
import { missingImageProblem, probeImageOnNodes } from './imageProbe';
import { type HostSpread, hostSpread, listSwarmHosts } from './swarmHosts';
import { BadInputError, TimeoutError, describeError, CancelledError } from '../errors';
import { type CancellationToken, type Logger, type ProgressReporter, neverCancelled, nullLogger, silentProgress, sleep } from '../lifecycle';
import { type DeployOptions, serviceName, validateDeployOptions, volumeName } from './deployOptions';
import {
  LABEL_ACL_USERS,
  LABEL_AUTH_SECRET,
  LABEL_OPERATOR_USER,
  LABEL_CREATED_NETWORK,
  LABEL_MODE,
  LABEL_NODE_INDEX,
  LABEL_PORT,
  LABEL_REPLICAS,
  LABEL_TLS,
  clusterLabels,
} from './labels';
import { CONF_PATH, renderAclSecret, renderAuthSecret, renderRedisConf } from './redisConf';
import { generatePassword, userSecretName } from './aclUsers';
import { removeClusterObjects } from './destroy';
import { modeEnvEntry, nodeCommand } from './modeEnv';
import { TLS_CA_PATH, TLS_CERT_PATH, TLS_KEY_SECRET_FILE, type TlsPlan, planTls } from './deployTls';
import { clashes, createClusterSecrets, createdObjectNames, noSecretsCreated, objectNameProblems } from './clusterSecrets';
import { type KeptCa, findKeptCa, readKeptCa } from './clusterCa';
import { type CertifiedKey } from '../tls/certificates';

/** How long the new services' tasks may take to reach `running`. */
export const DEPLOY_TASKS_TIMEOUT_MS = 90_000;
const POLL_MS = 250;
/** Failed attempts of one task after which deploy stops waiting for it. */
const TASK_FAILURES_BEFORE_GIVING_UP = 3;

export interface DeployResult {
  readonly name: string;
  readonly services: readonly string[];
  readonly network: string;
  readonly networkCreated: boolean;
  readonly config: string;
  readonly secret?: string;
  readonly volumes: readonly string[];
  /** With ACL users: the operator's name, and each application user's secret (its password, for its services to mount). */
  readonly operatorUser?: string;
  readonly userSecrets?: readonly { readonly user: string; readonly secret: string }[];
  /** Which swarm node each service's task landed on, and what that means for the replicas. */
  readonly spread: HostSpread;
  /** With --tls: the CA config, when a CA kept by `destroy --keep-ca` signed the node certificates. */
  readonly reusedCa?: string;
}

export interface RunContext {
  readonly progress?: ProgressReporter;
  readonly token?: CancellationToken;
  readonly logger?: Logger;
  /** Overrides DEPLOY_TASKS_TIMEOUT_MS. */
  readonly tasksTimeoutMs?: number;
}

/** Everything deploy will create, computed before any of it is. */
export interface DeployPlan {
  readonly options: DeployOptions;
  readonly configName: string;
  readonly configText: string;
  readonly secretName?: string;
  /** What the auth secret holds: requirepass/masterauth, or the ACL users (passwords generated here). */
  readonly secretText?: string;
  /** One secret per application user, holding only its password. */
  readonly userSecrets: readonly { readonly name: string; readonly user: string; readonly password: string }[];
  readonly services: readonly { name: string; index: number; volume: string; publishedPort?: number }[];
  /** The CA, node certificates and keys of a TLS cluster. */
  readonly tls?: TlsPlan;
}

/** `keptCa`: with generated TLS, the CA `destroy --keep-ca` left, which signs the node certificates. */
export function planDeploy(o: DeployOptions, keptCa?: CertifiedKey): DeployPlan {
  validateDeployOptions(o);
  const secretName = o.password !== undefined || o.acl !== undefined ? `${o.name}-auth` : undefined;
  const configText = renderRedisConf(o, secretName);
  const userSecrets = (o.acl?.users ?? []).map((user) => ({ name: userSecretName(o.name, user.name), user: user.name, password: generatePassword(), spec: user }));
  const secretText = o.acl
    ? renderAclSecret(
        { name: o.acl.operator, password: o.password ?? generatePassword() },
        userSecrets.map((u) => ({ user: u.spec, password: u.password })),
      )
    : o.password !== undefined
      ? renderAuthSecret(o.password)
      : undefined;
  // Config objects are immutable; a content hash in the name lets a later change add a new one.
  const hash = createHash('sha256').update(configText).digest('hex').slice(0, 10);
  const names = Array.from({ length: o.nodes }, (_, i) => serviceName(o.name, i + 1));
  return {
    ...(o.tls ? { tls: planTls(o.name, names, o.tls, new Date(), o.tls.source === 'generate' ? keptCa : undefined) } : {}),
    options: o,
    configName: `${o.name}-conf-${hash}`,
    configText,
    ...(secretName ? { secretName } : {}),
    ...(secretText !== undefined ? { secretText } : {}),
    userSecrets: userSecrets.map(({ name, user, password }) => ({ name, user, password })),
    services: Array.from({ length: o.nodes }, (_, i) => ({
      name: serviceName(o.name, i + 1),
      index: i + 1,
      volume: volumeName(o.name, i + 1),
      ...(o.publishBase !== undefined ? { publishedPort: o.publishBase + i } : {}),
    })),
  };
}

/** Checks against the engine; throws one BadInputError listing every problem found. */
export async function preflightDeploy(engine: Engine, plan: DeployPlan, keptCa = false): Promise<{ networkExists: boolean }> {
  const { docker } = engine;
  requireSwarmManager(await getEngineStatus(engine));
  const o = plan.options;
  const problems: string[] = [];

  if (!(await imageExists(docker, o.image))) {
    problems.push(`image "${o.image}" is not on this engine (pull it with "docker pull ${o.image}", or build it)`);
  } else {
    // On a multi-node swarm every node that may run a task needs it too (there may be no registry).
    const missing = missingImageProblem(o.image, await probeImageOnNodes(docker, o.image, { constraints: o.constraints }));
    if (missing) problems.push(missing);
  }
  const services = (await docker.listServices()) as (Docker.Service & ServiceWithPorts)[];
  // Swarm compares the names of services, configs, secrets and networks ignoring case
  // ("advup-1" is taken by "advUP-1"); volumes of the local driver are files, compared exactly.
  const clash = clashes(plan.services.map((s) => s.name), services.map((s) => s.Spec?.Name));
  if (clash.length > 0) problems.push(`service(s) ${clash.join(', ')} already exist`);

  const volumes = (await docker.listVolumes()).Volumes ?? [];
  const volumeNames = new Set(volumes.map((v) => v.Name));
  const volClash = plan.services.filter((s) => volumeNames.has(s.volume)).map((s) => s.volume);
  if (volClash.length > 0) {
    problems.push(`volume(s) ${volClash.join(', ')} already exist (left by an earlier cluster? "docker volume rm" them, or choose another name)`);
  }

  problems.push(...(await objectNameProblems(docker, plan, keptCa)));

  const wanted = plan.services.flatMap((s) => (s.publishedPort !== undefined ? [s.publishedPort] : []));
  const portProblem = await hostPortsProblem(engine, wanted, services);
  if (portProblem) problems.push(portProblem);

  let networkExists = false;
  const networks = (await docker.listNetworks()) as { Name?: string; Driver?: string; Ingress?: boolean }[];
  const sameName = networks.filter((n) => n.Name === o.network);
  const otherCase = networks.find((n) => n.Name !== undefined && n.Name !== o.network && n.Name.toLowerCase() === o.network.toLowerCase());
  if (sameName.length > 0) {
    networkExists = true;
    const info = sameName[0] as { Driver?: string; Ingress?: boolean };
    if (info.Ingress === true) {
      problems.push(`network "${o.network}" is the swarm's routing-mesh network, which services cannot join; name another network (it is created when absent)`);
    } else if (info.Driver !== 'overlay') {
      problems.push(`network "${o.network}" exists but is a ${info.Driver ?? '?'} network, not overlay`);
    }
  } else if (otherCase?.Name !== undefined) {
    problems.push(`network "${otherCase.Name}" exists, and Docker compares network names ignoring case: use --network ${otherCase.Name}, or another name`);
  }

  if (problems.length > 0) {
    throw new BadInputError(`Cannot deploy cluster "${o.name}": ${problems.join('; ')}. Nothing was created.`);
  }
  return { networkExists };
}

export async function deployCluster(engine: Engine, options: DeployOptions, ctx: RunContext = {}): Promise<DeployResult> {
  const progress = ctx.progress ?? silentProgress;
  const token = ctx.token ?? neverCancelled;
  const logger = ctx.logger ?? nullLogger;
  const { docker } = engine;
  let plan = planDeploy(options);
  const o = plan.options;
  progress.report({ message: 'checking the swarm, image, names and ports' });
  const kept: KeptCa | undefined = o.tls?.source === 'generate' ? await findKeptCa(docker, o.name) : undefined;
  const { networkExists } = await preflightDeploy(engine, plan, kept !== undefined);
  if (kept) {
    // Clients that trust this CA keep working: the new nodes' certificates are signed by it.
    progress.report({ message: `reading the CA kept in ${kept.configName} to sign the node certificates` });
    plan = planDeploy(options, await readKeptCa(engine, o.name, o.image, kept));
    logger.info(`deploy of ${o.name} reuses the CA in config ${kept.configName}`);
  }
  if (token.isCancellationRequested) throw new CancelledError('Deploy cancelled; nothing was created.');

  const created = { network: false, config: '', services: [] as string[], ...noSecretsCreated() };
  try {
    if (!networkExists) {
      progress.report({ message: `creating overlay network ${o.network}` });
      await docker.createNetwork({
        Name: o.network,
        Driver: 'overlay',
        Attachable: true,
        CheckDuplicate: true,
        Labels: { ...clusterLabels(o.name), [LABEL_CREATED_NETWORK]: 'true' },
      });
      created.network = true;
    }
    const network = (await docker.getNetwork(o.network).inspect()) as { Id: string };

    const { secrets, tlsIds } = await createClusterSecrets(docker, plan, created, kept, progress);

    progress.report({ message: `storing redis.conf in config ${plan.configName}` });
    const config = (await docker.createConfig({
      Name: plan.configName,
      Labels: clusterLabels(o.name),
      Data: Buffer.from(plan.configText).toString('base64'),
    })) as { id?: string; ID?: string };
    const configId = config.id ?? config.ID ?? (await docker.getConfig(plan.configName).inspect()).ID;
    created.config = plan.configName;
    const ids = new Map<string, string>([[plan.configName, configId], ...secrets.map((r) => [r.name, r.id] as const), ...(tlsIds ?? [])]);

    for (const s of plan.services) {
      if (token.isCancellationRequested) throw new CancelledError('Deploy cancelled.');
      progress.report({ message: `creating service ${s.name}`, increment: 60 / plan.services.length });
      await docker.createService(serviceSpec(plan, s, network.Id, ids));
      created.services.push(s.name);
    }
    await waitTasksRunning(docker, created.services, token, progress, ctx.tasksTimeoutMs ?? DEPLOY_TASKS_TIMEOUT_MS);
    logger.info(`deployed ${o.nodes} node services for cluster ${o.name}`);
    const spread = await spreadOf(docker, created.services, o.replicas);
    for (const w of spread.warnings) logger.warn(w);
    return {
      spread,
      name: o.name,
      services: created.services,
      network: o.network,
      networkCreated: created.network,
      config: plan.configName,
      ...(created.secret ? { secret: created.secret } : {}),
      volumes: plan.services.map((s) => s.volume),
      ...(o.acl ? { operatorUser: o.acl.operator, userSecrets: plan.userSecrets.map((u) => ({ user: u.user, secret: u.name })) } : {}),
      ...(kept ? { reusedCa: kept.configName } : {}),
    };
  } catch (err) {
    logger.warn(`deploy of ${o.name} failed (${describeError(err)}); removing what it created`);
    progress.report({ message: 'deploy failed; removing what it created' });
    await removeClusterObjects(docker, {
      services: created.services,
      volumes: plan.services.map((s) => s.volume),
      configs: [...(created.config ? [created.config] : []), ...createdObjectNames(created).configs],
      secrets: createdObjectNames(created).secrets,
      networks: created.network ? [o.network] : [],
    }).catch((cleanupErr: unknown) => logger.error(`cleanup after failed deploy: ${describeError(cleanupErr)}`));
    throw err;
  }
}

/** Where the services' running tasks are, by swarm node hostname. */
async function spreadOf(docker: Docker, services: readonly string[], replicas: number): Promise<HostSpread> {
  const [hosts, tasks] = await Promise.all([
    listSwarmHosts(docker),
    docker.listTasks({ filters: { service: [...services], 'desired-state': ['running'] } }) as Promise<{ ServiceID?: string; NodeID?: string; Status?: { State?: string } }[]>,
  ]);
  const names = new Map(((await docker.listServices({ filters: { name: [...services] } })) as { ID?: string; Spec?: { Name?: string } }[]).map((s) => [s.ID, s.Spec?.Name ?? '']));
  const hostname = new Map(hosts.map((h) => [h.id, h.hostname]));
  const placed = tasks
    .filter((t) => t.Status?.State === 'running' && t.NodeID && services.includes(names.get(t.ServiceID) ?? ''))
    .map((t) => ({ service: names.get(t.ServiceID) as string, host: hostname.get(t.NodeID as string) ?? (t.NodeID as string).slice(0, 12) }));
  return hostSpread(placed, replicas, hosts);
}

/** A node service's labels: what discovery, create, mode and destroy recognise it by (stack files use them too). */
export function nodeServiceLabels(plan: DeployPlan, s: DeployPlan['services'][number]): Record<string, string> {
  const o = plan.options;
  return {
    ...clusterLabels(o.name),
    [LABEL_NODE_INDEX]: String(s.index),
    [LABEL_MODE]: o.mode,
    [LABEL_PORT]: String(o.port),
    [LABEL_REPLICAS]: String(o.replicas),
    ...(plan.secretName ? { [LABEL_AUTH_SECRET]: plan.secretName } : {}),
    // User names are no secret; they tell every later command to log in as a user.
    ...(o.acl ? { [LABEL_OPERATOR_USER]: o.acl.operator, [LABEL_ACL_USERS]: o.acl.users.map((u) => u.name).join(',') } : {}),
    ...(plan.tls ? { [LABEL_TLS]: plan.tls.source === 'generate' ? 'generated' : 'files' } : {}),
  };
}

/** Mounted files are read-only, and readable by the redis user of the official image too (it drops root before reading them). */
const MOUNT_MODE = 0o444;

/** A node's TLS mounts: the CA and its certificate as configs, its key as a secret. */
function nodeTlsMounts(tls: TlsPlan, service: string, idOf: (name: string) => string): NodeMounts {
  const n = tls.nodes.get(service);
  if (!n) throw new BadInputError(`No TLS certificate was planned for ${service}.`);
  return {
    configs: [
      { File: mountFile(TLS_CA_PATH), ConfigID: idOf(tls.caConfig), ConfigName: tls.caConfig },
      { File: mountFile(TLS_CERT_PATH), ConfigID: idOf(n.certConfig), ConfigName: n.certConfig },
    ],
    secrets: [{ File: mountFile(TLS_KEY_SECRET_FILE), SecretID: idOf(n.keySecret), SecretName: n.keySecret }],
  };
}

function mountFile(name: string): { Name: string; UID: string; GID: string; Mode: number } {
  return { Name: name, UID: '0', GID: '0', Mode: MOUNT_MODE };
}

export interface NodeMounts {
  readonly configs: Docker.ConfigReference[];
  readonly secrets: Docker.SecretReference[];
}

/**
 * Every config and secret a node mounts, and where: redis.conf, the auth secret it includes,
 * the application users' secrets, and with TLS the CA, its certificate and its key. deploy's
 * service specs and the stack file's services are both made from it. `idOf` gives an object's
 * ID by name (a stack file names objects only: it returns '').
 */
export function nodeMountRefs(plan: DeployPlan, service: string, idOf: (name: string) => string): NodeMounts {
  const tls = plan.tls ? nodeTlsMounts(plan.tls, service, idOf) : undefined;
  // Every node mounts the application users' secrets too: redis-swarm reads a user's
  // password back from a node (as it reads the operator's), for `cli --user NAME`.
  const secretNames = [...(plan.secretName ? [plan.secretName] : []), ...plan.userSecrets.map((u) => u.name)];
  return {
    configs: [{ File: mountFile(CONF_PATH), ConfigID: idOf(plan.configName), ConfigName: plan.configName }, ...(tls?.configs ?? [])],
    secrets: [...secretNames.map((n) => ({ File: mountFile(n), SecretID: idOf(n), SecretName: n })), ...(tls?.secrets ?? [])],
  };
}

/** Restart delay of every node task (ns in the API): long enough not to spin on a bad config. */
export const NODE_RESTART_DELAY_S = 1;

function serviceSpec(
  plan: DeployPlan,
  s: DeployPlan['services'][number],
  networkId: string,
  ids: ReadonlyMap<string, string>,
): Docker.CreateServiceOptions {
  const o = plan.options;
  const labels = nodeServiceLabels(plan, s);
  const mounts = nodeMountRefs(plan, s.name, (name) => ids.get(name) ?? '');
  return {
    Name: s.name,
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: o.image,
        // The node's own name is the one per-node setting; it is no secret. The mode comes from
        // the service's label each time a task starts, so it survives `mode` and restarts.
        Command: nodeCommand(CONF_PATH, s.name),
        Env: [modeEnvEntry()],
        Hostname: s.name,
        // Not the mode: a container label cannot follow `mode` without restarting the task.
        Labels: Object.fromEntries(Object.entries(labels).filter(([k]) => k !== LABEL_MODE)),
        Configs: mounts.configs,
        ...(mounts.secrets.length > 0 ? { Secrets: mounts.secrets } : {}),
        Mounts: [
          {
            Type: 'volume' as const,
            Source: s.volume,
            Target: '/data',
            VolumeOptions: { NoCopy: false, Labels: clusterLabels(o.name), DriverConfig: { Name: 'local', Options: {} } },
          },
        ],
      },
      RestartPolicy: { Condition: 'any' as const, Delay: NODE_RESTART_DELAY_S * 1_000_000_000 },
      ...(o.constraints.length > 0 ? { Placement: { Constraints: [...o.constraints] } } : {}),
      Networks: [{ Target: networkId, Aliases: [s.name] }],
    },
    EndpointSpec: {
      // A VIP gives nothing to a cluster node (clients must reach each node itself) and does
      // not route on kernels without IPVS; with dnsrr the name resolves to the task's IP.
      Mode: 'dnsrr' as const,
      ...(s.publishedPort !== undefined
        ? { Ports: [{ Protocol: 'tcp', TargetPort: o.port, PublishedPort: s.publishedPort, PublishMode: 'host' }] }
        : {}),
    },
  };
}

/** Waits until every service has a running task; names the ones that fail and why. */
async function waitTasksRunning(
  docker: Docker,
  services: readonly string[],
  token: CancellationToken,
  progress: ProgressReporter,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  progress.report({ message: `waiting for ${services.length} tasks to run` });
  for (;;) {
    if (token.isCancellationRequested) throw new CancelledError('Deploy cancelled.');
    const tasks = (await docker.listTasks({ filters: { service: [...services] } })) as {
      ServiceID: string;
      DesiredState?: string;
      Status?: { State?: string; Err?: string };
    }[];
    const svc = (await Promise.all(services.map((n) => docker.getService(n).inspect()))) as { ID: string; Spec: { Name: string } }[];
    const byId = new Map(svc.map((s) => [s.ID, s.Spec.Name]));
    const running = new Set(tasks.filter((t) => t.Status?.State === 'running').map((t) => byId.get(t.ServiceID)));
    if (services.every((s) => running.has(s))) return;
    // Swarm retries a task that fails to start forever; a few failures in a row mean it will
    // not start (a bad image command, a port taken), so say why now rather than at the deadline.
    const failures = new Map<string, string[]>();
    for (const t of tasks) {
      if (t.Status?.State !== 'failed' && t.Status?.State !== 'rejected') continue;
      const name = byId.get(t.ServiceID) ?? t.ServiceID;
      failures.set(name, [...(failures.get(name) ?? []), t.Status.Err ?? t.Status.State]);
    }
    const crashLooping = [...failures].filter(([, errs]) => errs.length >= TASK_FAILURES_BEFORE_GIVING_UP);
    if (Date.now() > deadline || crashLooping.length > 0) {
      const waiting = services.filter((s) => !running.has(s));
      const reasons = [...failures].map(([name, errs]) => `${name}: ${errs[errs.length - 1]}`);
      throw new TimeoutError(
        `The tasks of ${waiting.join(', ')} did not start` +
          (crashLooping.length > 0 ? '' : ` within ${timeoutMs / 1000} s`) +
          (reasons.length > 0 ? ` (${reasons.slice(0, 3).join('; ')})` : '') +
          '. See `docker service ps` for details.',
      );
    }
    await sleep(POLL_MS, token);
  }
}

type ServiceWithPorts = { Spec?: { Name?: string; EndpointSpec?: { Ports?: { PublishedPort?: number }[] } }; Endpoint?: { Ports?: { PublishedPort?: number }[] } };

/**
 * Why these host ports cannot be published, or undefined when they can: ports another service
 * publishes (on any node: swarm refuses them), and on a local engine ports any process holds.
 * The CLI's preflight and the Deploy wizard's port step share it.
 */
export async function hostPortsProblem(engine: Engine, ports: readonly number[], services?: readonly ServiceWithPorts[]): Promise<string | undefined> {
  if (ports.length === 0) return undefined;
  const all = services ?? ((await engine.docker.listServices()) as ServiceWithPorts[]);
  const owner = new Map<number, string>();
  for (const s of all) {
    for (const p of [...(s.Endpoint?.Ports ?? []), ...(s.Spec?.EndpointSpec?.Ports ?? [])]) {
      if (p.PublishedPort !== undefined) owner.set(p.PublishedPort, s.Spec?.Name ?? '?');
    }
  }
  const byService = ports.filter((p) => owner.has(p));
  if (byService.length > 0) {
    return `host port(s) ${byService.map((p) => `${p} (${owner.get(p) ?? '?'})`).join(', ')} are already published by other services`;
  }
  if (engine.target.host.startsWith('unix://')) {
    // A local engine: a port held by any process would make the task fail to start.
    const busy: number[] = [];
    for (const p of ports) if (!(await portFree(p))) busy.push(p);
    if (busy.length > 0) return `host port(s) ${busy.join(', ')} are in use on this machine`;
  }
  return undefined;
}

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '0.0.0.0', () => server.close(() => resolve(true)));
  });
}
