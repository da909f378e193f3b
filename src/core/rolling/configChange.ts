/**
 * `config get` and `config set` on a deployed cluster. redis.conf lives in a Docker config,
 * which is immutable: a change creates a new version (`<cluster>-conf-<hash of content>`, as
 * deploy names it) and rolls the services onto it in the rolling order, so restarted tasks keep
 * the change. Settings Redis can change at run time are set live first with CONFIG SET (the
 * application sees the change at once; the roll only makes it durable); settings it cannot
 * (immutable ones) take effect as each node restarts in the roll.
 */
import { createHash } from 'node:crypto';
import { BadInputError, NotFoundError, describeError } from '../errors';
import { type AdminPool, replyText } from '../redis/adminConnection';
import { type ClusterAccess } from '../swarm/clusterAccess';
import { runningNodes } from '../swarm/discover';
import { clusterLabels } from '../swarm/labels';
import { type RollResult } from './applyRoll';
import { checkSettingName, confSet, confSettings } from './confText';
import { confOf } from './nodeTarget';
import { type RollOptions, rollSession, startRoll } from './rollOps';
import { type RollRecord, sameTargets } from './rollRecord';
import { lookAt } from './rollSession';
import { readRollRecord, serviceTemplate } from './serviceState';
import { type Endpoint } from '../routes/endpoint';

export interface ClusterConf {
  readonly name: string;
  readonly id: string;
  readonly text: string;
}

export interface LiveValue {
  readonly service: string;
  /** The node's CONFIG GET answer; undefined when it could not be asked. */
  readonly value?: string;
}

export interface SettingView {
  readonly name: string;
  /** In the cluster's redis.conf (undefined: not set there, Redis's default applies). */
  readonly file?: string;
  readonly live: readonly LiveValue[];
}

export interface SettingChange extends SettingView {
  readonly next: string;
}

export interface ConfigPlan {
  readonly current: ClusterConf;
  readonly next: { readonly name: string; readonly text: string };
  readonly changes: readonly SettingChange[];
}

export interface ConfigApplied {
  /** Set live on the running nodes. */
  readonly live: readonly string[];
  /** Redis cannot change these at run time: they take effect as each node restarts. */
  readonly atRestart: readonly string[];
  /** Nodes that refused a live change, each with why (they take it when they restart). */
  readonly warnings: readonly string[];
  readonly roll: RollResult;
}

/** The redis.conf the cluster's first node service mounts (deploy gives all the same one). */
export async function readClusterConf(access: ClusterAccess): Promise<ClusterConf> {
  const docker = access.engine.docker;
  const first = access.cluster.nodes[0];
  const ref = first ? confOf(await serviceTemplate(docker, first.service)) : undefined;
  if (!first || !ref) {
    throw new NotFoundError(`Cluster "${access.cluster.name}" has no redis.conf in a Docker config (deployed by hand?): change its settings where it was made.`);
  }
  const info = (await docker.getConfig(ref.id).inspect()) as { Spec?: { Data?: string } };
  return { ...ref, text: Buffer.from(info.Spec?.Data ?? '', 'base64').toString('utf8') };
}

function nodeEndpoints(access: ClusterAccess): { service: string; endpoint: Endpoint }[] {
  return runningNodes(access.cluster).map((n) => ({ service: n.service, endpoint: { host: n.service, port: n.port } }));
}

async function liveValues(access: ClusterAccess, pool: AdminPool, name: string): Promise<LiveValue[]> {
  return Promise.all(
    nodeEndpoints(access).map(async ({ service, endpoint }) => {
      try {
        const r = await pool.command(endpoint, ['CONFIG', 'GET', name]);
        const value = Array.isArray(r) && r.length >= 2 ? replyText(r[1]) : undefined;
        return { service, ...(value !== undefined ? { value } : {}) };
      } catch {
        return { service };
      }
    }),
  );
}

/** `config get [NAME]`: the setting (or every setting of the file) as the file and each node have it. */
export async function configGet(access: ClusterAccess, pool: AdminPool, name?: string): Promise<{ config: string; settings: SettingView[] }> {
  const conf = await readClusterConf(access);
  const file = confSettings(conf.text);
  const names = name !== undefined ? [name.toLowerCase()] : [...file.keys()].filter((n) => n !== 'include');
  const settings = await Promise.all(
    names.map(async (n): Promise<SettingView> => {
      const f = file.get(n);
      return { name: n, ...(f !== undefined ? { file: f } : {}), live: await liveValues(access, pool, n) };
    }),
  );
  if (name !== undefined && settings[0]?.file === undefined && settings[0]?.live.every((l) => l.value === undefined)) {
    throw new BadInputError(`No node knows a setting "${name}" (CONFIG GET ${name} is empty).`);
  }
  return { config: conf.name, settings };
}

