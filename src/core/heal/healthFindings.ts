/**
 * Heal's problems as check findings, in heal's own words (describeProblem): `check`, the model
 * (and so the tree, the status bar and the warnings) and heal's plan say the same thing.
 */
import type { Finding, Severity } from '../cluster/check';
import { describeProblem } from './formatHeal';
import { type Diagnosis, type Problem } from './diagnose';

/**
 * Which problems check reports, and how severe they are. Left out, because check states them
 * in redis-cli's own terms already: open slots and a lock (in-progress), no slot assigned
 * (not-formed), a node that does not answer (not-answering), disagreeing maps or
 * cluster_state:fail (settling).
 */
const SEVERITY: Partial<Record<Problem['kind'], Severity>> = {
  'task-down': 'warning',
  // A node announcing an address it no longer has sends clients (and peers) to nowhere.
  'ip-changed': 'error',
  stranger: 'error',
  ghost: 'error',
  'failover-pending': 'error',
  'failover-stuck': 'error',
  'lost-slots': 'error',
  'no-replica': 'warning',
  'coverage-setting': 'warning',
};

function nodeIdsOf(p: Problem): readonly string[] {
  switch (p.kind) {
    case 'ip-changed':
    case 'stranger':
      return [p.node];
    case 'ghost':
    case 'failover-pending':
    case 'failover-stuck':
      return [p.id];
    case 'lost-slots':
      return p.ownerId !== undefined ? [p.ownerId] : [];
    case 'no-replica':
      return [p.master];
    case 'coverage-setting':
      return p.nodes;
    default:
      return [];
  }
}

export function problemFindings(d: Diagnosis): Finding[] {
  const out: Finding[] = [];
  for (const p of d.problems) {
    const severity = SEVERITY[p.kind];
    if (severity === undefined) continue;
    const nodeIds = nodeIdsOf(p);
    out.push({
      severity,
      code: p.kind,
      section: p.kind === 'lost-slots' ? 'coverage' : 'health',
      message: describeProblem(d, p),
      ...(nodeIds.length > 0 ? { nodeIds } : {}),
      ...(p.kind === 'lost-slots' ? { slots: p.ranges } : {}),
    });
  }
  return out;
}
