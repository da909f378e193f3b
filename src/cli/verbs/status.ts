import { formatStatus } from '../../core/cluster/formatStatus';
import { readTopology } from '../../core/cluster/readTopology';
import { flagBoolean, parseArgs } from '../args';
import { Verb } from '../verb';
import { clusterTargetFlags, seedTargetsFromArgs } from './clusterTargets';

export const statusVerb: Verb = {
  name: 'status',
  summary: 'Show a cluster: masters with their keys, slots and replicas, and every node.',
  usage: 'status <host:port> [--json] [--reachable CIDR]',
  flags: {
    json: { kind: 'boolean', description: 'Print machine-readable JSON.' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const { router, seeds } = await seedTargetsFromArgs(args);
    try {
      const topology = await readTopology(router, seeds);
      if (flagBoolean(args, 'json')) io.stdout.write(JSON.stringify(topology, null, 2) + '\n');
      else io.stdout.write(formatStatus(topology));
      return topology.views.length > 0 ? 0 : 1;
    } finally {
      await router.dispose();
    }
  },
};
