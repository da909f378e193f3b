import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { applyFix, formatFixPlan, planFix } from '../../core/ops/fix';
import { flagBoolean, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology } from './clusterTargets';
import { moveFlags, moveSettings } from './opsFlags';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

export const fixVerb: Verb = {
  name: 'fix',
  summary: 'Close open (migrating/importing) slots and cover uncovered ones (like redis-cli --cluster fix), never reassigning a slot whose data may be elsewhere.',
  usage: 'fix <host:port> | --cluster NAME [--yes] [--json]',
  flags: { ...moveFlags, ...clusterTargetFlags },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const json = flagBoolean(args, 'json');
    const settings = moveSettings(args);
    const t = await opsTargetsFromArgs(args, io.env);
    if (t.rest.length > 0) throw new BadInputError(`Unexpected argument "${t.rest[0]}".`);
    return withTargets(t, 'fix', async () => {
      const topology = await readTargetTopology(t);
      const plan = await planFix(t.pool, topology);
      const out = json ? io.stderr : io.stdout;
      out.write(formatFixPlan(topology, plan));
      const doable = plan.actions.filter((a) => a.kind !== 'refuse');
      if (doable.length === 0) {
        if (json) io.stdout.write(JSON.stringify({ plan }, null, 2) + '\n');
        return plan.actions.length === 0 ? 0 : 1;
      }
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Fix these slots?'))) return 1;
      const progress = opsProgress(out);
      const result = await applyFix({ pool: t.pool, settings, progress, onProgress: progress.moves, token: tokenFromSignal(io.signal) }, topology, plan);
      progress.end();
      if (json) io.stdout.write(JSON.stringify({ plan, result }, null, 2) + '\n');
      else {
        for (const d of result.done) io.stdout.write(`[OK] ${d}\n`);
        for (const p of result.problems) io.stdout.write(`[ERR] ${p}\n`);
      }
      return result.problems.length === 0 ? 0 : 1;
    });
  },
};
