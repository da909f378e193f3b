import { checkCluster } from '../../core/cluster/check';
import { formatCheck } from '../../core/cluster/formatCheck';
import { flagBoolean, parseArgs } from '../args';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology, seedTargetsFromArgs } from './clusterTargets';

export const checkVerb: Verb = {
  name: 'check',
  summary: 'Check a cluster: slot agreement, open slots, coverage, replicas, links and failed nodes.',
  usage: 'check <host:port> | --cluster NAME [--json] [--reachable CIDR]',
  flags: {
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const targets = await seedTargetsFromArgs(args, io.env);
    try {
      const topology = await readTargetTopology(targets);
      // With --cluster, heal's diagnosis inside check knows the services (tasks down, new IPs).
      // Nodes not in the cluster's recorded mode are among them (diagnose's coverage-setting).
      const report = checkCluster(topology, targets.access ? { cluster: targets.access.cluster } : {});
      if (flagBoolean(args, 'json')) {
        io.stdout.write(JSON.stringify({ ok: report.ok, using: report.using, findings: report.findings, nodes: topology.nodes, unreachable: topology.unreachable }, null, 2) + '\n');
      } else {
        io.stdout.write(formatCheck(topology, report));
      }
      // Like redis-cli --cluster check: a non-zero exit when the check found errors.
      return report.ok ? 0 : 1;
    } finally {
      await targets.dispose();
    }
  },
};
