/**
 * `rebalance`: redis-cli's plan (planRebalance) carried out by the slot mover, all pairs at
 * once: each pair's slots are independent, so they share the windows of slots in flight.
 */
import { type ClusterTopology } from '../cluster/topology';
import { type MoveContext, type MoveReport, moveSlots } from './mover';
import { requireReadyForMoves } from './opsTopology';
import { planNodesFrom } from './planReshard';
import { planRebalance, type RebalancePlan, type RebalanceRequest } from './planRebalance';

export function planRebalanceOn(topology: ClusterTopology, req: RebalanceRequest): RebalancePlan {
  requireReadyForMoves(topology);
  return planRebalance(planNodesFrom(topology), req);
}

export async function applyRebalance(ctx: Omit<MoveContext, 'nodes'>, topology: ClusterTopology, plan: RebalancePlan): Promise<MoveReport> {
  return moveSlots({ ...ctx, nodes: topology.nodes }, plan.moves);
}
