/**
 * A create plan as text, laid out as redis-cli prints its own (`--cluster create`), so people
 * who know that output can read ours at a glance.
 */
import { formatEndpoint } from '../routes/endpoint';
import { type CreatePlan, type PlannedNode } from './planCreate';
import { countSlots } from './topology';

/** `ids` maps input index to node ID when the nodes were inspected first (redis-cli shows them). */
export function formatPlan(plan: CreatePlan, ids?: ReadonlyMap<number, string>): string {
  const lines: string[] = [];
  const ep = (i: number): string => formatEndpoint((plan.nodes[i] as PlannedNode).input.endpoint);
  lines.push(`>>> Performing hash slots allocation on ${plan.nodes.length} nodes...`);
  plan.masters.forEach((m, k) => {
    const s = (plan.nodes[m] as PlannedNode).slots;
    if (s) lines.push(`Master[${k}] -> Slots ${s.start} - ${s.end}`);
  });
  let extraShown = false;
  for (const a of plan.initialAssignments) {
    if (a.extra && !extraShown) {
      lines.push('Adding extra replicas...');
      extraShown = true;
    }
    lines.push(`Adding replica ${ep(a.replica)} to ${ep(a.master)}`);
  }
  if (plan.antiAffinity.initialScore > 0) {
    lines.push('>>> Trying to optimize replicas allocation for anti-affinity');
    if (plan.antiAffinity.regrouped) lines.push('>>> Choosing masters again by host: the hosts are uneven, and other masters keep more replicas apart');
    if (plan.antiAffinity.finalScore === 0) lines.push('[OK] Perfect anti-affinity obtained!');
  }
  for (const w of plan.warnings) lines.push(`[WARNING] ${w}`);
  for (const n of plan.nodes) {
    const id = ids?.get(n.index);
    const head = `${id ? `${id} ` : ''}${ep(n.index)}`;
    if (n.role === 'master' && n.slots) {
      const replicas = plan.nodes.filter((r) => r.replicaOf === n.index).length;
      lines.push(`M: ${head}`);
      lines.push(`   slots:[${n.slots.start}-${n.slots.end}] (${countSlots([n.slots])} slots) master`);
      if (replicas > 0) lines.push(`   ${replicas} additional replica(s)`);
    } else {
      lines.push(`S: ${head}`);
      if (n.replicaOf !== undefined) lines.push(`   replicates ${ids?.get(n.replicaOf) ?? ep(n.replicaOf)}`);
    }
  }
  return lines.join('\n') + '\n';
}

/** The plan as plain data for `--json`. */
export function planToJson(plan: CreatePlan, ids?: ReadonlyMap<number, string>): unknown {
  return {
    replicasPerMaster: plan.replicasPerMaster,
    masters: plan.masters.map((m, k) => {
      const n = plan.nodes[m] as PlannedNode;
      return {
        master: k,
        endpoint: formatEndpoint(n.input.endpoint),
        placementKey: n.input.placementKey,
        ...(ids?.get(m) ? { id: ids.get(m) } : {}),
        slots: n.slots,
      };
    }),
    replicas: plan.nodes
      .filter((n) => n.role === 'replica')
      .map((n) => ({
        endpoint: formatEndpoint(n.input.endpoint),
        placementKey: n.input.placementKey,
        ...(ids?.get(n.index) ? { id: ids.get(n.index) } : {}),
        ...(n.replicaOf !== undefined
          ? { master: formatEndpoint((plan.nodes[n.replicaOf] as PlannedNode).input.endpoint) }
          : {}),
      })),
    antiAffinity: plan.antiAffinity,
    warnings: plan.warnings,
  };
}