/** `config set NAME VALUE …`: the diff and the new version's text; refuses names that break the cluster and unknown ones. */
export async function planConfigSet(access: ClusterAccess, pool: AdminPool, pairs: readonly (readonly [string, string])[]): Promise<ConfigPlan> {
  if (pairs.length === 0) throw new BadInputError('Give at least one setting: config set NAME VALUE [NAME VALUE …].');
  const current = await readClusterConf(access);
  const file = confSettings(current.text);
  let text = current.text;
  const changes: SettingChange[] = [];
  for (const [raw, value] of pairs) {
    const name = checkSettingName(raw);
    const live = await liveValues(access, pool, name);
    if (live.every((l) => l.value === undefined) && !file.has(name)) {
      throw new BadInputError(`No node knows a setting "${name}" (CONFIG GET ${name} is empty). Nothing was changed.`);
    }
    text = confSet(text, name, value);
    const f = file.get(name);
    changes.push({ name, ...(f !== undefined ? { file: f } : {}), live, next: value });
  }
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 10);
  return { current, next: { name: `${access.cluster.name}-conf-${hash}`, text }, changes };
}

/** Whether a CONFIG SET error says the setting cannot change at run time. */
export function needsRestart(message: string): boolean {
  return /immutable|protected config/i.test(message);
}

/** Sets live what Redis allows, creates the new config version and rolls the services onto it. */
export async function applyConfigSet(access: ClusterAccess, pool: AdminPool, plan: ConfigPlan, o: RollOptions = {}): Promise<ConfigApplied> {
  const docker = access.engine.docker;
  const s = rollSession(access, pool, o);
  const services = access.cluster.nodes.map((n) => n.service);
  if (plan.next.name === plan.current.name) throw new BadInputError(`redis.conf already says that (${plan.current.name}); nothing to change.`);
  // Targets compare by config name, so the refusal comes before the new version is created.
  const byName = Object.fromEntries(services.map((n) => [n, { config: { name: plan.next.name, id: '' } }]));
  const current = await readRollRecord(docker, services);
  if (current && !sameTargets(current.targets, byName)) {
    throw new BadInputError(`Cluster "${access.cluster.name}" has an unfinished ${current.kind} (started ${current.startedAt}): finish it with --resume, or undo it with --rollback, first. Nothing was changed.`);
  }

  const configRef = await ensureConfig(access, plan);
  const targets = Object.fromEntries(services.map((n) => [n, { config: configRef }]));
  const nodes = nodeEndpoints(access);
  const live: string[] = [];
  const atRestart: string[] = [];
  const warnings: string[] = [];
  const first = nodes[0];
  for (const c of plan.changes) {
    if (!first) {
      atRestart.push(c.name);
      continue;
    }
    s.progress.report({ message: `CONFIG SET ${c.name} ${c.next}` });
    try {
      await pool.command(first.endpoint, ['CONFIG', 'SET', c.name, c.next]);
      live.push(c.name);
    } catch (err) {
      const msg = describeError(err);
      if (!needsRestart(msg)) {
        await revert(pool, first.endpoint, plan.changes.filter((x) => live.includes(x.name)), first.service);
        throw new BadInputError(`Redis refused ${c.name} ${c.next}: ${msg.replace(/\.$/, '')}. Nothing was changed.`);
      }
      atRestart.push(c.name);
    }
  }
  for (const n of nodes.slice(1)) {
    for (const c of plan.changes.filter((x) => live.includes(x.name))) {
      await pool.command(n.endpoint, ['CONFIG', 'SET', c.name, c.next]).catch((err: unknown) => warnings.push(`${n.service}: ${describeError(err)}`));
    }
  }
  const record: RollRecord = {
    kind: 'config',
    targets,
    previous: Object.fromEntries(services.map((n) => [n, { config: { name: plan.current.name, id: plan.current.id } }])),
    originalMasters: (await lookAt(s)).topology.nodes.flatMap((n) => (n.role === 'master' && n.slots.length > 0 && n.swarm ? [n.swarm.service] : [])),
    failBack: o.failBack === true,
    startedAt: new Date().toISOString(),
    settings: Object.fromEntries(plan.changes.map((c) => [c.name, c.next])),
  };
  const roll = await startRoll(s, record, o);
  return { live, atRestart, warnings, roll };
}

/** Puts a node's earlier values back after a refusal, so a refused change changes nothing. */
async function revert(pool: AdminPool, endpoint: Endpoint, changes: readonly SettingChange[], service: string): Promise<void> {
  for (const c of changes) {
    const old = c.live.find((l) => l.service === service)?.value;
    if (old !== undefined) await pool.command(endpoint, ['CONFIG', 'SET', c.name, old]).catch(() => undefined);
  }
}

/** The new config version (reused when it exists: the same content has the same name). */
async function ensureConfig(access: ClusterAccess, plan: ConfigPlan): Promise<{ name: string; id: string }> {
  const docker = access.engine.docker;
  try {
    const existing = (await docker.getConfig(plan.next.name).inspect()) as { ID: string };
    return { name: plan.next.name, id: existing.ID };
  } catch {
    const made = (await docker.createConfig({
      Name: plan.next.name,
      Labels: clusterLabels(access.cluster.name),
      Data: Buffer.from(plan.next.text).toString('base64'),
    })) as { id?: string; ID?: string };
    const id = made.id ?? made.ID ?? ((await docker.getConfig(plan.next.name).inspect()) as { ID: string }).ID;
    return { name: plan.next.name, id };
  }
}
