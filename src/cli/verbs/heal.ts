import { ask } from '../prompt';
import { BadInputError, describeError } from '../../core/errors';
import { type CancellationToken, type Logger, tokenFromSignal } from '../../core/lifecycle';
import { formatHealOutcome, formatHealPlan, healPlanToJson, notDone } from '../../core/heal/formatHeal';
import { type HealResult, type HealSession, healCluster, openHealSession } from '../../core/heal/healCluster';
import { DEFAULT_GRACE_SECONDS } from '../../core/heal/planHeal';
import { watchCluster } from '../../core/heal/watcher';
import { applyMasterMoves, applySpread, planMasterMoves, planSpread } from '../../core/heal/spreadHosts';
import { formatRanges } from '../../core/cluster/topology';
import { type Engine, openEngine } from '../../core/docker/engine';
import { type DiscoverOptions } from '../../core/swarm/discover';
import { flagBoolean, flagNumber, flagString, type ParsedArgs, parseArgs } from '../args';
import { stderrProgress } from '../progress';
import { type CliIO, type Verb } from '../verb';
import { dockerFlags, engineOptions } from './dockerFlags';
import { flagServices, servicesFlag } from './servicesFlag';
import { givenLogin, userFlag } from './loginFlags';
import { type GivenLogin } from '../../core/swarm/auth';

export const healVerb: Verb = {
  name: 'heal',
  summary: 'Heal a cluster on the swarm: re-introduce nodes at new IPs, replace nodes that lost their data, keep a replica per master, re-cover lost slots (cache mode).',
  usage: 'heal --cluster NAME [--services a,b,c] [--yes] [--dry-run] [--json] [--watch] [--grace SECONDS] [--serve-partial] [--spread-hosts]',
  flags: {
    cluster: { kind: 'string', valueName: 'name', description: 'The cluster on the swarm (labelled by redis-swarm, or services NAME-1 … NAME-N running a Redis server, or those given with --services).' },
    yes: { kind: 'boolean', short: 'y', description: 'Apply the plan without asking.' },
    'dry-run': { kind: 'boolean', description: 'Print the plan and change nothing.' },
    json: { kind: 'boolean', description: 'Print machine-readable JSON (the plans and the outcome).' },
    watch: { kind: 'boolean', description: 'Keep watching; heal whenever the topology shows a problem (Ctrl+C stops).' },
    grace: { kind: 'number', valueName: 'seconds', description: `Seconds a dead master is given before heal acts: cache mode reassigns its uncovered slots; a replica no majority can elect takes over (default ${DEFAULT_GRACE_SECONDS}).`, range: { min: 0, max: 86_400, fraction: true } },
    'spread-hosts': { kind: 'boolean', description: 'First move replicas onto usable swarm nodes that run no node of the cluster (a host back from a failure or a drain; each moved replica restarts empty and resyncs), heal, then fail masters over off a host that runs two more masters than another.' },
    'serve-partial': { kind: 'boolean', description: 'Persistent mode: set cluster-require-full-coverage no so covered slots keep serving while slots are lost.' },
    services: servicesFlag,
    user: userFlag,
    tunnel: { kind: 'boolean', description: 'Use Docker API tunnels even where ports are published.' },
    ...dockerFlags,
  },
  async run(argv, io) {
    const args = parseArgs(argv, this.flags ?? {});
    const req = healRequest(args, io);
    const engine = openEngine(engineOptions(args, io.env));
    return flagBoolean(args, 'watch') ? watch(engine, req, io) : healOnce(engine, req, args, io);
  },
};

/** What the flags ask for, checked. */
interface HealRequest {
  readonly name: string;
  readonly graceMs: number;
  readonly json: boolean;
  readonly dryRun: boolean;
  readonly yes: boolean;
  readonly login: GivenLogin;
  readonly token: CancellationToken;
  readonly logger: Logger;
  readonly discover: DiscoverOptions;
}

function healRequest(args: ParsedArgs, io: CliIO): HealRequest {
  const name = flagString(args, 'cluster');
  if (name === undefined) throw new BadInputError('Name the cluster to heal with --cluster NAME.');
  if (args.positionals.length > 0) throw new BadInputError(`Unexpected argument "${args.positionals[0] ?? ''}".`);
  const grace = flagNumber(args, 'grace') ?? DEFAULT_GRACE_SECONDS;
  if (grace < 0) throw new BadInputError(`--grace must be 0 or more seconds, not ${grace}.`);
  const services = flagServices(args);
  return {
    name,
    graceMs: grace * 1000,
    json: flagBoolean(args, 'json'),
    dryRun: flagBoolean(args, 'dry-run'),
    yes: flagBoolean(args, 'yes'),
    login: givenLogin(args, io.env),
    token: tokenFromSignal(io.signal),
    logger: stderrLogger(io),
    discover: services.length > 0 ? { services } : {},
  };
}

