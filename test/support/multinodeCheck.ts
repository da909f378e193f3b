/**
 * The cluster as `check --json` (run through the manager) describes it, for the multinode tests:
 * what the nodes say about each other joined with the swarm's tasks, never our own planner.
 */
import { strict as assert } from 'node:assert';
import { setTimeout as sleep } from 'node:timers/promises';
import { cli, cliOk } from './multinode';

export interface NodeJson {
  id: string;
  role: 'master' | 'replica';
  masterId?: string;
  slots: { start: number; end: number }[];
  endpoint: { host: string; port: number };
  flags: { fail?: boolean; pfail?: boolean; handshake?: boolean; noaddr?: boolean };
  swarm?: { service: string; swarmNode?: string; swarmHost?: string };
}
export interface CheckJson {
  ok: boolean;
  findings: { code: string; severity: string; message: string; nodeIds?: string[] }[];
  nodes: NodeJson[];
}

/** How long a layout change may take to show in every node's view (a bound, not a measure). */
export const SETTLE_BOUND_MS = 150_000;
const POLL_MS = 2000;

export async function checkJson(prefix: string): Promise<CheckJson> {
  // check exits 1 when it finds an error (a master without replica, say): the JSON is there anyway.
  const run = await cli(['check', '--cluster', prefix, '--json']);
  return JSON.parse(run.stdout) as CheckJson;
}

/** Looks until `done` says nothing is missing; fails with the last reason after the bound. */
export async function checkUntil(prefix: string, what: string, done: (c: CheckJson) => string | undefined, boundMs = SETTLE_BOUND_MS): Promise<CheckJson> {
  const deadline = Date.now() + boundMs;
  let last = 'not looked yet';
  for (;;) {
    const c = await checkJson(prefix).catch((err: unknown) => {
      last = String(err);
      return undefined;
    });
    const why = c ? done(c) : last;
    if (c && why === undefined) return c;
    last = why ?? last;
    assert.ok(Date.now() < deadline, `${what}: still ${last}`);
    await sleep(POLL_MS);
  }
}

export const liveNodes = (c: CheckJson): NodeJson[] => c.nodes.filter((n) => !n.flags.fail && !n.flags.handshake && !n.flags.noaddr);
export const nodeLabel = (n: NodeJson): string => `${n.swarm?.service ?? n.id.slice(0, 8)}@${n.swarm?.swarmHost ?? n.swarm?.swarmNode ?? '?'}`;

/**
 * What keeps the layout from surviving the loss of any one live host; empty when it does. A
 * replica counts only when it runs on a host other than its master's and not on `deadHosts`.
 */
export function hostExposure(c: CheckJson, deadHosts: readonly string[] = []): string[] {
  const nodes = liveNodes(c).filter((n) => !deadHosts.includes(n.swarm?.swarmHost ?? ''));
  const out: string[] = [];
  for (const m of nodes.filter((n) => n.role === 'master' && n.slots.length > 0)) {
    const replicas = nodes.filter((r) => r.role === 'replica' && r.masterId === m.id);
    if (replicas.length === 0) out.push(`${nodeLabel(m)} has no replica`);
    else if (replicas.every((r) => r.swarm?.swarmNode === m.swarm?.swarmNode)) out.push(`${nodeLabel(m)} has its replicas (${replicas.map(nodeLabel).join(', ')}) on its own host`);
  }
  for (const n of nodes) if (!n.swarm?.swarmNode) out.push(`${n.id.slice(0, 8)} has no known swarm node`);
  return out;
}

/** Slots owned by masters no node flags as failed. */
export const coveredSlots = (c: CheckJson): number =>
  liveNodes(c).filter((n) => n.role === 'master').reduce((k, m) => k + m.slots.reduce((s, r) => s + r.end - r.start + 1, 0), 0);

/** A host that runs half the masters or more (losing it leaves too few masters to elect replicas); undefined when none does. */
export function masterMajorityHost(c: CheckJson): string | undefined {
  const masters = liveNodes(c).filter((n) => n.role === 'master' && n.slots.length > 0);
  const by = new Map<string, number>();
  for (const m of masters) by.set(m.swarm?.swarmHost ?? '?', (by.get(m.swarm?.swarmHost ?? '?') ?? 0) + 1);
  const [host, k] = [...by].sort((a, b) => b[1] - a[1])[0] ?? ['', 0];
  return k * 2 >= masters.length && masters.length > 1 ? `${host} runs ${k} of ${masters.length} masters` : undefined;
}

/** Deploys a 6-node cluster (1 replica each, node timeout 2 s) on the bed and forms it, spread so it survives any one host. */
export async function formSpreadCluster(prefix: string): Promise<void> {
  await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1',
    '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', '2000']);
  await cliOk(['create', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
  await checkUntil(prefix, 'a formed cluster that survives any one host', (c) => {
    const exposed = hostExposure(c);
    return coveredSlots(c) !== 16384 ? `${coveredSlots(c)} slots covered` : exposed.length > 0 ? exposed.join('; ') : undefined;
  });
}
