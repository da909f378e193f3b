/**
 * Applies a heal plan through the cluster's AdminPool (and so its router: published ports or
 * Docker API tunnels; overlay IPs only ever go INTO the CLUSTER MEET commands the nodes run).
 * Also reads what heal diagnoses from: each running node's own view.
 */
import { CancelledError, TimeoutError, RedisError, describeError } from '../errors';
import { type CancellationToken, type Logger, neverCancelled, nullLogger, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { infoField, parseClusterNodes } from '../cluster/nodesParser';
import { formatRanges } from '../cluster/topology';
import { type AdminPool, type CommandArg, type PipelineResult, replyText } from '../redis/adminConnection';
import { formatEndpoint } from '../routes/endpoint';
import { type SwarmCluster, runningNodes } from '../swarm/discover';
import { type NodeObservation } from './diagnose';
import { type HealAction, type HealPlan } from './planHeal';
import { describeAction } from './formatHeal';
import { failover } from '../ops/failover';

/** How long a new node may take to learn its master before REPLICATE is given up (ms). */
export const REPLICATE_TIMEOUT_MS = 30_000;
const REPLICATE_POLL_MS = 200;

export interface ApplyHealOptions {
  readonly token?: CancellationToken;
  readonly progress?: ProgressReporter;
  readonly logger?: Logger;
}

/** Asks every running node for its own view, in parallel, through the pool. */
export async function observeCluster(pool: AdminPool, cluster: SwarmCluster): Promise<NodeObservation[]> {
  return Promise.all(
    runningNodes(cluster).map(async (n): Promise<NodeObservation> => {
      const endpoint = { host: n.service, port: n.port };
      let res: PipelineResult[];
      try {
        res = await pool.pipeline(endpoint, [['CLUSTER', 'NODES'], ['CLUSTER', 'INFO'], ['DBSIZE'], ['CONFIG', 'GET', 'cluster-require-full-coverage'], ['INFO', 'replication']]);
      } catch (err) {
        // The connection may lead to a container that is gone: drop it so the next look reconnects.
        pool.retain(runningNodes(cluster).filter((x) => x.service !== n.service).map((x) => ({ host: x.service, port: x.port })));
        return { service: n.service, endpoint, error: describeError(err) };
      }
      const [nodes, info, dbsize, cov, repl] = res;
      if (!nodes?.ok) return { service: n.service, endpoint, error: nodes && !nodes.ok ? nodes.error.message : 'no reply' };
      let view;
      try {
        view = parseClusterNodes(replyText(nodes.value));
      } catch (err) {
        return { service: n.service, endpoint, error: describeError(err) };
      }
      const covValue = cov?.ok && Array.isArray(cov.value) && cov.value.length >= 2 ? replyText(cov.value[1]) : undefined;
      const replOffset = repl?.ok ? replicationOffset(replyText(repl.value)) : undefined;
      return {
        service: n.service,
        endpoint,
        view,
        clusterState: info?.ok ? infoField(replyText(info.value), 'cluster_state') ?? 'unknown' : 'unknown',
        keys: dbsize?.ok ? Number(dbsize.value) : 0,
        ...(covValue !== undefined ? { fullCoverage: covValue === 'yes' } : {}),
        ...(replOffset !== undefined ? { replOffset } : {}),
      };
    }),
  );
}

/** How much of the replication stream a node has: slave_repl_offset on a replica, else master_repl_offset. */
function replicationOffset(info: string): number | undefined {
  const raw = infoField(info, 'slave_repl_offset') ?? infoField(info, 'master_repl_offset');
  const n = raw === undefined ? NaN : Number(raw);
  return Number.isFinite(n) ? n : undefined;
}

export async function applyHeal(pool: AdminPool, plan: HealPlan, options: ApplyHealOptions = {}): Promise<void> {
  const token = options.token ?? neverCancelled;
  const progress = options.progress ?? silentProgress;
  const logger = options.logger ?? nullLogger;
  const actions = plan.actions;
  for (let i = 0; i < actions.length; i++) {
    if (token.isCancellationRequested) throw new CancelledError('Heal was cancelled; the steps applied so far stay applied.');
    const a = actions[i] as HealAction;
    // Consecutive forgets go out together, every node in parallel, inside the 60 s ban window.
    if (a.kind === 'forget') {
      const batch: Extract<HealAction, { kind: 'forget' }>[] = [a];
      while (actions[i + 1]?.kind === 'forget') batch.push(actions[++i] as Extract<HealAction, { kind: 'forget' }>);
      for (const f of batch) {
        progress.report({ message: describeAction(f) });
        logger.info(`heal ${plan.cluster}: ${describeAction(f)}`);
      }
      await forgetAll(pool, batch);
      continue;
    }
    progress.report({ message: describeAction(a) });
    logger.info(`heal ${plan.cluster}: ${describeAction(a)}`);
    await applyOne(pool, a, token);
  }
}

async function forgetAll(pool: AdminPool, batch: readonly Extract<HealAction, { kind: 'forget' }>[]): Promise<void> {
  const perNode = new Map<string, { ref: Extract<HealAction, { kind: 'forget' }>['on'][number]; ids: string[] }>();
  for (const f of batch) for (const n of f.on) {
    const e = perNode.get(n.id) ?? { ref: n, ids: [] };
    e.ids.push(f.id);
    perNode.set(n.id, e);
  }
  const failures: string[] = [];
  await Promise.all(
    [...perNode.values()].map(async ({ ref, ids }) => {
      try {
        const res = await pool.pipeline(ref.endpoint, ids.map((id) => ['CLUSTER', 'FORGET', id]));
        res.forEach((r, k) => {
          // "Unknown node": this node never knew it or already forgot it; that is the goal.
          if (!r.ok && !/unknown node/i.test(r.error.message)) failures.push(`${ref.service} refused CLUSTER FORGET ${ids[k] ?? ''}: ${r.error.message}`);
        });
      } catch (err) {
        failures.push(`${ref.service}: ${describeError(err)}`);
      }
    }),
  );
  if (failures.length > 0) throw new RedisError(failures.join('; '));
}

async function applyOne(pool: AdminPool, a: HealAction, token: CancellationToken): Promise<void> {
  switch (a.kind) {
    case 'meet': {
      const cmds: CommandArg[][] = a.targets.map((t) => ['CLUSTER', 'MEET', t.ip, t.port, t.busPort]);
      const res = await pool.pipeline(a.node.endpoint, cmds);
      const bad = res.findIndex((r) => !r.ok);
      if (bad >= 0) {
        const r = res[bad] as { ok: false; error: Error };
        throw new RedisError(`${a.node.service} refused CLUSTER MEET ${a.targets[bad]?.ip ?? ''}: ${r.error.message}`);
      }
      return;
    }
    case 'replicate': {
      // A node just met learns its master by gossip: "Unknown node" until then (cluster.c
      // clusterCommand REPLICATE), so try again until it knows it.
      const deadline = Date.now() + REPLICATE_TIMEOUT_MS;
      for (;;) {
        try {
          await pool.command(a.node.endpoint, ['CLUSTER', 'REPLICATE', a.masterId]);
          return;
        } catch (err) {
          if (!/unknown node/i.test(describeError(err)) || Date.now() > deadline) {
            if (Date.now() > deadline) throw new TimeoutError(`${a.node.service} did not learn its new master ${a.master} within ${REPLICATE_TIMEOUT_MS / 1000} s.`);
            throw err;
          }
        }
        if (token.isCancellationRequested) throw new CancelledError();
        await sleep(REPLICATE_POLL_MS, token);
      }
    }
    case 'add-slots': {
      const args: CommandArg[] = ['CLUSTER', 'ADDSLOTSRANGE'];
      for (const r of a.ranges) args.push(r.start, r.end);
      try {
        await pool.command(a.node.endpoint, args);
      } catch (err) {
        throw new RedisError(`${a.node.service} could not take slots ${formatRanges(a.ranges)}: ${describeError(err)}`, { cause: err });
      }
      return;
    }
    case 'bump-epoch':
      await pool.command(a.node.endpoint, ['CLUSTER', 'BUMPEPOCH']);
      return;
    case 'config-set': {
      const errors: string[] = [];
      await Promise.all(
        a.nodes.map((n) =>
          pool.command(n.endpoint, ['CONFIG', 'SET', a.name, a.value]).catch((err: unknown) => {
            errors.push(`${formatEndpoint(n.endpoint)}: ${describeError(err)}`);
          }),
        ),
      );
      if (errors.length > 0) throw new RedisError(`CONFIG SET ${a.name} ${a.value} failed on ${errors.join('; ')}`);
      return;
    }
    case 'forget':
      await forgetAll(pool, [a]);
      return;
    case 'takeover':
      await failover(pool, a.node.endpoint, { mode: 'takeover', token });
      return;
  }
}