/** --watch: heal whenever the topology shows a problem, one line per run, until Ctrl+C. */
async function watch(engine: Engine, req: HealRequest, io: CliIO): Promise<number> {
  if (!req.yes) throw new BadInputError('--watch applies plans unattended: add --yes to confirm.');
  const { name } = req;
  await watchCluster(engine, name, {
    graceMs: req.graceMs,
    token: req.token,
    logger: req.logger,
    discover: req.discover,
    login: req.login,
    onHeal: (r) => {
      const errors = r.remaining.filter((f) => f.severity === 'error').map((f) => f.message);
      io.stdout.write(`${new Date().toISOString()} heal ${name}: ${r.applied} action(s), ${r.ok ? 'check finds no error' : `check still finds: ${errors.join('; ')}`}${r.timedOut ? ' (stopped at its deadline)' : ''}\n`);
    },
  });
  return 0;
}

/** One heal run: the plans as made, a confirmation unless --yes or --dry-run, the outcome. */
async function healOnce(engine: Engine, req: HealRequest, args: ParsedArgs, io: CliIO): Promise<number> {
  const { json, dryRun } = req;
  const session: HealSession = await openHealSession(engine, req.name, {
    login: req.login,
    forceTunnel: flagBoolean(args, 'tunnel'),
    discover: req.discover,
  });
  try {
    const out = json ? io.stderr : io.stdout;
    if (flagBoolean(args, 'spread-hosts') && !(await spreadFirst(session, req, out, io))) return 1;
    const result = await healCluster(session, {
      graceMs: req.graceMs,
      servePartial: flagBoolean(args, 'serve-partial'),
      dryRun,
      token: req.token,
      progress: stderrProgress(io.stderr),
      onPlan: (plan, d) => {
        if (!json) out.write(formatHealPlan(d, plan));
      },
      ...(req.yes || dryRun ? {} : { confirm: () => confirm(io) }),
    });
    if (flagBoolean(args, 'spread-hosts') && !dryRun && result.ok) await spreadMasters(session, req, out, io);
    if (json) io.stdout.write(JSON.stringify(resultToJson(req.name, result), null, 2) + '\n');
    else if (!dryRun) out.write(formatHealOutcome(result));
    return result.ok && !result.declined ? 0 : 1;
  } finally {
    await session.dispose();
  }
}

/** --spread-hosts: the moves, a confirmation unless --yes, the moves applied; false when declined. */
async function spreadFirst(session: HealSession, req: HealRequest, out: NodeJS.WritableStream, io: CliIO): Promise<boolean> {
  const moves = await planSpread(session);
  if (moves.length === 0) {
    out.write('Every usable swarm node already runs a node of the cluster (or no host runs two): no replica to move.\n');
    return true;
  }
  for (const m of moves) out.write(`Move replica ${m.service} off ${m.fromHost} to ${m.toHost} (it restarts empty and copies its master's data again).\n`);
  if (req.dryRun) return true;
  if (!req.yes && !(await askYes(io, 'Can I move these replicas? (type \'yes\' to accept): '))) return false;
  for (const r of await applySpread(session, moves, { token: req.token, logger: req.logger })) {
    out.write(`${r.move.service} runs on ${r.landedOn || '?'} now${r.landedOn && r.landedOn !== r.move.toHost ? ` (the swarm chose it over ${r.move.toHost})` : ''}.\n`);
  }
  return true;
}

/** --spread-hosts, once heal is done: masters off a host that runs two more than another. */
async function spreadMasters(session: HealSession, req: HealRequest, out: NodeJS.WritableStream, io: CliIO): Promise<void> {
  const moves = await planMasterMoves(session);
  if (moves.length === 0) return;
  for (const m of moves) out.write(`Fail master ${m.master} on ${m.fromHost} over to its replica ${m.replica} on ${m.toHost} (coordinated: no write lost).\n`);
  if (!req.yes && !(await askYes(io, 'Can I fail these masters over? (type \'yes\' to accept): '))) return;
  await applyMasterMoves(session, moves, { token: req.token, logger: req.logger });
}

async function askYes(io: CliIO, question: string): Promise<boolean> {
  if (!io.stdin.isTTY) throw new BadInputError('Not changing the cluster without a confirmation: stdin is not a terminal. Run again with --yes.');
  return (await ask(io, question)) === 'yes';
}

function confirm(io: CliIO): Promise<boolean> {
  return askYes(io, "Can I apply the above plan (and the follow-up steps heal finds)? (type 'yes' to accept): ");
}

function resultToJson(name: string, result: HealResult): object {
  return {
    cluster: name,
    ok: result.ok,
    nothingToDo: result.nothingToDo,
    applied: result.applied,
    lostRanges: result.lostRanges,
    lostSlots: formatRanges(result.lostRanges),
    unresolved: result.finalPlan.unresolved,
    plans: result.plans.map((p) => healPlanToJson(result.final, p)),
    elapsedMs: result.elapsedMs,
    timedOut: result.timedOut,
    notDone: result.timedOut ? notDone(result.finalPlan) : [],
    remaining: result.remaining,
  };
}

function stderrLogger(io: CliIO): Logger {
  const debug = Boolean(io.env['REDIS_SWARM_DEBUG']);
  return {
    trace: () => undefined,
    debug: (m) => (debug ? io.stderr.write(`${m}\n`) : undefined),
    info: (m) => (debug ? io.stderr.write(`${m}\n`) : undefined),
    warn: (m) => io.stderr.write(`[WARN] ${m}\n`),
    error: (m) => io.stderr.write(`[ERR] ${describeError(m)}\n`),
  };
}
