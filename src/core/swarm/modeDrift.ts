/**
 * Check's side of the cluster mode: nodes whose live cluster-require-full-coverage differs from
 * the cluster's recorded mode (its services' labels). Heal repairs the same nodes (diagnose.ts
 * 'coverage-setting'); check reports them in the same words. Such a node is one whose task
 * does not read the mode when its task starts (deployed by an older redis-swarm, or by hand:
 * modeEnv.ts), or one left at `no` by heal --serve-partial once every slot is served again.
 */
import { CheckReport, Finding } from '../cluster/check';
import { ClusterTopology } from '../cluster/topology';
import { AdminPool, replyText } from '../redis/adminConnection';
import { SwarmCluster, runningNodes } from './discover';

export interface CoverageSetting {
  readonly service: string;
  /** undefined when the node could not be asked (CONFIG renamed away, not answering). */
  readonly fullCoverage?: boolean;
}

/** CONFIG GET cluster-require-full-coverage on every running node, through the pool. */
export async function readCoverageSettings(pool: AdminPool, cluster: SwarmCluster): Promise<CoverageSetting[]> {
  return Promise.all(
    runningNodes(cluster).map(async (n): Promise<CoverageSetting> => {
      try {
        const reply = await pool.command({ host: n.service, port: n.port }, ['CONFIG', 'GET', 'cluster-require-full-coverage']);
        const value = Array.isArray(reply) && reply.length >= 2 ? replyText(reply[1]) : undefined;
        return value === undefined ? { service: n.service } : { service: n.service, fullCoverage: value === 'yes' };
      } catch {
        // Unreachable nodes are check's own finding already.
        return { service: n.service };
      }
    }),
  );
}

/** Some slots have no master serving them: no owner, or an owner flagged failing. */
export function slotsUnserved(topology: ClusterTopology): boolean {
  let owned = 0;
  for (const n of topology.nodes) {
    if (n.role !== 'master') continue;
    if (n.slots.length > 0 && (n.flags.fail || n.flags.pfail)) return true;
    for (const r of n.slots) owned += r.end - r.start + 1;
  }
  return owned < 16384;
}

/**
 * Pure: the finding for nodes whose setting is not the recorded mode's. In persistent mode a
 * node may serve partially while slots are unserved (heal --serve-partial asked for it).
 */
export function modeDriftFindings(cluster: SwarmCluster, settings: readonly CoverageSetting[], unserved: boolean): Finding[] {
  const cache = cluster.mode === 'cache';
  if (!cache && unserved) return [];
  const off = settings.filter((s) => s.fullCoverage === cache).map((s) => s.service).sort();
  if (off.length === 0) return [];
  return [
    {
      severity: 'warning',
      code: 'mode-setting',
      section: 'health',
      message:
        `${off.join(', ')} still have cluster-require-full-coverage ${cache ? 'yes' : 'no'}, but cluster ${cluster.name} is in ${cluster.mode} mode ` +
        (cache
          ? '(one lost master would stop the whole cluster): `redis-swarm heal` sets it.'
          : '(the cluster would serve part of its slots while some are lost): `redis-swarm heal` sets it.'),
    },
  ];
}

/** The report with the mode findings added: check reads them with the topology when it has the swarm side. */
export async function withModeFindings(report: CheckReport, pool: AdminPool, cluster: SwarmCluster, topology: ClusterTopology): Promise<CheckReport> {
  const extra = modeDriftFindings(cluster, await readCoverageSettings(pool, cluster), slotsUnserved(topology));
  if (extra.length === 0) return report;
  const findings = [...report.findings, ...extra];
  return { ...report, findings, ok: !findings.some((f) => f.severity === 'error') };
}
