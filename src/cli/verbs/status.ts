import { formatStatus } from '../../core/cluster/formatStatus';
import { flagBoolean, parseArgs } from '../args';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology, seedTargetsFromArgs } from './clusterTargets';

export const statusVerb: Verb = {
  name: 'status',
  summary: 'Show a cluster: masters with their keys, slots and replicas, and every node.',
  usage: 'status <host:port> | --cluster NAME [--json] [--reachable CIDR]',
  flags: {
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const targets = await seedTargetsFromArgs(args, io.env);
    try {
      const topology = await readTargetTopology(targets);
      if (flagBoolean(args, 'json')) io.stdout.write(JSON.stringify(topology, null, 2) + '\n');
      else io.stdout.write(formatStatus(topology));
      return topology.views.length > 0 ? 0 : 1;
    } finally {
      await targets.dispose();
    }
  },
};
