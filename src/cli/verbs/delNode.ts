import { BadInputError } from '../../core/errors';
import { tokenFromSignal } from '../../core/lifecycle';
import { applyDelNode, formatDelNodePlan, formatDelNodeResult, planDelNode } from '../../core/ops/delNode';
import { type ScaleContext } from '../../core/ops/scaleSupport';
import { flagBoolean, flagString, parseArgs } from '../args';
import { opsProgress } from '../progress';
import { type Verb } from '../verb';
import { clusterTargetFlags } from './clusterTargets';
import { moveFlags, moveSettings } from './opsFlags';
import { opsTargetsFromArgs, withTargets } from './opsTargets';
import { confirm } from '../prompt';

export const delNodeVerb: Verb = {
  name: 'del-node',
  summary: 'Scale in: move a master\'s slots and replicas away, forget the node everywhere, remove its service.',
  usage: 'del-node --cluster NAME <ID|service|host:port> [--volumes] [--yes] [--json]',
  flags: {
    volumes: { kind: 'boolean', description: 'Remove the node\'s volume too (its data and nodes.conf); kept by default.' },
    ...moveFlags,
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    if (flagString(args, 'cluster') === undefined) throw new BadInputError('del-node removes a swarm service: name the cluster with --cluster NAME.');
    const json = flagBoolean(args, 'json');
    const settings = moveSettings(args);
    const t = await opsTargetsFromArgs(args, io.env);
    return withTargets(t, 'del-node', async () => {
      const [node, ...extra] = t.rest;
      if (node === undefined || extra.length > 0) throw new BadInputError('Name one node: del-node --cluster NAME <ID|service|host:port>.');
      if (!t.access) throw new BadInputError('del-node needs --cluster NAME.');
      const out = json ? io.stderr : io.stdout;
      const progress = opsProgress(out);
      const ctx: ScaleContext = { engine: t.access.engine, router: t.router, pool: t.pool, settings, progress, onProgress: progress.moves, token: tokenFromSignal(io.signal), discover: t.access.discover };
      const prepared = await planDelNode(ctx, t.access.cluster.name, { node, volumes: flagBoolean(args, 'volumes') });
      out.write(formatDelNodePlan(prepared.plan, prepared.topology));
      if (!(await confirm(io, flagBoolean(args, 'yes'), `Do you want to remove ${prepared.plan.service}?`))) return 1;
      const r = await applyDelNode(ctx, prepared);
      progress.end();
      if (json) {
        const { drain, ...planRest } = prepared.plan;
        io.stdout.write(JSON.stringify({ plan: { ...planRest, ...(drain ? { drain: { ...drain, balances: Object.fromEntries(drain.balances) } } : {}) }, result: r }, null, 2) + '\n');
      } else io.stdout.write(formatDelNodeResult(r));
      return r.ok ? 0 : 1;
    });
  },
};
