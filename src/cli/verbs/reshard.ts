import { type SlotRange } from '../../core/cluster/topology';
import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { formatMoveReport, formatReshardPlan, moveComplete } from '../../core/ops/formatOps';
import { applyReshard, planReshardOn } from '../../core/ops/reshard';
import { flagBoolean, flagList, flagNumber, flagString, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology } from './clusterTargets';
import { moveFlags, moveSettings } from './opsFlags';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

function parseRanges(list: readonly string[]): SlotRange[] {
  return list.flatMap((text) =>
    text.split(',').map((part) => {
      const m = /^(\d+)(?:-(\d+))?$/.exec(part.trim());
      if (!m) throw new BadInputError(`"${part}" is not a slot or slot range like 100-199.`);
      return { start: Number(m[1]), end: Number(m[2] ?? m[1]) };
    }),
  );
}

export const reshardVerb: Verb = {
  name: 'reshard',
  summary: 'Move slots (a number of them, or given ranges) from masters to a master, keys included (like redis-cli --cluster reshard, faster).',
  usage: 'reshard <host:port> | --cluster NAME --to ID (--slots N [--from ID[,ID]|all] | --range A-B[,C-D]) [--yes] [--pipeline K] [--slots-in-flight W] [--replace]',
  flags: {
    from: { kind: 'string', valueName: 'ids', description: 'Source master IDs, comma separated, or "all" (default all).' },
    to: { kind: 'string', valueName: 'id', description: 'The master that receives the slots.' },
    slots: { kind: 'number', valueName: 'n', description: 'How many slots to move.', range: { min: 1, max: 16384 } },
    range: { kind: 'list', valueName: 'a-b', description: 'Move exactly these slots (repeatable, comma separated) from whoever owns them.' },
    ...moveFlags,
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const to = flagString(args, 'to');
    if (to === undefined) throw new BadInputError('Name the receiving master with --to ID.');
    const ranges = flagList(args, 'range');
    const slots = flagNumber(args, 'slots');
    if ((ranges.length > 0) === (slots !== undefined)) throw new BadInputError('Give either --slots N or --range A-B.');
    const fromText = flagString(args, 'from') ?? 'all';
    const from = fromText === 'all' ? 'all' : fromText.split(',').map((s) => s.trim()).filter(Boolean);
    const json = flagBoolean(args, 'json');
    const settings = moveSettings(args);
    const t = await opsTargetsFromArgs(args, io.env);
    if (t.rest.length > 0) throw new BadInputError(`Unexpected argument "${t.rest[0]}".`);
    return withTargets(t, 'reshard', async () => {
      const topology = await readTargetTopology(t);
      const plan = planReshardOn(topology, ranges.length > 0 ? { to, ranges: parseRanges(ranges) } : { to, from, ...(slots !== undefined ? { slots } : {}) });
      const out = json ? io.stderr : io.stdout;
      out.write(formatReshardPlan(topology, plan));
      if (plan.moves.length === 0) {
        out.write('Nothing to move.\n');
        return 0;
      }
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Do you want to proceed with the proposed reshard plan?'))) return 1;
      const progress = opsProgress(out);
      const report = await applyReshard({ pool: t.pool, settings, onProgress: progress.moves, token: tokenFromSignal(io.signal) }, topology, plan);
      progress.end();
      if (json) io.stdout.write(JSON.stringify({ plan, report }, null, 2) + '\n');
      else io.stdout.write(formatMoveReport(topology, report));
      return moveComplete(report) ? 0 : 1;
    });
  },
};
