/**
 * `reshard`: plan (planReshard, redis-cli's table), then move with the slot mover. The plan is
 * returned first so the CLI can print it and ask, and the extension can show it.
 */
import { ClusterTopology } from '../cluster/topology';
import { MoveContext, MoveReport, moveSlots } from './mover';
import { requireReadyForMoves } from './opsTopology';
import { planNodesFrom, planReshard, ReshardPlan, ReshardRequest } from './planReshard';

export function planReshardOn(topology: ClusterTopology, req: ReshardRequest): ReshardPlan {
  requireReadyForMoves(topology);
  return planReshard(planNodesFrom(topology), req);
}

export async function applyReshard(ctx: Omit<MoveContext, 'nodes'>, topology: ClusterTopology, plan: ReshardPlan): Promise<MoveReport> {
  return moveSlots({ ...ctx, nodes: topology.nodes }, plan.moves);
}
