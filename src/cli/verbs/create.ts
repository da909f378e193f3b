import { ask } from '../prompt';
import { applyCreate, inspectNodes } from '../../core/cluster/applyCreate';
import { checkCluster } from '../../core/cluster/check';
import { formatCheck } from '../../core/cluster/formatCheck';
import { formatPlan, planToJson } from '../../core/cluster/formatPlan';
import { planCreate } from '../../core/cluster/planCreate';
import { BadInputError } from '../../core/errors';
import { MAX_REPLICAS } from '../../core/swarm/deployOptions';
import { createReplicas } from '../../core/swarm/formCluster';
import { type ProgressReporter, tokenFromSignal } from '../../core/lifecycle';
import { withClusterLock } from '../../core/ops/clusterLock';
import { formatEndpoint } from '../../core/routes/endpoint';
import { flagBoolean, flagNumber, flagString, parseArgs } from '../args';
import { type Verb } from '../verb';
import { clusterTargetFlags, createTargetsFromArgs, readTargetTopology } from './clusterTargets';

export const createVerb: Verb = {
  name: 'create',
  summary: 'Form a Redis Cluster from empty cluster-enabled nodes (like redis-cli --cluster create, faster).',
  usage: 'create <host:port> ... | --cluster NAME [--replicas N] [--yes] [--json] [--reachable CIDR]',
  flags: {
    replicas: {
      kind: 'number',
      valueName: 'n',
      description: 'Replicas per master (default: with --cluster, what deploy was asked for; otherwise 0, as redis-cli).',
      range: { min: 0, max: MAX_REPLICAS },
    },
    yes: { kind: 'boolean', short: 'y', description: 'Apply the plan without asking.' },
    json: { kind: 'boolean', description: 'Print machine-readable JSON (the plan, the result and the check).' },
    ...clusterTargetFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const json = flagBoolean(args, 'json');
    const asked = flagNumber(args, 'replicas');
    const targets = await createTargetsFromArgs(args, io.env);
    const { nodes, pool } = targets;
    // Human progress goes to stdout, unless stdout carries JSON.
    const out = json ? io.stderr : io.stdout;
    // Nodes not in a cluster yet still take a named client: the lock lives on every node given.
    const lock = { cluster: flagString(args, 'cluster') ?? nodes.map((n) => formatEndpoint(n.endpoint)).join(' '), pool, nodes: nodes.map((n) => n.endpoint) };
    try {
      return await withClusterLock(lock, 'create', async () => {
        const { replicas, source } = targets.access ? createReplicas(targets.access.cluster, asked) : { replicas: asked ?? 0, source: 'asked' };
        if (source === 'deployed') out.write(`>>> ${replicas} replica(s) per master, as deploy was asked for (--replicas N to change)\n`);
        const ids = await inspectNodes(pool, nodes);
        const plan = planCreate(nodes, replicas);
        const idMap = new Map(ids.map((id, i) => [i, id]));
        if (!json) io.stdout.write(formatPlan(plan, idMap));
        if (!flagBoolean(args, 'yes')) {
          if (!io.stdin.isTTY) {
            throw new BadInputError('Not changing the nodes without a confirmation: stdin is not a terminal. Run again with --yes to apply the plan.');
          }
          const answer = await ask(io, "Can I set the above configuration? (type 'yes' to accept): ");
          if (answer !== 'yes') {
            io.stderr.write('Nothing changed.\n');
            return 1;
          }
        }
        const result = await applyCreate(pool, plan, ids, { progress: lineProgress(out), token: tokenFromSignal(io.signal) });
        out.write(`[OK] Cluster formed in ${result.elapsedMs} ms.\n`);
        const topology = await readTargetTopology(targets);
        const report = checkCluster(topology, targets.access ? { cluster: targets.access.cluster } : {});
        if (json) {
          io.stdout.write(JSON.stringify({ plan: planToJson(plan, idMap), elapsedMs: result.elapsedMs, check: report, nodes: topology.nodes }, null, 2) + '\n');
        } else {
          io.stdout.write(formatCheck(topology, report));
        }
        return report.ok ? 0 : 1;
      });
    } finally {
      await targets.dispose();
    }
  },
};

/** Prints each new step once, as redis-cli's `>>>` lines; counters within a step are not repeated. */
function lineProgress(out: NodeJS.WritableStream): ProgressReporter {
  let last = '';
  return {
    report: ({ message }) => {
      if (!message) return;
      const step = message.replace(/ \(.*\)$/, '');
      if (step === last) return;
      last = step;
      out.write(`>>> ${step}\n`);
    },
  };
}
