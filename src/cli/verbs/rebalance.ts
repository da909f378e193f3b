import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { formatMoveReport, formatRebalancePlan, moveComplete } from '../../core/ops/formatOps';
import { DEFAULT_REBALANCE_THRESHOLD } from '../../core/ops/planRebalance';
import { applyRebalance, planRebalanceOn } from '../../core/ops/rebalance';
import { flagBoolean, flagList, flagNumber, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags, readTargetTopology } from './clusterTargets';
import { moveFlags, moveSettings } from './opsFlags';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

/** A master's weight relative to the others (redis-cli's --cluster-weight); 0 empties it. */
const MAX_WEIGHT = 1000;

export const rebalanceVerb: Verb = {
  name: 'rebalance',
  summary: 'Even out slots across masters by weight (like redis-cli --cluster rebalance, faster).',
  usage: 'rebalance <host:port> | --cluster NAME [--weight ID=W ...] [--threshold P] [--use-empty-masters] [--yes] [--pipeline K]',
  flags: {
    weight: { kind: 'list', valueName: 'id=w', description: 'Weight of a master (repeatable; others weigh 1; 0 empties it).' },
    threshold: { kind: 'number', valueName: 'percent', description: `Do nothing unless a master is off by more than this (default ${DEFAULT_REBALANCE_THRESHOLD}).`, range: { min: 0, max: 100, fraction: true } },
    'use-empty-masters': { kind: 'boolean', description: 'Give slots to masters that have none.' },
    ...moveFlags,
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const weights = new Map<string, number>();
    for (const w of flagList(args, 'weight')) {
      const at = w.indexOf('=');
      const value = Number(w.slice(at + 1));
      if (at <= 0 || w.slice(at + 1).trim() === '' || !Number.isFinite(value)) throw new BadInputError(`--weight "${w}" is not ID=weight.`);
      if (value < 0 || value > MAX_WEIGHT) throw new BadInputError(`--weight "${w}": a weight is from 0 (empty the master) to ${MAX_WEIGHT}.`);
      weights.set(w.slice(0, at), value);
    }
    const threshold = flagNumber(args, 'threshold') ?? DEFAULT_REBALANCE_THRESHOLD;
    const json = flagBoolean(args, 'json');
    const settings = moveSettings(args);
    const t = await opsTargetsFromArgs(args, io.env);
    if (t.rest.length > 0) throw new BadInputError(`Unexpected argument "${t.rest[0]}".`);
    return withTargets(t, 'rebalance', async () => {
      const topology = await readTargetTopology(t);
      const plan = planRebalanceOn(topology, { weights, threshold, useEmptyMasters: flagBoolean(args, 'use-empty-masters') });
      const out = json ? io.stderr : io.stdout;
      out.write(formatRebalancePlan(topology, plan, threshold));
      if (!plan.needed || plan.moves.length === 0) {
        if (json) io.stdout.write(JSON.stringify({ plan: { ...plan, balances: Object.fromEntries(plan.balances) } }, null, 2) + '\n');
        return 0;
      }
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Do you want to proceed with the rebalance plan?'))) return 1;
      const progress = opsProgress(out);
      const report = await applyRebalance({ pool: t.pool, settings, onProgress: progress.moves, token: tokenFromSignal(io.signal) }, topology, plan);
      progress.end();
      if (json) io.stdout.write(JSON.stringify({ plan: { ...plan, balances: Object.fromEntries(plan.balances) }, report }, null, 2) + '\n');
      else io.stdout.write(formatMoveReport(topology, report));
      return moveComplete(report) ? 0 : 1;
    });
  },
};
