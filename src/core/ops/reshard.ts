/**
 * `reshard`: plan (planReshard, redis-cli's table), then move with the slot mover. The plan is
 * returned first so the CLI can print it and ask, and the extension can show it.
 */
import { type ClusterTopology } from '../cluster/topology';
import { type MoveContext, type MoveReport, moveSlots } from './mover';
import { requireReadyForMoves } from './opsTopology';
import { planNodesFrom, planReshard, type ReshardPlan, type ReshardRequest } from './planReshard';

export function planReshardOn(topology: ClusterTopology, req: ReshardRequest): ReshardPlan {
  requireReadyForMoves(topology);
  return planReshard(planNodesFrom(topology), req);
}

export async function applyReshard(ctx: Omit<MoveContext, 'nodes'>, topology: ClusterTopology, plan: ReshardPlan): Promise<MoveReport> {
  return moveSlots({ ...ctx, nodes: topology.nodes }, plan.moves);
}
