/**
 * Heal plans and results as text (CLI, VS Code, the log) and JSON. One line per action, in
 * redis-cli's `>>>` / `[OK]` / `[WARN]` style.
 */
import { formatFinding } from '../cluster/formatCheck';
import { formatRanges } from '../cluster/topology';
import type { HealResult } from './healCluster';
import { type Diagnosis, liveLabel, type Problem } from './diagnose';
import { type HealAction, type HealPlan } from './planHeal';

export function describeAction(a: HealAction): string {
  switch (a.kind) {
    case 'meet':
      return `${a.node.service}: CLUSTER MEET ${a.targets.map((t) => `${t.ip} ${t.port} ${t.busPort} (${t.service})`).join(', ')} — ${a.why}`;
    case 'forget':
      return `every node (${a.on.length}): CLUSTER FORGET ${a.id.slice(0, 8)} — ${a.why}`;
    case 'replicate':
      return `${a.node.service}: CLUSTER REPLICATE ${a.masterId.slice(0, 8)} (${a.master}) — ${a.why}`;
    case 'add-slots':
      return `${a.node.service}: CLUSTER ADDSLOTSRANGE ${formatRanges(a.ranges).replace(/,/g, ' ').replace(/-/g, ' ')} — ${a.why}`;
    case 'bump-epoch':
      return `${a.node.service}: CLUSTER BUMPEPOCH — ${a.why}`;
    case 'takeover':
      return `${a.node.service}: CLUSTER FAILOVER TAKEOVER (replaces ${a.masterId.slice(0, 8)}) — ${a.why}`;
    case 'config-set':
      return `${a.nodes.map((n) => n.service).join(', ')}: CONFIG SET ${a.name} ${a.value} — ${a.why}`;
  }
}

export function describeProblem(d: Diagnosis, p: Problem): string {
  const label = (id: string): string => liveLabel(d, id);
  switch (p.kind) {
    case 'in-progress': return `an operation is in progress: ${p.detail}`;
    case 'not-formed': return 'the cluster is not formed (no slot assigned)';
    case 'task-down': return `${p.service} is not running (${p.detail})`;
    case 'not-answering': return `${p.service} does not answer (${p.detail})`;
    case 'ip-changed': return `${label(p.node)} runs at ${p.ip}, unknown to ${p.staleIn.map((id) => (id === p.node ? 'itself' : label(id))).join(', ')}`;
    case 'stranger': return `${label(p.node)} knows no other node (restarted without its data)${p.empty ? '' : ' and holds data'}`;
    case 'ghost': return `${p.address} (${p.id.slice(0, 8)}) is failed and still known by ${p.knownBy.length} node(s)${p.goneForGood ? '; its task was replaced or removed' : ''}`;
    case 'failover-pending': return `master ${p.address} (${p.id.slice(0, 8)}) is down; replica ${p.replicas.map(label).join(', ')} should take over`;
    case 'failover-stuck':
      return `master ${p.address} (${p.id.slice(0, 8)}) is down; ${p.down} of ${p.total} masters are down: no majority can elect its replica ${p.replicas.map(label).join(', ')}`;
    case 'lost-slots': return `slots ${formatRanges(p.ranges)} are uncovered (${p.address ? `owner ${p.address} is down${p.ownerGoneForGood ? ' for good' : ''}` : 'no owner'})`;
    case 'no-replica': return `master ${label(p.master)} has no replica`;
    case 'coverage-setting':
      return (
        `${p.nodes.map(label).join(', ')} still have cluster-require-full-coverage ${p.want ? 'no' : 'yes'}, but cluster ${d.cluster} is in ${d.mode} mode ` +
        (p.want ? '(the cluster would serve part of its slots while some are lost)' : '(one lost master would stop the whole cluster)')
      );
    case 'settling': return `converging: ${p.detail}`;
  }
}

export function formatHealPlan(d: Diagnosis, plan: HealPlan): string {
  const lines = [`>>> Heal plan for cluster ${plan.cluster} (${d.mode} mode)`];
  if (plan.nothingToDo) {
    // Heal's own view only: whether the cluster is ok is check's to say (formatHealOutcome).
    lines.push('[OK] Heal finds nothing to do.');
    return lines.join('\n') + '\n';
  }
  for (const p of plan.problems) lines.push(`[${p.kind === 'lost-slots' ? 'ERR' : 'WARN'}] ${describeProblem(d, p)}`);
  plan.actions.forEach((a, i) => lines.push(`  ${i + 1}. ${describeAction(a)}`));
  if (plan.actions.length === 0 && plan.waits.length === 0 && plan.unresolved.length === 0) lines.push('Nothing to do.');
  for (const w of plan.waits) lines.push(`... ${w}`);
  const takeovers = plan.actions.filter((a) => a.kind === 'takeover');
  if (takeovers.length > 0) lines.push(`[WARN] ${takeoverWarning(takeovers.map((a) => a.master))}`);
  if (plan.lostRanges.length > 0) lines.push(`[WARN] The data of slots ${formatRanges(plan.lostRanges)} is gone; they are given to the surviving masters, empty.`);
  for (const u of plan.unresolved) lines.push(`[WARN] ${u}`);
  return lines.join('\n') + '\n';
}

