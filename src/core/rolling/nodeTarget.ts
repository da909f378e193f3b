/**
 * What a roll changes on one node service, and whether the service (and the task it runs) is
 * there yet. Pure: the spec and the tasks are plain objects read from the Docker API.
 *
 * A roll is idempotent by construction: a node is done when its service spec and its running
 * task both carry the target, so a roll that was stopped (Ctrl+C, SIGKILL, a lost manager) and
 * is started again simply skips the nodes that are done.
 */
import { CONF_PATH } from '../swarm/redisConf';

/** The parts of a node service a roll sets; an absent field is left as it is. */
export interface NodeTarget {
  /** The image reference (repository:tag). */
  readonly image?: string;
  /** The Docker config holding redis.conf (name and ID). */
  readonly config?: { readonly name: string; readonly id: string };
  /** The task template's ForceUpdate counter: a restart with nothing else changed. */
  readonly force?: number;
}

/** The task template fields a roll reads and writes (the rest of the spec passes through untouched). */
export interface TaskTemplateLike {
  ContainerSpec?: {
    Image?: string;
    Configs?: { File?: { Name?: string }; ConfigID?: string; ConfigName?: string }[];
  } & Record<string, unknown>;
  ForceUpdate?: number;
  [key: string]: unknown;
}

/** An image reference without the digest swarm may pin (`redis:7@sha256:…`). */
export function imageRef(ref: string | undefined): string {
  return (ref ?? '').split('@')[0] ?? '';
}

/** The redis.conf config a task template mounts, when it mounts one at deploy's path. */
export function confOf(t: TaskTemplateLike | undefined): { name: string; id: string } | undefined {
  const c = (t?.ContainerSpec?.Configs ?? []).find((x) => x.File?.Name === CONF_PATH);
  return c?.ConfigName !== undefined && c.ConfigID !== undefined ? { name: c.ConfigName, id: c.ConfigID } : undefined;
}

/** Whether a task template (a service's, or a running task's) carries every part of the target. */
export function onTarget(t: TaskTemplateLike | undefined, target: NodeTarget): boolean {
  if (target.image !== undefined && imageRef(t?.ContainerSpec?.Image) !== imageRef(target.image)) return false;
  if (target.config !== undefined && confOf(t)?.name !== target.config.name) return false;
  if (target.force !== undefined && (t?.ForceUpdate ?? 0) < target.force) return false;
  return true;
}

/** The task template with the target applied (a copy; the input is not changed). */
export function withTarget(t: TaskTemplateLike, target: NodeTarget): TaskTemplateLike {
  const cs = { ...(t.ContainerSpec ?? {}) };
  if (target.image !== undefined) cs.Image = target.image;
  if (target.config !== undefined) {
    const others = (cs.Configs ?? []).filter((c) => c.File?.Name !== CONF_PATH);
    const old = (cs.Configs ?? []).find((c) => c.File?.Name === CONF_PATH);
    cs.Configs = [
      ...others,
      { File: old?.File ?? { Name: CONF_PATH }, ...(old ? stripRef(old) : {}), ConfigID: target.config.id, ConfigName: target.config.name },
    ];
  }
  const out: TaskTemplateLike = { ...t, ContainerSpec: cs };
  if (target.force !== undefined) out.ForceUpdate = Math.max(t.ForceUpdate ?? 0, target.force);
  return out;
}

function stripRef(c: Record<string, unknown>): Record<string, unknown> {
  const { ConfigID: _id, ConfigName: _name, ...rest } = c;
  return rest;
}

/** What a node is on, for views: image, config version, restart count. */
export interface NodeVersion {
  readonly image: string;
  readonly config?: string;
  readonly force: number;
}

export function versionOf(t: TaskTemplateLike | undefined): NodeVersion {
  const conf = confOf(t);
  return { image: imageRef(t?.ContainerSpec?.Image), ...(conf ? { config: conf.name } : {}), force: t?.ForceUpdate ?? 0 };
}
