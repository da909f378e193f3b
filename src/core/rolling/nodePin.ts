/**
 * On a multi-node swarm a node service's data (nodes.conf, RDB/AOF) lives in a local volume on
 * the swarm node that runs its task. A service update makes a new task, and the scheduler may
 * put it on any node, where the volume is empty: the node would come back as a stranger with no
 * data. So a roll pins the service to its task's current node in the same update that changes
 * it (one new task, there), and takes the pin off once the node is back; swarm does not replace
 * a task when only the placement changes and its node still matches. The pin is marked with a
 * label, so a pin left by an interrupted roll is recognised and removed by the next one.
 */
import { type TaskTemplateLike } from './nodeTarget';

export const LABEL_ROLL_PIN = 'org.redis-swarm.roll-pin';

interface Placement {
  Constraints?: string[];
  [key: string]: unknown;
}

function constraintsOf(t: TaskTemplateLike): string[] {
  return [...(((t['Placement'] as Placement | undefined)?.Constraints) ?? [])];
}

/** The constraint that keeps a task on one swarm node. */
export function pinConstraint(nodeId: string): string {
  return `node.id==${nodeId}`;
}

/** A constraint that already holds the service to one node (the user's own): no pin is needed. */
export function heldToOneNode(t: TaskTemplateLike): boolean {
  return constraintsOf(t).some((c) => /^\s*node\.(id|hostname)\s*==/.test(c));
}

/** The template with the pin added (a copy). */
export function withPin(t: TaskTemplateLike, constraint: string): TaskTemplateLike {
  const placement = (t['Placement'] as Placement | undefined) ?? {};
  return { ...t, Placement: { ...placement, Constraints: [...constraintsOf(t), constraint] } };
}

/** The template without the pin (a copy); the other constraints stay as they were. */
export function withoutPin(t: TaskTemplateLike, constraint: string): TaskTemplateLike {
  const placement = (t['Placement'] as Placement | undefined) ?? {};
  const rest = constraintsOf(t).filter((c) => c !== constraint);
  const { Constraints: _dropped, ...others } = placement;
  return { ...t, Placement: rest.length > 0 ? { ...others, Constraints: rest } : others };
}
