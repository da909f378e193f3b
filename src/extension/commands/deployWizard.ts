/**
 * The deploy wizard, shared by Deploy Cluster (which then creates and forms the cluster) and
 * Write Stack File (which writes the same cluster as a Compose stack file): the same steps
 * (Write Stack File without the users step), the same checks, only the title, the password's
 * note and the final action differ.
 */
import * as vscode from 'vscode';
import { imageChoices, listRedisImages, type RedisImage } from '../../core/docker/images';
import { describeError } from '../../core/errors';
import { hostPortsProblem } from '../../core/swarm/deploy';
import { DEPLOY_DEFAULTS, validateClusterName, validateDeployOptions } from '../../core/swarm/deployOptions';
import { DEFAULT_OPERATOR_USER } from '../../core/swarm/aclUsers';
import { MultiStepInput, type Step } from '../multiStepInput';
import { type CommandContext } from './commandContext';
import { type Answers, deployOptionsOf } from './deployAnswers';

export { type Answers, deployOptionsOf } from './deployAnswers';


/** What differs between the wizard's two uses. */
export interface WizardPurpose {
  readonly title: string;
  /** The summary's action row, e.g. "$(rocket) Deploy". */
  readonly actionLabel: string;
  readonly actionDescription: (name: string) => string;
  /** Where the password is kept, for the password step's prompt. */
  readonly passwordKept: string;
  /** Whether the wizard offers ACL users (Write Stack File does not; the CLI writes stack files with users). */
  readonly offersUsers: boolean;
}

