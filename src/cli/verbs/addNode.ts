import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { applyAddNode, formatAddNodePlan, formatAddNodeResult, planAddNode } from '../../core/ops/addNode';
import { formatMoveReport } from '../../core/ops/formatOps';
import { type ScaleContext } from '../../core/ops/scaleSupport';
import { flagBoolean, flagString, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags } from './clusterTargets';
import { moveFlags, moveSettings } from './opsFlags';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

export const addNodeVerb: Verb = {
  name: 'add-node',
  summary: 'Scale out: a new node service with the cluster\'s settings, joined as a replica (or a master, optionally rebalanced).',
  usage: 'add-node --cluster NAME [--replica-of ID] [--master [--rebalance]] [--yes] [--json]',
  flags: {
    'replica-of': { kind: 'string', valueName: 'id', description: 'The master the new replica serves (ID, prefix, service or host:port). Default: once the task runs, a master on another swarm node, the one with the fewest replicas.' },
    master: { kind: 'boolean', description: 'Add an empty master instead of a replica.' },
    rebalance: { kind: 'boolean', description: 'With --master: rebalance with empty masters afterwards, so it gets its share of slots.' },
    ...moveFlags,
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    if (flagString(args, 'cluster') === undefined) throw new BadInputError('add-node creates a swarm service: name the cluster with --cluster NAME.');
    // A new node is made like its siblings, which only a cluster deployed by redis-swarm describes.
    if (flagString(args, 'services') !== undefined) throw new BadInputError('add-node works on clusters deployed by redis-swarm, found by their labels: drop --services.');
    const replicaOf = flagString(args, 'replica-of');
    const asMaster = flagBoolean(args, 'master');
    const json = flagBoolean(args, 'json');
    const settings = moveSettings(args);
    const t = await opsTargetsFromArgs(args, io.env);
    return withTargets(t, 'add-node', async () => {
      if (t.rest.length > 0) throw new BadInputError(`Unexpected argument "${t.rest[0]}".`);
      if (!t.access) throw new BadInputError('add-node needs --cluster NAME.');
      const out = json ? io.stderr : io.stdout;
      const progress = opsProgress(out);
      const ctx: ScaleContext = { engine: t.access.engine, router: t.router, pool: t.pool, settings, progress, onProgress: progress.moves, token: tokenFromSignal(io.signal) };
      const prepared = await planAddNode(ctx, t.access.cluster.name, {
        role: asMaster ? 'master' : 'replica',
        ...(replicaOf !== undefined ? { masterOf: replicaOf } : {}),
        rebalance: flagBoolean(args, 'rebalance'),
      });
      out.write(formatAddNodePlan(prepared.plan));
      if (!(await confirm(io, flagBoolean(args, 'yes'), 'Do you want to add this node?'))) return 1;
      const r = await applyAddNode(ctx, prepared);
      progress.end();
      if (json) {
        const { rebalance, ...rest } = r;
        io.stdout.write(JSON.stringify({ plan: prepared.plan, result: { ...rest, ...(rebalance ? { rebalance: rebalance.report } : {}) } }, null, 2) + '\n');
      } else {
        if (r.rebalance) io.stdout.write(formatMoveReport(r.rebalance.topology, r.rebalance.report));
        io.stdout.write(formatAddNodeResult(r));
      }
      return r.ok ? 0 : 1;
    });
  },
};