/** What a takeover costs, as redis-cli and the Redis docs say of CLUSTER FAILOVER TAKEOVER. */
export function takeoverWarning(masters: readonly string[]): string {
  return `Replicas take over from ${masters.join(', ')} without an election: writes those masters acknowledged but had not yet replicated are lost.`;
}

export function healPlanToJson(d: Diagnosis, plan: HealPlan): unknown {
  return {
    cluster: plan.cluster,
    mode: d.mode,
    nothingToDo: plan.nothingToDo,
    problems: plan.problems.map((p) => ({ ...p, message: describeProblem(d, p) })),
    actions: plan.actions.map((a) => ({ ...a, text: describeAction(a) })),
    waits: plan.waits,
    unresolved: plan.unresolved,
    lostRanges: plan.lostRanges,
  };
}

/** What a plan would still have done: its actions, then what it was waiting for. */
export function notDone(plan: HealPlan): string[] {
  return [...plan.actions.map(describeAction), ...plan.waits];
}

/** What a heal run leaves to say after its plans: what it gave up, what it did not do, and check's verdict. */
export function formatHealOutcome(r: HealResult): string {
  if (r.declined) return 'Nothing changed.\n';
  const lines: string[] = [];
  if (r.lostRanges.length > 0) lines.push(`[WARN] Slots ${formatRanges(r.lostRanges)} lost their data; they are served again, empty.`);
  for (const u of r.finalPlan.unresolved) lines.push(`[WARN] ${u}`);
  if (r.timedOut) {
    const left = notDone(r.finalPlan);
    lines.push(`[WARN] Heal stopped after ${Math.round(r.elapsedMs / 1000)} s without finishing${left.length > 0 ? `; not done: ${left.join('; ')}` : ''}.`);
  }
  for (const f of r.remaining) lines.push(formatFinding(f));
  if (r.ok) {
    lines.push(r.nothingToDo && r.applied === 0 ? '[OK] Nothing to do: check finds no error.' : `[OK] Cluster ok after ${r.applied} action(s) in ${r.elapsedMs} ms: check finds no error.`);
  } else {
    const errors = r.remaining.filter((f) => f.severity === 'error').length;
    lines.push(`[ERR] The cluster is not ok after ${r.applied} action(s): check finds ${errors} error(s)${errors > 0 ? ' (above)' : ''}.`);
  }
  return lines.join('\n') + '\n';
}

/** One sentence for a notification (VS Code) summing up a heal run, and how loud it should be. */
export function healSummary(cluster: string, r: HealResult): { readonly severity: 'info' | 'warning'; readonly text: string } {
  const errors = r.remaining.filter((f) => f.severity === 'error').map((f) => f.message);
  const still = errors.length > 0 ? ` Check still finds: ${errors.join('; ')}.` : '';
  if (r.timedOut) {
    const left = notDone(r.finalPlan);
    return {
      severity: 'warning',
      text: `Heal of ${cluster} stopped after ${Math.round(r.elapsedMs / 1000)} s without finishing (${r.applied} step(s) applied)${left.length > 0 ? `; not done: ${left.join('; ')}` : ''}.${still}`,
    };
  }
  if (!r.ok) return { severity: 'warning', text: `${cluster} is not ok after ${r.applied} step(s).${still}${r.finalPlan.unresolved.length > 0 ? ` ${r.finalPlan.unresolved.join(' ')}` : ''}` };
  if (r.nothingToDo && r.applied === 0) return { severity: 'info', text: `${cluster} is healthy: nothing to do.` };
  const warnings = r.remaining.length;
  return {
    severity: 'info',
    text: `${cluster} healed: ${r.applied} step(s); check finds no error${warnings > 0 ? `, ${warnings} warning(s)` : ''}.${r.finalPlan.unresolved.length > 0 ? ` ${r.finalPlan.unresolved.join(' ')}` : ''}`,
  };
}
