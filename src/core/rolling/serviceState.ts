/**
 * The Docker side of a roll: each node service's spec and running task, whether both are on the
 * target, the service update that moves one there, and the roll record's label on every service.
 */
import type Docker from 'dockerode';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConflictError, describeError } from '../errors';
import { type NodeTarget, type TaskTemplateLike, onTarget, withTarget } from './nodeTarget';
import { LABEL_ROLL_PIN, heldToOneNode, pinConstraint, withPin, withoutPin } from './nodePin';
import { LABEL_ROLL, LABEL_ROLL_LAST, type RollRecord, decodeRoll, encodeRoll } from './rollRecord';

interface ServiceInspect {
  ID: string;
  Version?: { Index?: number };
  Spec?: { Name?: string; Labels?: Record<string, string>; TaskTemplate?: TaskTemplateLike } & Record<string, unknown>;
}

interface TaskInfo {
  ServiceID?: string;
  DesiredState?: string;
  Status?: { State?: string; Err?: string };
  Spec?: TaskTemplateLike;
}

export async function inspectService(docker: Docker, name: string): Promise<ServiceInspect> {
  return (await docker.getService(name).inspect()) as ServiceInspect;
}

/** The task template of a service as it is now. */
export async function serviceTemplate(docker: Docker, name: string): Promise<TaskTemplateLike | undefined> {
  return (await inspectService(docker, name)).Spec?.TaskTemplate;
}

export interface ServiceProgress {
  /** The service's spec carries the target. */
  readonly specOnTarget: boolean;
  /** A task of the target spec is running (and meant to). */
  readonly taskOnTarget: boolean;
  /** Errors of the newest failed tasks (a crash loop on a bad image or setting). */
  readonly failures: readonly string[];
}

export async function serviceProgress(docker: Docker, name: string, target: NodeTarget): Promise<ServiceProgress> {
  const svc = await inspectService(docker, name);
  const tasks = (await docker.listTasks({ filters: { service: [name] } })) as TaskInfo[];
  const mine = tasks.filter((t) => t.ServiceID === svc.ID);
  const taskOnTarget = mine.some((t) => t.DesiredState === 'running' && t.Status?.State === 'running' && onTarget(t.Spec, target));
  const failures = mine.filter((t) => (t.Status?.State === 'failed' || t.Status?.State === 'rejected') && onTarget(t.Spec, target)).map((t) => t.Status?.Err ?? 'failed');
  return { specOnTarget: onTarget(svc.Spec?.TaskTemplate, target), taskOnTarget, failures };
}

/**
 * Moves a service onto the target (swarm then replaces its task); a no-op when it is there. The
 * new task is pinned to the swarm node of the running one, where its volume is (nodePin.ts).
 */
export async function updateServiceToTarget(docker: Docker, name: string, target: NodeTarget): Promise<boolean> {
  return updateServiceSpec(docker, name, `Could not update service ${name}`, async (svc) => {
    const spec = svc.Spec ?? {};
    if (onTarget(spec.TaskTemplate, target)) return undefined;
    let template = withTarget(spec.TaskTemplate ?? {}, target);
    let labels = spec.Labels;
    const node = heldToOneNode(template) ? undefined : await runningTaskNode(docker, svc.ID);
    if (node !== undefined) {
      const pin = pinConstraint(node);
      template = withPin(template, pin);
      labels = { ...(labels ?? {}), [LABEL_ROLL_PIN]: pin };
    }
    return { ...spec, ...(labels ? { Labels: labels } : {}), TaskTemplate: template };
  });
}

/** How often an update refused as out of sequence is tried again on a fresh inspect. */
const UPDATE_ATTEMPTS = 5;

/**
 * Updates a service with the spec `change` makes from a fresh inspect (undefined: nothing to
 * do); true when it updated. The version guards against a concurrent change: the API refuses a
 * stale one ("update out of sequence"), and swarm itself bumps the version when it records how
 * its own rolling update of the service went, so a refusal is tried again on a fresh inspect.
 */
