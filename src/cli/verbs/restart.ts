import { BadInputError } from '../../core/errors';
import { restartCluster } from '../../core/rolling/rollOps';
import { flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { printRoll, resumeOrRollback, rollFlags, withRollTargets } from './rollSupport';

export const restartVerb: Verb = {
  name: 'restart',
  summary: 'Rolling restart of every node (or one): replicas first, masters after a failover to an in-sync replica.',
  usage: 'restart --cluster NAME [--node SERVICE] [--fail-back] [--accept-downtime] | --cluster NAME --resume [--json]',
  flags: {
    node: { kind: 'string', valueName: 'service', description: 'Restart only this node (its service name, announced name or number).' },
    ...rollFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    if (args.positionals.length > 0) throw new BadInputError(`Unexpected argument "${args.positionals[0]}".`);
    return withRollTargets(args, io, async (t) => {
      const r = (await resumeOrRollback(args, t)) ?? (await restartCluster(t.access, t.pool, flagString(args, 'node'), t.options));
      return printRoll(io, t, r);
    });
  },
};
