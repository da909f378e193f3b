import { BadInputError } from '../../core/errors';
import { upgradeCluster } from '../../core/rolling/rollOps';
import { flagBoolean, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { printRoll, resumeOrRollback, rollFlags, withRollTargets } from './rollSupport';

export const upgradeVerb: Verb = {
  name: 'upgrade',
  summary: 'Rolling upgrade to another Redis image: replicas one at a time, then each master after a failover to an in-sync replica.',
  usage: 'upgrade --cluster NAME --image IMAGE [--fail-back] [--accept-downtime] | --cluster NAME --resume | --rollback [--json]',
  flags: {
    image: { kind: 'string', valueName: 'image', description: 'The image to run (it must be on the engine; its Redis may not be an older major).' },
    ...rollFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const image = flagString(args, 'image');
    const again = flagBoolean(args, 'resume') || flagBoolean(args, 'rollback');
    if (image === undefined && !again) throw new BadInputError('Name the image with --image IMAGE (or --resume, --rollback).');
    if (image !== undefined && again) throw new BadInputError('--image starts an upgrade; --resume and --rollback take no image.');
    if (args.positionals.length > 0) throw new BadInputError(`Unexpected argument "${args.positionals[0]}".`);
    return withRollTargets(args, io, async (t) => {
      const r = (await resumeOrRollback(args, t)) ?? (await upgradeCluster(t.access, t.pool, image as string, t.options));
      return printRoll(io, t, r);
    });
  },
};
