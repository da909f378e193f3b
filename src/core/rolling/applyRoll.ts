/**
 * Runs a roll: writes its record, then plans and takes one step at a time (planRoll.ts) until
 * every node in scope is on its target, optionally fails back to the original masters, and
 * clears the record. Safe to stop anywhere: no step ever restarts a master that serves slots
 * (unless downtime was accepted), so a stopped roll leaves every master serving, and running it
 * again continues where it stopped.
 */
import { CancelledError, TimeoutError } from '../errors';
import { pollUntil, sleep } from '../lifecycle';
import { withClusterLock } from '../ops/clusterLock';
import { failover } from '../ops/failover';
import { nodeEndpoint } from './nodeEndpoint';
import { meetIfStale, nodeNotBack, waitNodeBack, NODE_POLL_MS } from './nodeBack';
import { type RollStep, nextRollStep, refuseUnprotectedMasters } from './planRoll';
import { type RollRecord } from './rollRecord';
import { type ClusterLook, lookAt, type RollSession } from './rollSession';
import { finishRollRecord, releasePin, serviceProgress, updateServiceToTarget, writeRollRecord } from './serviceState';
import { seedEndpoints } from '../swarm/discover';

export interface RollResult {
  readonly kind: RollRecord['kind'];
  /** Services whose task was replaced, in order. */
  readonly updated: readonly string[];
  /** Failovers made, as `from -> to` service names. */
  readonly failovers: readonly string[];
  readonly elapsedMs: number;
}

/** The services of the cluster whose spec and running task are on their target. */
async function doneServices(s: RollSession, record: RollRecord): Promise<Set<string>> {
  const done = new Set<string>();
  for (const [service, target] of Object.entries(record.targets)) {
    const p = await serviceProgress(s.access.engine.docker, service, target);
    if (p.specOnTarget && p.taskOnTarget) done.add(service);
  }
  return done;
}

const resumeHint = 'every master is serving; run the same command again (or --resume) to finish, or --rollback to go back';

/** Takes the cluster's lock and runs the roll (see the file's comment). */
export async function runRoll(s: RollSession, record: RollRecord, o: { readonly acceptDowntime: boolean }): Promise<RollResult> {
  const lock = { cluster: s.access.cluster.name, pool: s.pool, nodes: seedEndpoints(s.access.cluster) };
  return withClusterLock(lock, record.kind, () => rollLocked(s, record, o));
}

async function rollLocked(s: RollSession, record: RollRecord, o: { readonly acceptDowntime: boolean }): Promise<RollResult> {
  const started = Date.now();
  const docker = s.access.engine.docker;
  const services = s.access.cluster.nodes.map((n) => n.service);
  const scope = Object.keys(record.targets);
  const updated: string[] = [];
  const failovers: string[] = [];

  let { look, done } = await refuseOrStart(s, record, scope, o.acceptDowntime);
  s.progress.report({ message: `recording the ${record.kind} on ${services.length} service(s) (${scope.length - done.size} of ${scope.length} node(s) to go)` });
  await writeRollRecord(docker, services, record);

  // Each node takes at most: an update, and as a master one failover first; plus waits for links.
  const maxSteps = scope.length * 3 + 10;
  for (let i = 0; i < maxSteps; i++) {
    if (s.token.isCancellationRequested) throw new CancelledError(`The ${record.kind} stopped after ${updated.length} node(s): ${resumeHint}.`);
    const step = nextRollStep({ topology: look.topology, scope, done, acceptDowntime: o.acceptDowntime });
    if (!step) break;
    await takeStep(s, record, step, o, { updated, failovers });
    look = await lookAt(s);
    done = await doneServices(s, record);
  }
  if (record.failBack) await failBack(s, record, look, failovers);
  // The last failovers leave replicas resyncing: done is when every node is back and in sync,
  // so the next operation (or roll) finds every master with an in-sync replica.
  await waitSettled(s, record);
  if ((await doneServices(s, record)).size < scope.length) {
    throw new TimeoutError(`The ${record.kind} did not converge (some node keeps leaving its target); ${resumeHint}.`);
  }
  // A pin left by an interrupted run of this roll (the node was back, the pin not yet off).
  for (const service of services) await releasePin(docker, service);
  await finishRollRecord(docker, services, record);
  return { kind: record.kind, updated, failovers, elapsedMs: Date.now() - started };
}

/** How long a master may lack an in-sync replica (one resyncing after a failover) before the roll refuses (ms). */
export const REFUSAL_GRACE_MS = 15_000;

/**
 * The first look, and the refusal of masters without an in-sync replica. A replica that is
 * resyncing for a moment (after a failover, a restart) is waited for briefly rather than refused.
 */
