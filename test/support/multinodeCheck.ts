/**
 * The multi-node tests' oracle for layout: `check --json` (what the cluster says about its nodes,
 * joined with the swarm's tasks), read through the real CLI, never from our own planner.
 */
import { cli } from './multinode';

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

export async function checkJson(prefix: string): Promise<CheckJson> {
  // check exits 1 when it finds an error (a master without replica, say): the JSON is there anyway.
  const run = await cli(['check', '--cluster', prefix, '--json']);
  return JSON.parse(run.stdout) as CheckJson;
}

export const live = (c: CheckJson): NodeJson[] => c.nodes.filter((n) => !n.flags.fail && !n.flags.handshake && !n.flags.noaddr);
export const label = (n: NodeJson): string => `${n.swarm?.service ?? n.id.slice(0, 8)}@${n.swarm?.swarmHost ?? n.swarm?.swarmNode ?? '?'}`;

/** What keeps the layout from surviving the loss of any one host; empty when it does. */
export function hostExposure(c: CheckJson): string[] {
  const nodes = live(c);
  const out: string[] = [];
  for (const m of nodes.filter((n) => n.role === 'master' && n.slots.length > 0)) {
    const replicas = nodes.filter((r) => r.role === 'replica' && r.masterId === m.id);
    if (replicas.length === 0) out.push(`${label(m)} has no replica`);
    else if (replicas.every((r) => r.swarm?.swarmNode === m.swarm?.swarmNode)) out.push(`${label(m)} has its replicas (${replicas.map(label).join(', ')}) on its own host`);
  }
  for (const n of nodes) if (!n.swarm?.swarmNode) out.push(`${n.id.slice(0, 8)} has no known swarm node`);
  return out;
}