async function updateServiceSpec(docker: Docker, name: string, failure: string, change: (svc: ServiceInspect) => Promise<Record<string, unknown> | undefined>): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    const svc = await inspectService(docker, name);
    const body = await change(svc);
    if (body === undefined) return false;
    try {
      await docker.getService(name).update({ _query: { version: svc.Version?.Index ?? 0 }, _body: body });
      return true;
    } catch (err) {
      if (attempt < UPDATE_ATTEMPTS && /out of sequence/i.test(describeError(err))) {
        await sleep(200 * attempt);
        continue;
      }
      throw new ConflictError(`${failure}: ${describeError(err)}`, { cause: err });
    }
  }
}

/**
 * The swarm node of the service's running task, if one runs on a node that takes new tasks
 * (Ready and active): a pin to a paused or draining node would leave the new task pending.
 */
async function runningTaskNode(docker: Docker, serviceId: string): Promise<string | undefined> {
  const tasks = (await docker.listTasks({ filters: { service: [serviceId], 'desired-state': ['running'] } })) as (TaskInfo & { NodeID?: string })[];
  const nodeId = tasks.find((t) => t.ServiceID === serviceId && t.Status?.State === 'running' && t.NodeID)?.NodeID;
  if (nodeId === undefined) return undefined;
  const node = (await docker.getNode(nodeId).inspect()) as { Status?: { State?: string }; Spec?: { Availability?: string } };
  return node.Status?.State === 'ready' && (node.Spec?.Availability ?? 'active') === 'active' ? nodeId : undefined;
}

/**
 * Takes off the pin a roll put on the service (a placement-only change: swarm keeps the task
 * where it runs); a no-op when there is none.
 */
export async function releasePin(docker: Docker, name: string): Promise<void> {
  await updateServiceSpec(docker, name, `Could not take the roll's placement pin off service ${name}`, (svc) => {
    const spec = svc.Spec ?? {};
    const pin = spec.Labels?.[LABEL_ROLL_PIN];
    if (pin === undefined) return Promise.resolve(undefined);
    const labels = { ...(spec.Labels ?? {}) };
    delete labels[LABEL_ROLL_PIN];
    return Promise.resolve({ ...spec, Labels: labels, TaskTemplate: withoutPin(spec.TaskTemplate ?? {}, pin) });
  });
}

/** Sets (a string) or removes (undefined) service labels on each service; labels change without a task restart. */
async function setLabels(docker: Docker, services: readonly string[], patch: Readonly<Record<string, string | undefined>>): Promise<void> {
  for (const name of services) {
    await updateServiceSpec(docker, name, `Could not record the roll on service ${name}`, (svc) => {
      const spec = svc.Spec ?? {};
      const before = spec.Labels ?? {};
      const labels = { ...before };
      for (const [k, v] of Object.entries(patch)) {
        if (v === undefined) delete labels[k];
        else labels[k] = v;
      }
      return Promise.resolve(Object.keys(patch).every((k) => before[k] === labels[k]) ? undefined : { ...spec, Labels: labels });
    });
  }
}

/** Records a roll in progress on every service, before its first change. */
export function writeRollRecord(docker: Docker, services: readonly string[], record: RollRecord): Promise<void> {
  return setLabels(docker, services, { [LABEL_ROLL]: encodeRoll(record) });
}

/** A finished roll: no longer in progress, kept as the last one (what --rollback undoes after the fact). */
export function finishRollRecord(docker: Docker, services: readonly string[], record: RollRecord): Promise<void> {
  return setLabels(docker, services, { [LABEL_ROLL]: undefined, [LABEL_ROLL_LAST]: encodeRoll(record) });
}

/** The roll recorded on any of the services (they carry the same record), if one is. */
export async function readRollRecord(docker: Docker, services: readonly string[], which: 'current' | 'last' = 'current'): Promise<RollRecord | undefined> {
  for (const name of services) {
    const r = decodeRoll((await inspectService(docker, name)).Spec?.Labels?.[which === 'current' ? LABEL_ROLL : LABEL_ROLL_LAST]);
    if (r) return r;
  }
  return undefined;
}