async function refuseOrStart(s: RollSession, record: RollRecord, scope: readonly string[], acceptDowntime: boolean): Promise<{ look: ClusterLook; done: Set<string> }> {
  const deadline = Date.now() + REFUSAL_GRACE_MS;
  for (;;) {
    const look = await lookAt(s);
    const done = await doneServices(s, record);
    try {
      refuseUnprotectedMasters({ topology: look.topology, scope, done, acceptDowntime });
      return { look, done };
    } catch (err) {
      if (Date.now() > deadline || s.token.isCancellationRequested) throw err;
    }
    await sleep(NODE_POLL_MS, s.token);
  }
}

/** Waits until every node in scope is back (rejoined, in sync, seen up by all). */
async function waitSettled(s: RollSession, record: RollRecord): Promise<void> {
  await pollUntil(
    async () => {
      const look = await lookAt(s);
      for (const service of Object.keys(record.targets)) {
        const ip = look.cluster.nodes.find((n) => n.service === service)?.task?.ip;
        // A node restarted by a run that was killed before it saw the node back may still need its MEET.
        await meetIfStale(s, look, service);
        const missing = nodeNotBack(look.topology, service, undefined, ip);
        if (missing !== undefined) return missing;
      }
      return undefined;
    },
    {
      deadline: Date.now() + s.nodeTimeoutMs,
      intervalMs: NODE_POLL_MS,
      token: s.token,
      timeout: (m) => `The cluster did not settle after the ${record.kind} (${m}); ${resumeHint}.`,
      cancelled: `Stopped while the cluster settled: ${resumeHint}.`,
    },
  );
}

async function takeStep(
  s: RollSession,
  record: RollRecord,
  step: RollStep,
  o: { readonly acceptDowntime: boolean },
  out: { updated: string[]; failovers: string[] },
): Promise<void> {
  const docker = s.access.engine.docker;
  const target = record.targets[step.service] ?? {};
  switch (step.kind) {
    case 'replica': {
      s.progress.report({ message: `updating ${step.service} (a replica) and waiting until it has rejoined and synced` });
      if (await updateServiceToTarget(docker, step.service, target)) out.updated.push(step.service);
      await waitNodeBack(s, step.service, target, step.nodeId, { cancellable: true });
      await releasePin(docker, step.service);
      s.progress.report({ message: `${step.service} is back and in sync`, increment: 100 / Object.keys(record.targets).length });
      return;
    }
    case 'failover': {
      s.progress.report({ message: `failing ${step.service} over to its in-sync replica ${step.toService}` });
      await failover(s.pool, nodeEndpoint(step.toNode), { token: s.token, progress: s.progress });
      out.failovers.push(`${step.service} -> ${step.toService}`);
      return;
    }
    case 'master-in-place': {
      if (!o.acceptDowntime) {
        // A replica of it is still syncing (it was just updated): wait for its link.
        s.progress.report({ message: `waiting for a replica of ${step.service} to be in sync` });
        await pollUntil(
          async () => {
            const next = nextRollStep({ topology: (await lookAt(s)).topology, scope: Object.keys(record.targets), done: new Set(), acceptDowntime: false });
            return next?.kind === 'master-in-place' && next.service === step.service ? `${step.service} has no in-sync replica` : undefined;
          },
          {
            deadline: Date.now() + s.nodeTimeoutMs,
            intervalMs: NODE_POLL_MS,
            token: s.token,
            timeout: (m) => `${m} after ${Math.round(s.nodeTimeoutMs / 1000)} s; ${resumeHint}.`,
            cancelled: `The ${record.kind} stopped: ${resumeHint}.`,
          },
        );
        return;
      }
      s.progress.report({ message: `restarting master ${step.service} in place (${step.slots} slots down until it is back: --accept-downtime)` });
      if (await updateServiceToTarget(docker, step.service, target)) out.updated.push(step.service);
      // Not cancellable: its slots are down until it is back, so see it back first.
      await waitNodeBack(s, step.service, target, step.nodeId, { cancellable: false });
      await releasePin(docker, step.service);
      return;
    }
  }
}

/** Makes the original masters masters again (each is a replica of the node it failed over to). */
async function failBack(s: RollSession, record: RollRecord, look: ClusterLook, failovers: string[]): Promise<void> {
  for (const service of record.originalMasters) {
    if (s.token.isCancellationRequested) throw new CancelledError(`Stopped while failing back: ${resumeHint}.`);
    const node = look.topology.nodes.find((n) => n.swarm?.service === service && !n.flags.fail);
    if (!node || node.role !== 'replica') continue;
    s.progress.report({ message: `failing back: ${service} becomes master again` });
    await failover(s.pool, nodeEndpoint(node), { token: s.token, progress: s.progress });
    failovers.push(`fail back -> ${service}`);
  }
}
