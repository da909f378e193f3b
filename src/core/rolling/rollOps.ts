/**
 * The rolling verbs' entry points: build the roll's record (what each node goes to, what it ran
 * before, who the masters were), refuse a different roll while one is unfinished, and run it.
 * `upgrade`, `restart` and `config set` (configChange.ts) differ only in their targets.
 */
import { infoField } from '../cluster/nodesParser';
import { BadInputError, ConflictError } from '../errors';
import { type CancellationToken, type Logger, type ProgressReporter, neverCancelled, nullLogger, silentProgress } from '../lifecycle';
import { type AdminPool, replyText } from '../redis/adminConnection';
import { type ClusterAccess } from '../swarm/clusterAccess';
import { announcedName, seedEndpoints } from '../swarm/discover';
import { type RollResult, runRoll } from './applyRoll';
import { checkUpgradeImage } from './imageCheck';
import { type NodeTarget, confOf, versionOf } from './nodeTarget';
import { type RollKind, type RollRecord, rollbackOf, sameTargets } from './rollRecord';
import { lookAt, type RollSession } from './rollSession';
import { readRollRecord, serviceTemplate } from './serviceState';

/** Bound on one node's update by default: task start, data load, resync (ms). */
export const NODE_ROLL_TIMEOUT_MS = 180_000;

export interface RollOptions {
  readonly acceptDowntime?: boolean;
  readonly failBack?: boolean;
  readonly nodeTimeoutMs?: number;
  readonly progress?: ProgressReporter;
  readonly token?: CancellationToken;
  readonly logger?: Logger;
}

export function rollSession(access: ClusterAccess, pool: AdminPool, o: RollOptions): RollSession {
  return {
    access,
    pool,
    progress: o.progress ?? silentProgress,
    token: o.token ?? neverCancelled,
    logger: o.logger ?? nullLogger,
    nodeTimeoutMs: o.nodeTimeoutMs ?? NODE_ROLL_TIMEOUT_MS,
  };
}

function services(access: ClusterAccess): string[] {
  return access.cluster.nodes.map((n) => n.service);
}

/** A new roll's record: targets per service, what each runs now, the masters now. */
async function newRecord(s: RollSession, kind: RollKind, targets: Record<string, NodeTarget>, extra: Partial<RollRecord>): Promise<RollRecord> {
  const docker = s.access.engine.docker;
  const previous: Record<string, NodeTarget> = {};
  for (const service of Object.keys(targets)) {
    const template = await serviceTemplate(docker, service);
    const conf = confOf(template);
    previous[service] = { image: versionOf(template).image, ...(conf ? { config: conf } : {}) };
  }
  const { topology } = await lookAt(s);
  const originalMasters = topology.nodes.flatMap((n) => (n.role === 'master' && n.slots.length > 0 && n.swarm ? [n.swarm.service] : []));
  return { kind, targets, previous, originalMasters, failBack: false, startedAt: new Date().toISOString(), ...extra };
}

/**
 * Runs `record`, or continues the unfinished roll when it is the same change (a re-run of the
 * same command); refuses when a different roll is unfinished.
 */
export async function startRoll(s: RollSession, record: RollRecord, o: RollOptions): Promise<RollResult> {
  const current = await readRollRecord(s.access.engine.docker, services(s.access));
  if (current && !sameTargets(current.targets, record.targets)) {
    throw new ConflictError(
      `Cluster "${s.access.cluster.name}" has an unfinished ${current.kind} (started ${current.startedAt}): finish it with --resume, or undo it with --rollback, before starting another change.`,
    );
  }
  const chosen = current ?? record;
  return runRoll(s, { ...chosen, failBack: o.failBack ?? chosen.failBack }, { acceptDowntime: o.acceptDowntime === true });
}

/** The Redis version the cluster's nodes run (INFO server of the first that answers). */
async function clusterVersion(s: RollSession): Promise<string | undefined> {
  for (const ep of seedEndpoints(s.access.cluster)) {
    try {
      return infoField(replyText(await s.pool.command(ep, ['INFO', 'server'])), 'redis_version');
    } catch {
      // The next node.
    }
  }
  return undefined;
}

/** `upgrade --image IMAGE`: every node onto the image (checked first). */
export async function upgradeCluster(access: ClusterAccess, pool: AdminPool, image: string, o: RollOptions = {}): Promise<RollResult> {
  const s = rollSession(access, pool, o);
  s.progress.report({ message: `checking image ${image}` });
  await checkUpgradeImage(access.engine.docker, image, await clusterVersion(s), access.cluster.name);
  const targets = Object.fromEntries(services(access).map((n) => [n, { image }]));
  return startRoll(s, await newRecord(s, 'upgrade', targets, { failBack: o.failBack === true }), o);
}

/** The service a `--node` names: its service name, announced name or node number. */
export function nodeService(access: ClusterAccess, name: string): string {
  const n = access.cluster.nodes.find((x) => x.service === name || announcedName(x) === name || String(x.index) === name);
  if (!n) throw new BadInputError(`Cluster "${access.cluster.name}" has no node "${name}" (nodes: ${access.cluster.nodes.map((x) => x.service).join(', ')}).`);
  return n.service;
}

/** `restart [--node N]`: a new task for every node (or one), in the rolling order. */
export async function restartCluster(access: ClusterAccess, pool: AdminPool, node: string | undefined, o: RollOptions = {}): Promise<RollResult> {
  const s = rollSession(access, pool, o);
  const scope = node !== undefined ? [nodeService(access, node)] : services(access);
  const targets: Record<string, NodeTarget> = {};
  for (const service of scope) targets[service] = { force: versionOf(await serviceTemplate(access.engine.docker, service)).force + 1 };
  return startRoll(s, await newRecord(s, 'restart', targets, { failBack: o.failBack === true }), o);
}

/** `--resume`: finishes the unfinished roll. */
export async function resumeRoll(access: ClusterAccess, pool: AdminPool, o: RollOptions = {}): Promise<RollResult> {
  const s = rollSession(access, pool, o);
  const current = await readRollRecord(access.engine.docker, services(access));
  if (!current) throw new BadInputError(`Cluster "${access.cluster.name}" has no unfinished upgrade, restart or config change to resume.`);
  return runRoll(s, current, { acceptDowntime: o.acceptDowntime === true });
}

/** `--rollback`: the unfinished roll undone, or else the last finished one. */
export async function rollbackRoll(access: ClusterAccess, pool: AdminPool, o: RollOptions = {}): Promise<RollResult> {
  const s = rollSession(access, pool, o);
  const docker = access.engine.docker;
  const current = await readRollRecord(docker, services(access));
  // An unfinished rollback is resumed, not rolled back again.
  if (current?.kind === 'rollback') return runRoll(s, current, { acceptDowntime: o.acceptDowntime === true });
  const base = current ?? (await readRollRecord(docker, services(access), 'last'));
  if (!base) throw new BadInputError(`Cluster "${access.cluster.name}" has no upgrade or config change recorded to roll back.`);
  return runRoll(s, rollbackOf(base, new Date().toISOString()), { acceptDowntime: o.acceptDowntime === true });
}
