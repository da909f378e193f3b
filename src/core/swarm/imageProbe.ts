/**
 * Whether an image is on every swarm node that may run a task, asked through the manager only:
 * a global service of that image (`sleep`, no registry look-up, a tmpfs over /data so it leaves
 * no anonymous volume, never restarted) puts one task on each eligible node. A node whose engine
 * answers "No such image" lacks it (with a registry, the node would have pulled it and run it).
 * Any other outcome (it runs, or the image's command failed) means the image is there. The tasks
 * are left running until the service is removed: swarm removes the containers of running tasks
 * with their service, but keeps those of tasks that completed (a one-shot job would litter every
 * node with exited containers).
 */
import type Docker from 'dockerode';
import { randomBytes } from 'node:crypto';
import { isTimeoutError } from '../errors';
import { type CancellationToken, pollUntil } from '../lifecycle';
import { LABEL_MANAGED } from './labels';

/** How long the probe may take to hear from every node (ms): a bound, not a wait. */
export const IMAGE_PROBE_TIMEOUT_MS = 60_000;
export const LABEL_IMAGE_PROBE = 'org.redis-swarm.image-probe';

export interface NodeImageVerdict {
  readonly nodeId: string;
  readonly hostname: string;
  /** 'missing': the node has no such image; 'unknown': it did not answer in time. */
  readonly verdict: 'present' | 'missing' | 'unknown';
  readonly detail?: string;
}

interface NodeView {
  ID?: string;
  Description?: { Hostname?: string };
  Status?: { State?: string };
  Spec?: { Availability?: string };
}

interface TaskView {
  NodeID?: string;
  Status?: { State?: string; Err?: string };
}

const SETTLED = new Set(['running', 'complete', 'failed', 'rejected', 'shutdown', 'orphaned']);

/** Pure: a node's verdict from its probe tasks (undefined while none has started or ended). */
export function verdictOf(tasks: readonly TaskView[]): { verdict: 'present' | 'missing'; detail?: string } | undefined {
  const ended = tasks.filter((t) => SETTLED.has(t.Status?.State ?? ''));
  if (ended.some((t) => t.Status?.State === 'running' || t.Status?.State === 'complete')) return { verdict: 'present' };
  const err = ended.find((t) => t.Status?.Err)?.Status?.Err;
  if (err === undefined) return undefined;
  if (/no such image|pull access denied|manifest unknown|not found: manifest/i.test(err)) return { verdict: 'missing', detail: err };
  // The image is there; its command failed (no `sleep` in it, say): good enough.
  return { verdict: 'present', detail: err };
}

/**
 * The image's presence on every Ready, active node matching the constraints. A swarm of one
 * node is not probed (the caller checks its own engine).
 */
export async function probeImageOnNodes(
  docker: Docker,
  image: string,
  options: { constraints?: readonly string[]; token?: CancellationToken } = {},
): Promise<NodeImageVerdict[]> {
  const nodes = ((await docker.listNodes()) as NodeView[]).filter((n) => n.Status?.State === 'ready' && (n.Spec?.Availability ?? 'active') === 'active');
  if (nodes.length <= 1) return [];
  const name = `redis-swarm-image-probe-${randomBytes(4).toString('hex')}`;
  await docker.createService({
    Name: name,
    Labels: { [LABEL_MANAGED]: 'true', [LABEL_IMAGE_PROBE]: image },
    TaskTemplate: {
      ContainerSpec: { Image: image, Command: ['sleep', '600'], Mounts: [{ Type: 'tmpfs', Target: '/data' }], StopGracePeriod: 1_000_000_000 },
      ...(options.constraints && options.constraints.length > 0 ? { Placement: { Constraints: [...options.constraints] } } : {}),
      RestartPolicy: { Condition: 'none' },
    },
    Mode: { Global: {} },
  } as unknown as Docker.CreateServiceOptions);
  const verdicts = new Map<string, { verdict: 'present' | 'missing'; detail?: string }>();
  let placed = new Set<string>();
  try {
    await pollUntil(
      async () => {
        const tasks = (await docker.listTasks({ filters: { service: [name] } })) as TaskView[];
        placed = new Set(tasks.flatMap((t) => (t.NodeID ? [t.NodeID] : [])));
        for (const id of placed) {
          if (verdicts.has(id)) continue;
          const v = verdictOf(tasks.filter((t) => t.NodeID === id));
          if (v) verdicts.set(id, v);
        }
        // Constraints may leave nodes out: wait only for the nodes swarm gave a task.
        const waiting = [...placed].filter((id) => !verdicts.has(id));
        return placed.size === 0 || waiting.length > 0 ? `${waiting.length || 'every'} node(s) have not answered` : undefined;
      },
      {
        deadline: Date.now() + IMAGE_PROBE_TIMEOUT_MS,
        intervalMs: 250,
        ...(options.token ? { token: options.token } : {}),
        timeout: () => 'unused',
        cancelled: 'Cancelled while checking the image on every node.',
      },
    ).catch((err: unknown) => {
      // Past the bound, the silent nodes are reported as unknown rather than failing the caller.
      if (!isTimeoutError(err)) throw err;
    });
  } finally {
    await docker.getService(name).remove().catch(() => undefined);
  }
  return nodes
    .filter((n) => n.ID && (placed.has(n.ID) || placed.size === 0))
    .map((n): NodeImageVerdict => {
      const v = verdicts.get(n.ID as string);
      return {
        nodeId: n.ID as string,
        hostname: n.Description?.Hostname ?? (n.ID as string),
        verdict: v?.verdict ?? 'unknown',
        ...(v?.detail ? { detail: v.detail } : {}),
      };
    });
}

/** One sentence naming the nodes that lack the image, or undefined when none does. */
export function missingImageProblem(image: string, verdicts: readonly NodeImageVerdict[]): string | undefined {
  const missing = verdicts.filter((v) => v.verdict === 'missing').map((v) => v.hostname).sort();
  if (missing.length === 0) return undefined;
  return (
    `image "${image}" is not on swarm node(s) ${missing.join(', ')} (and they could not pull it): ` +
    `load it there ("docker save ${image} | ssh NODE docker load", or "docker pull" on each) or keep the tasks off them with --constraint`
  );
}
