import * as vscode from 'vscode';
import { loggedProgress } from '../../core/progressLog';
import { formatPlan } from '../../core/cluster/formatPlan';
import { imageChoices, listRedisImages, type RedisImage } from '../../core/docker/images';
import { CancelledError, describeError, isCancelledError, RedisError } from '../../core/errors';
import { type CancellationToken, type ProgressReporter } from '../../core/lifecycle';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { deployCluster, hostPortsProblem } from '../../core/swarm/deploy';
import { type ClusterMode, DEPLOY_DEFAULTS, type DeployOptions, validateClusterName, validateDeployOptions } from '../../core/swarm/deployOptions';
import { formSwarmCluster, planSwarmCreate } from '../../core/swarm/formCluster';
import { MultiStepInput, type Step } from '../multiStepInput';
import { type CommandContext, type CommandDef } from './commandContext';

const TITLE = 'Deploy Redis Cluster';
const TOTAL_STEPS = 9;

/** What the wizard collects; every field is validated by the core as it is entered. */
interface Answers {
  name: string;
  nodes: number;
  replicas: number;
  image: string;
  network: string;
  publishBase?: number;
  mode: ClusterMode;
  password?: string;
}

/** The validators of src/core/swarm/deployOptions, as "what is wrong" sentences. */
function problem(check: () => void): string | undefined {
  try {
    check();
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

function options(a: Answers): DeployOptions {
  return {
    ...DEPLOY_DEFAULTS,
    name: a.name,
    nodes: a.nodes,
    replicas: a.replicas,
    image: a.image,
    network: a.network,
    mode: a.mode,
    ...(a.publishBase !== undefined ? { publishBase: a.publishBase } : {}),
    ...(a.password !== undefined ? { password: a.password } : {}),
  };
}

/** `6 nodes: 3 masters with 1 replica each` and the rest of the summary, one fact per line. */
export function deploySummary(a: Readonly<Answers>): string[] {
  const masters = a.nodes / (a.replicas + 1);
  return [
    `${a.nodes} nodes: ${masters} masters with ${a.replicas} replica(s) each`,
    `services ${a.name}-1 … ${a.name}-${a.nodes}, volumes ${a.name}-<n>-data`,
    `image ${a.image}`,
    `network ${a.network}`,
    a.publishBase !== undefined
      ? `host ports ${a.publishBase}-${a.publishBase + a.nodes - 1}, on every interface of the swarm nodes (swarm cannot bind one address): password required`
      : 'no published ports (reached through the Docker API)',
    `mode ${a.mode}`,
    a.password !== undefined ? 'password: yes (a Docker secret, and your SecretStorage)' : 'password: none',
  ];
}

/**
 * The deploy wizard: the answers so far, and one method per step, each returning the next
 * (Back returns to the one before, through MultiStepInput).
 */
class DeployWizard {
  private readonly a: Answers = { name: '', nodes: DEPLOY_DEFAULTS.nodes, replicas: DEPLOY_DEFAULTS.replicas, image: DEPLOY_DEFAULTS.image, network: '', mode: 'persistent' };
  private deploy = false;
  /** Names of the clusters on the swarm, lower-cased: Docker compares swarm object names ignoring case ("Cache" clashes with "cache"). */
  private readonly existing: Set<string>;
  /** Local Redis images, listed while the first steps are answered. */
  private readonly images: Promise<RedisImage[]>;

  constructor(private readonly ctx: CommandContext) {
    this.existing = new Set((ctx.store.current?.clusters ?? []).map((c) => c.name.toLowerCase()));
    this.images = listRedisImages(ctx.engines.get().docker).catch((err: unknown) => {
      ctx.logger.warn(`listing local Redis images: ${describeError(err)}`);
      return [];
    });
  }

  /** The answers when the user chose Deploy; undefined when they cancelled or closed the wizard. */
  async run(): Promise<Answers | undefined> {
    const finished = await MultiStepInput.run(this.name);
    return finished && this.deploy ? this.a : undefined;
  }

  /** Step 1: the name, which also names the network unless one was typed. */
  private readonly name: Step = async (input) => {
    this.a.name = await input.inputBox({
      title: TITLE,
      step: 1,
      totalSteps: TOTAL_STEPS,
      value: this.a.name,
      prompt: 'Cluster name: each node becomes the service <name>-<n>, which is also its announced hostname',
      placeholder: 'e.g. cache',
      validate: (v) =>
        v === '' ? 'Give the cluster a name.' : this.existing.has(v.toLowerCase()) ? `A cluster "${v}" already runs on this swarm (Docker compares names ignoring case).` : problem(() => validateClusterName(v)),
    });
    if (!this.a.network || this.a.network.endsWith('-net')) this.a.network = `${this.a.name}-net`;
    return this.nodes;
  };

  /** Step 2: how many nodes. */
  private readonly nodes: Step = async (input) => {
    const v = await input.inputBox({
      title: TITLE,
      step: 2,
      totalSteps: TOTAL_STEPS,
      value: String(this.a.nodes),
      prompt: 'Number of nodes (masters and replicas together; at least 3 masters)',
      validate: (text) => problem(() => validateDeployOptions({ ...options(this.a), nodes: Number(text), replicas: 0 })),
    });
    this.a.nodes = Number(v);
    return this.replicas;
  };

  /** Step 3: replicas per master. */
  private readonly replicas: Step = async (input) => {
    const v = await input.inputBox({
      title: TITLE,
      step: 3,
      totalSteps: TOTAL_STEPS,
      value: String(this.a.nodes % (this.a.replicas + 1) === 0 && this.a.nodes / (this.a.replicas + 1) >= 3 ? this.a.replicas : 0),
      prompt: `Replicas per master (${this.a.nodes} nodes must be a multiple of replicas + 1)`,
      validate: (text) => (text.trim() === '' ? 'Give a number (0 for no replicas).' : problem(() => validateDeployOptions({ ...options(this.a), replicas: Number(text) }))),
    });
    this.a.replicas = Number(v);
    return this.image;
  };

  /** Step 4: a local Redis image, or a typed reference. */
  private readonly image: Step = async (input) => {
    const choices = imageChoices(await this.images, this.a.image);
    type ImageItem = vscode.QuickPickItem & { readonly hint?: boolean };
    const items: ImageItem[] = choices.list.map((i) => ({
      label: i.tag,
      description: i.redisVersion ? `Redis ${i.redisVersion}` : 'Redis version unknown',
      detail: i.clusterReady === false ? 'Redis older than 7: cannot announce hostnames' : i.clusterReady === 'unknown' ? 'check it runs Redis 7 or later' : undefined,
    }));
    // A quick pick always highlights its first item: with no image known to run Redis 7, that
    // item is a hint to type a reference, not an image picked on the user's behalf.
    if (choices.preselect === undefined) items.unshift({ label: 'Type an image reference above', description: 'no local image is known to run Redis 7 or later', hint: true });
    const chosen = await input.quickPick<ImageItem>({
      title: TITLE,
      step: 4,
      totalSteps: TOTAL_STEPS,
      items,
      activeItem: items.find((i) => !i.hint && i.label === choices.preselect) ?? items[0],
      placeholder: items.length > 0 ? 'Image (a local one, or type another reference)' : 'No local Redis image: type an image reference',
      custom: (typed) => ({ label: typed, description: 'another image (must already be on the swarm nodes)', detail: undefined }),
      validate: (item) => (item.hint ? 'Type the image reference (for example redis:7.2) in the box.' : problem(() => validateDeployOptions({ ...options(this.a), image: item.label }))),
    });
    this.a.image = chosen.label;
    return this.network;
  };

  /** Step 5: the overlay network. */
  private readonly network: Step = async (input) => {
    this.a.network = await input.inputBox({
      title: TITLE,
      step: 5,
      totalSteps: TOTAL_STEPS,
      value: this.a.network || `${this.a.name}-net`,
      prompt: 'Overlay network (created when it does not exist)',
      validate: (v) => problem(() => validateDeployOptions({ ...options(this.a), network: v })),
    });
    return this.port;
  };

  /** Step 6: the first published host port, or none (checked against the ports in use). */
  private readonly port: Step = async (input) => {
    const v = await input.inputBox({
      title: TITLE,
      step: 6,
      totalSteps: TOTAL_STEPS,
      value: this.a.publishBase !== undefined ? String(this.a.publishBase) : '',
      prompt: 'First host port to publish (mode=host, one per node), or empty to publish none',
      placeholder: 'e.g. 7001 (optional)',
      validate: async (text) => {
        if (text.trim() === '') return undefined;
        if (!/^\d+$/.test(text.trim())) return 'A port is a whole number.';
        const base = Number(text);
        // The password comes later: the range is checked here, the password at its own step.
        const wrong = problem(() => validateDeployOptions({ ...options(this.a), publishBase: base, insecureNoPassword: true }));
        if (wrong) return wrong;
        const ports = Array.from({ length: this.a.nodes }, (_, i) => base + i);
        return hostPortsProblem(this.ctx.engines.get(), ports).then(
          (p) => (p ? `Cannot publish: ${p}.` : undefined),
          (err: unknown) => `Cannot check the host ports: ${describeError(err)}`,
        );
      },
    });
    if (v.trim() === '') delete this.a.publishBase;
    else this.a.publishBase = Number(v);
    return this.mode;
  };

  /** Step 7: persistent or cache. */
  private readonly mode: Step = async (input) => {
    const items = [
      { label: 'persistent', description: 'append-only file on a volume; heal never gives lost slots away', mode: 'persistent' as const },
      { label: 'cache', description: 'heal may reassign slots whose master and replicas are gone (their data is lost)', mode: 'cache' as const },
    ];
    const chosen = await input.quickPick({ title: TITLE, step: 7, totalSteps: TOTAL_STEPS, items, activeItem: items.find((i) => i.mode === this.a.mode), placeholder: 'Mode' });
    this.a.mode = chosen.mode;
    return this.password;
  };

  /** Step 8: the password, required with published ports. */
  private readonly password: Step = async (input) => {
    const v = await input.inputBox({
      title: TITLE,
      step: 8,
      totalSteps: TOTAL_STEPS,
      value: this.a.password ?? '',
      password: true,
      prompt:
        this.a.publishBase !== undefined
          ? 'Password (requirepass and masterauth), required with published ports; kept in a Docker secret and in VS Code SecretStorage'
          : 'Password (requirepass and masterauth), or empty for none; kept in a Docker secret and in VS Code SecretStorage',
      validate: (v) =>
        v === ''
          ? this.a.publishBase !== undefined
            ? 'Published ports are open on every interface of the swarm nodes: set a password, or go Back and leave the port empty.'
            : undefined
          : problem(() => validateDeployOptions({ ...options(this.a), password: v })),
    });
    if (v === '') delete this.a.password;
    else this.a.password = v;
    return this.summary;
  };

  /** Step 9: what will be created, then Deploy or Cancel. */
  private readonly summary: Step = async (input) => {
    const lines = deploySummary(this.a);
    type SummaryItem = vscode.QuickPickItem & { readonly deploy?: boolean };
    const items: SummaryItem[] = [
      { label: '$(rocket) Deploy', description: `create and form cluster ${this.a.name}`, deploy: true },
      { label: '$(close) Cancel', description: 'create nothing', deploy: false },
      { label: 'What will be created', kind: vscode.QuickPickItemKind.Separator },
      // One fact per row: a single detail line would be cut off.
      ...lines.map((l) => ({ label: `$(info) ${l}` })),
    ];
    const chosen = await input.quickPick({
      title: `${TITLE}: ${this.a.name}`,
      step: 9,
      totalSteps: TOTAL_STEPS,
      items,
      placeholder: 'Check the settings below, then Deploy or Cancel (Back to change one)',
      validate: (item) => (item.deploy === undefined ? 'Choose "Deploy" or "Cancel".' : undefined),
    });
    this.deploy = chosen.deploy === true;
    return undefined;
  };
}

/**
 * `redisSwarm.deployCluster`: a nine-step wizard (name, nodes, replicas, image, network, port,
 * mode, password, summary), then deploy and form under one cancellable progress notification.
 */
export const deployClusterCommand: CommandDef = {
  id: 'redisSwarm.deployCluster',
  async run(ctx) {
    const answers = await new DeployWizard(ctx).run();
    if (!answers) return undefined;
    const o = options(answers);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Deploying Redis cluster ${o.name}`, cancellable: true },
        (progress, token) => deployAndForm(ctx, o, progress, token),
      );
    } finally {
      ctx.refresh.request(`deployed ${o.name}`);
    }
    void vscode.window.showInformationMessage(`Redis cluster ${o.name} is deployed and formed: ${o.nodes} nodes.`);
    return o.name;
  },
};

export async function deployAndForm(ctx: CommandContext, o: DeployOptions, progress: ProgressReporter, token: CancellationToken): Promise<void> {
  const log = (message: string): void => {
    ctx.logger.info(`deploy ${o.name}: ${message}`);
  };
  // State changes at info; a poll repeating the same words goes to trace.
  const steps: ProgressReporter = loggedProgress(progress, { info: log, trace: (m) => ctx.logger.trace(`deploy ${o.name}: ${m}`) });
  const engine = ctx.engines.get();
  log(`deploying ${deploySummary(o).join('; ')}`);
  await deployCluster(engine, o, { progress: steps, token, logger: ctx.logger });
  // Before forming: the model reader then finds it in SecretStorage.
  if (o.password !== undefined) await ctx.passwords.store(o.name, o.password);
  if (token.isCancellationRequested) throw new CancelledError(`Cancelled after the services of ${o.name} were deployed; form them with "Create Cluster from Services".`);
  steps.report({ message: 'planning slots and replicas' });
  const access = await openClusterAccess(o.name, {
    ...ctx.engines.targetOptions(),
    logger: ctx.logger,
    ...(o.password !== undefined ? { password: o.password } : {}),
  });
  try {
    const plan = planSwarmCreate(access, o.replicas);
    ctx.output.info(`plan for ${o.name}:\n${formatPlan(plan)}`);
    steps.report({ message: `forming the cluster (${plan.masters.length} masters)` });
    await formSwarmCluster(access, plan, { progress: steps, token });
    log('cluster formed; every node agrees');
  } catch (err) {
    if (isCancelledError(err)) throw err;
    throw new RedisError(`The services of ${o.name} were deployed, but forming the cluster failed: ${describeError(err)}`, { cause: err });
  } finally {
    await access.dispose();
  }
}