export function deployPurpose(): WizardPurpose {
  return {
    title: vscode.l10n.t('Deploy Redis Cluster'),
    actionLabel: vscode.l10n.t('$(rocket) Deploy'),
    actionDescription: (name) => vscode.l10n.t('create and form cluster {0}', name),
    passwordKept: vscode.l10n.t('kept in a Docker secret and in VS Code SecretStorage'),
    offersUsers: true,
  };
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

/** `6 nodes: 3 masters with 1 replica each` and the rest of the summary, one fact per line. */
export function deploySummary(a: Readonly<Answers>): string[] {
  const masters = a.nodes / (a.replicas + 1);
  return [
    vscode.l10n.t('{0} nodes: {1} masters with {2} replica(s) each', a.nodes, masters, a.replicas),
    vscode.l10n.t('services {0}-1 … {0}-{1}, volumes {0}-<n>-data', a.name, a.nodes),
    vscode.l10n.t('image {0}', a.image),
    vscode.l10n.t('network {0}', a.network),
    a.publishBase !== undefined
      ? vscode.l10n.t('host ports {0}-{1}, on every interface of the swarm nodes (swarm cannot bind one address): password required', a.publishBase, a.publishBase + a.nodes - 1)
      : vscode.l10n.t('no published ports (reached through the Docker API)'),
    vscode.l10n.t('mode {0}', a.mode),
    a.tls
      ? // Short enough for one summary row (a longer one is cut off): the TLS step said the rest.
        vscode.l10n.t('TLS only: a new CA and a certificate per node; clients need the CA')
      : vscode.l10n.t('plain TCP (no TLS)'),
    a.users !== undefined
      ? vscode.l10n.t(
          'ACL users (default user off): operator {0}{1}; passwords {2}generated into Docker secrets',
          DEFAULT_OPERATOR_USER,
          a.users.map((u) => `, ${u.split(':')[0] ?? u}`).join(''),
          a.password !== undefined ? vscode.l10n.t('yours for the operator, ') : '',
        )
      : a.password !== undefined
        ? vscode.l10n.t('password: yes (a Docker secret, and your SecretStorage)')
        : vscode.l10n.t('password: none'),
  ];
}

/**
 * The wizard: the answers so far, and one method per step, each returning the next (Back
 * returns to the one before, through MultiStepInput).
 */
export class DeployWizard {
  private readonly a: Answers = { name: '', nodes: DEPLOY_DEFAULTS.nodes, replicas: DEPLOY_DEFAULTS.replicas, image: DEPLOY_DEFAULTS.image, network: '', mode: 'persistent', tls: false };
  private confirmed = false;
  /** Names of the clusters on the swarm, lower-cased: Docker compares swarm object names ignoring case ("Cache" clashes with "cache"). */
  private readonly existing: Set<string>;
  /** Local Redis images, listed while the first steps are answered. */
  private readonly images: Promise<RedisImage[]>;

  constructor(
    private readonly ctx: CommandContext,
    private readonly purpose: WizardPurpose = deployPurpose(),
  ) {
    this.existing = new Set((ctx.store.current?.clusters ?? []).map((c) => c.name.toLowerCase()));
    this.images = listRedisImages(ctx.engines.get().docker).catch((err: unknown) => {
      ctx.logger.warn(`listing local Redis images: ${describeError(err)}`);
      return [];
    });
  }

  /** The answers when the user chose the action; undefined when they cancelled or closed the wizard. */
  async run(): Promise<Answers | undefined> {
    const finished = await MultiStepInput.run(this.name);
    return finished && this.confirmed ? this.a : undefined;
  }

  private get title(): string {
    return this.purpose.title;
  }

  /** Name, nodes, replicas, image, network, port, mode, TLS, [users], password, summary. */
  private get totalSteps(): number {
    return this.purpose.offersUsers ? 11 : 10;
  }

  /** Step 1: the name, which also names the network unless one was typed. */
  private readonly name: Step = async (input) => {
    this.a.name = await input.inputBox({
      title: this.title,
      step: 1,
      totalSteps: this.totalSteps,
      value: this.a.name,
      prompt: vscode.l10n.t('Cluster name: each node becomes the service <name>-<n>, which is also its announced hostname'),
      placeholder: vscode.l10n.t('e.g. cache'),
      validate: (v) =>
        v === ''
          ? vscode.l10n.t('Give the cluster a name.')
          : this.existing.has(v.toLowerCase())
            ? vscode.l10n.t('A cluster "{0}" already runs on this swarm (Docker compares names ignoring case).', v)
            : problem(() => validateClusterName(v)),
    });
    if (!this.a.network || this.a.network.endsWith('-net')) this.a.network = `${this.a.name}-net`;
    return this.nodes;
  };

  /** Step 2: how many nodes. */
  private readonly nodes: Step = async (input) => {
    const v = await input.inputBox({
      title: this.title,
      step: 2,
      totalSteps: this.totalSteps,
      value: String(this.a.nodes),
      prompt: vscode.l10n.t('Number of nodes (masters and replicas together; at least 3 masters)'),
      validate: (text) => problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), nodes: Number(text), replicas: 0 })),
    });
    this.a.nodes = Number(v);
    return this.replicas;
  };

  /** Step 3: replicas per master. */
  private readonly replicas: Step = async (input) => {
    const v = await input.inputBox({
      title: this.title,
      step: 3,
      totalSteps: this.totalSteps,
      value: String(this.a.nodes % (this.a.replicas + 1) === 0 && this.a.nodes / (this.a.replicas + 1) >= 3 ? this.a.replicas : 0),
      prompt: vscode.l10n.t('Replicas per master ({0} nodes must be a multiple of replicas + 1)', this.a.nodes),
      validate: (text) => (text.trim() === '' ? vscode.l10n.t('Give a number (0 for no replicas).') : problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), replicas: Number(text) }))),
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
      description: i.redisVersion ? vscode.l10n.t('Redis {0}', i.redisVersion) : vscode.l10n.t('Redis version unknown'),
      detail:
        i.clusterReady === false
          ? vscode.l10n.t('Redis older than 7: cannot announce hostnames')
          : i.clusterReady === 'unknown'
            ? vscode.l10n.t('check it runs Redis 7 or later')
            : undefined,
    }));
    // A quick pick always highlights its first item: with no image known to run Redis 7, that
    // item is a hint to type a reference, not an image picked on the user's behalf.
    if (choices.preselect === undefined) items.unshift({ label: vscode.l10n.t('Type an image reference above'), description: vscode.l10n.t('no local image is known to run Redis 7 or later'), hint: true });
    const chosen = await input.quickPick<ImageItem>({
      title: this.title,
      step: 4,
      totalSteps: this.totalSteps,
      items,
      activeItem: items.find((i) => !i.hint && i.label === choices.preselect) ?? items[0],
      placeholder: items.length > 0 ? vscode.l10n.t('Image (a local one, or type another reference)') : vscode.l10n.t('No local Redis image: type an image reference'),
      custom: (typed) => ({ label: typed, description: vscode.l10n.t('another image (must already be on the swarm nodes)'), detail: undefined }),
      validate: (item) => (item.hint ? vscode.l10n.t('Type the image reference (for example redis:7.2) in the box.') : problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), image: item.label }))),
    });
    this.a.image = chosen.label;
    return this.network;
  };

  /** Step 5: the overlay network. */
  private readonly network: Step = async (input) => {
    this.a.network = await input.inputBox({
      title: this.title,
      step: 5,
      totalSteps: this.totalSteps,
      value: this.a.network || `${this.a.name}-net`,
      prompt: vscode.l10n.t('Overlay network (created when it does not exist)'),
      validate: (v) => problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), network: v })),
    });
    return this.port;
  };

  /** Step 6: the first published host port, or none (checked against the ports in use). */
  private readonly port: Step = async (input) => {
    const v = await input.inputBox({
      title: this.title,
      step: 6,
      totalSteps: this.totalSteps,
      value: this.a.publishBase !== undefined ? String(this.a.publishBase) : '',
      prompt: vscode.l10n.t('First host port to publish (mode=host, one per node), or empty to publish none'),
      placeholder: vscode.l10n.t('e.g. 7001 (optional)'),
      validate: async (text) => {
        if (text.trim() === '') return undefined;
        if (!/^\d+$/.test(text.trim())) return vscode.l10n.t('A port is a whole number.');
        const base = Number(text);
        // The password comes later: the range is checked here, the password at its own step.
        const wrong = problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), publishBase: base, insecureNoPassword: true }));
        if (wrong) return wrong;
        const ports = Array.from({ length: this.a.nodes }, (_, i) => base + i);
        return hostPortsProblem(this.ctx.engines.get(), ports).then(
          (p) => (p ? vscode.l10n.t('Cannot publish: {0}.', p) : undefined),
          (err: unknown) => vscode.l10n.t('Cannot check the host ports: {0}', describeError(err)),
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
      { label: 'persistent', description: vscode.l10n.t('append-only file on a volume; heal never gives lost slots away'), mode: 'persistent' as const },
      { label: 'cache', description: vscode.l10n.t('heal may reassign slots whose master and replicas are gone (their data is lost)'), mode: 'cache' as const },
    ];
    const chosen = await input.quickPick({ title: this.title, step: 7, totalSteps: this.totalSteps, items, activeItem: items.find((i) => i.mode === this.a.mode), placeholder: vscode.l10n.t('Mode') });
    this.a.mode = chosen.mode;
    return this.tls;
  };

  /** Step 8: plain TCP or TLS only, with certificates generated for the cluster. */
  private readonly tls: Step = async (input) => {
    const items = [
      { label: vscode.l10n.t('Plain TCP'), description: vscode.l10n.t('no TLS'), tls: false },
      {
        label: vscode.l10n.t('TLS only'),
        description: vscode.l10n.t('a generated CA and a certificate per node; keys in Docker secrets'),
        detail: vscode.l10n.t("The cluster's clients then need its CA (redis-swarm reads it from the nodes itself)."),
        tls: true,
      },
    ];
    const chosen = await input.quickPick({ title: this.title, step: 8, totalSteps: this.totalSteps, items, activeItem: items.find((i) => i.tls === this.a.tls), placeholder: vscode.l10n.t('Transport') });
    this.a.tls = chosen.tls;
    return this.purpose.offersUsers ? this.users : this.password;
  };

  /** Step 9 (deploy only): ACL users, or none for one password (or no password). */
  private readonly users: Step = async (input) => {
    const v = await input.inputBox({
      title: this.title,
      step: 9,
      totalSteps: this.totalSteps,
      value: this.a.users?.join(' ') ?? '',
      prompt: vscode.l10n.t(
        'ACL users, NAME:KEYPATTERNS:CATEGORIES separated by spaces (e.g. app:app:*:+@read,+@write), or "-" for the operator {0} only; empty for one password (or none). With users the default user is off and passwords are generated into Docker secrets.',
        DEFAULT_OPERATOR_USER,
      ),
      validate: (text) => {
        const specs = usersFrom(text);
        return specs === undefined ? undefined : problem(() => validateDeployOptions(deployOptionsOf({ ...this.a, users: specs })));
      },
    });
    const specs = usersFrom(v);
    if (specs === undefined) delete this.a.users;
    else this.a.users = specs;
    return this.password;
  };

  /** The password (the operator's, with users), required with published ports and no users. */
  private readonly password: Step = async (input) => {
    const v = await input.inputBox({
      title: this.title,
      step: this.totalSteps - 1,
      totalSteps: this.totalSteps,
      value: this.a.password ?? '',
      password: true,
      prompt:
        this.a.users !== undefined
          ? vscode.l10n.t("The operator {0}'s password, or empty to generate one; {1}", DEFAULT_OPERATOR_USER, this.purpose.passwordKept)
          : this.a.publishBase !== undefined
            ? vscode.l10n.t('Password (requirepass and masterauth), required with published ports; {0}', this.purpose.passwordKept)
            : vscode.l10n.t('Password (requirepass and masterauth), or empty for none; {0}', this.purpose.passwordKept),
      validate: (v) =>
        v === ''
          ? this.a.publishBase !== undefined && this.a.users === undefined
            ? vscode.l10n.t('Published ports are open on every interface of the swarm nodes: set a password, or go Back and leave the port empty.')
            : undefined
          : problem(() => validateDeployOptions({ ...deployOptionsOf(this.a), password: v })),
    });
    if (v === '') delete this.a.password;
    else this.a.password = v;
    return this.summary;
  };

  /** The last step: what the action makes, then the action or Cancel. */
  private readonly summary: Step = async (input) => {
    const lines = deploySummary(this.a);
    type SummaryItem = vscode.QuickPickItem & { readonly go?: boolean };
    const items: SummaryItem[] = [
      { label: this.purpose.actionLabel, description: this.purpose.actionDescription(this.a.name), go: true },
      { label: vscode.l10n.t('$(close) Cancel'), description: vscode.l10n.t('create nothing'), go: false },
      { label: vscode.l10n.t('What will be created'), kind: vscode.QuickPickItemKind.Separator },
      // One fact per row: a single detail line would be cut off.
      ...lines.map((l) => ({ label: `$(info) ${l}` })),
    ];
    const chosen = await input.quickPick({
      title: `${this.title}: ${this.a.name}`,
      step: this.totalSteps,
      totalSteps: this.totalSteps,
      items,
      placeholder: vscode.l10n.t('Check the settings below, then choose the action or Cancel (Back to change one)'),
      validate: (item) => (item.go === undefined ? vscode.l10n.t('Choose the action or "Cancel".') : undefined),
    });
    this.confirmed = chosen.go === true;
    return undefined;
  };
}

/** The users step's answer: undefined for no users, [] for the operator alone ("-"), else each spec. */
function usersFrom(text: string): string[] | undefined {
  const t = text.trim();
  if (t === '') return undefined;
  if (t === '-') return [];
  return t.split(/\s+/);
}
