/**
 * One heal run: rounds of look (Docker + every node's own view) -> diagnose -> plan (shown and
 * logged) -> apply -> look again, until the cluster is healthy, only unresolved problems are
 * left, or the deadline passes. Running it twice is safe: every round re-plans from what the
 * nodes say now, and a healthy cluster plans nothing. The verdict is the `check` verb's: heal
 * says ok only when check, run at the end on the same connections, finds no error.
 */
import { type Engine } from '../docker/engine';
import { CancelledError } from '../errors';
import { type CancellationToken, type Logger, neverCancelled, nullLogger, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { withClusterLock } from '../ops/clusterLock';
import { AdminPool } from '../redis/adminConnection';
import { checkCluster, type CheckReport, type Finding } from '../cluster/check';
import { readTopology } from '../cluster/readTopology';
import { type SlotRange, formatRanges } from '../cluster/topology';
import { type GivenLogin, loginOptions, resolveCredentials } from '../swarm/auth';
import { type DiscoverOptions, findSwarmCluster, seedEndpoints, type SwarmCluster } from '../swarm/discover';
import { joinSwarm } from '../swarm/joinTopology';
import { type Router } from '../routes/router';
import { SwarmRouter } from '../swarm/swarmRouter';
import { applyHeal, observeCluster } from './applyHeal';
import { diagnose, type Diagnosis } from './diagnose';
import { formatHealPlan, takeoverWarning } from './formatHeal';
import { type HealPlan, planHeal } from './planHeal';

/** Overall deadline of one heal run (ms): waits for the swarm and Redis are bounded by it. */
export const HEAL_TIMEOUT_MS = 180_000;
/** Rounds that change something, at most, in one run (a plan that keeps failing stops). */
export const MAX_ACTION_ROUNDS = 8;
/** After a round's changes, how often to look for them to take effect (ms). */
const SETTLE_POLL_MS = 250;
/** How long one round's changes may take to settle before heal re-plans (ms). */
const SETTLE_TIMEOUT_MS = 20_000;
/** After changes, how long heal waits for check to agree (a new replica's first sync, flags clearing) (ms). */
export const VERDICT_SETTLE_MS = 30_000;
/** How often heal runs check while waiting for it to agree (ms). */
const VERDICT_POLL_MS = 1000;

/** Routes and admin connections to one cluster, kept across rounds (and a watcher's runs). */
export interface HealSession {
  readonly engine: Engine;
  readonly clusterName: string;
  /** Routes to the nodes (a SwarmRouter; any Router serves, e.g. loopback nodes in tests). */
  readonly router: Router;
  readonly pool: AdminPool;
  /** Re-discovers the cluster (tasks restart with new IPs and containers) and updates the router. */
  refresh(): Promise<SwarmCluster>;
  dispose(): Promise<void>;
}

export async function openHealSession(
  engine: Engine,
  clusterName: string,
  options: { login?: GivenLogin; forceTunnel?: boolean; logger?: Logger; discover?: DiscoverOptions } = {},
): Promise<HealSession> {
  const discover = options.discover ?? {};
  const cluster = await findSwarmCluster(engine.docker, clusterName, discover);
  const router = new SwarmRouter(engine, cluster, {
    ...(options.forceTunnel !== undefined ? { forceTunnel: options.forceTunnel } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const credentials = await resolveCredentials(engine, cluster, options.login, router.hops);
  const pool = new AdminPool(router, loginOptions(credentials));
  return {
    engine,
    clusterName,
    router,
    pool,
    async refresh() {
      const c = await findSwarmCluster(engine.docker, clusterName, discover);
      router.update(c);
      return c;
    },
    async dispose() {
      await pool.close();
      await router.dispose();
    },
  };
}

export interface HealOptions {
  /** Cache mode: how long slots stay uncovered before they are reassigned (ms). */
  readonly graceMs: number;
  readonly servePartial?: boolean;
  /** Plan only: return after the first plan. */
  readonly dryRun?: boolean;
  /** Asked once, before the first change; false stops without changing anything. */
  readonly confirm?: (plan: HealPlan, diagnosis: Diagnosis) => Promise<boolean>;
  /** Every plan, as made (the CLI prints it, VS Code shows it). */
  readonly onPlan?: (plan: HealPlan, diagnosis: Diagnosis, round: number) => void;
  readonly token?: CancellationToken;
  readonly progress?: ProgressReporter;
  readonly logger?: Logger;
  /** Bound on one run, counted from the start, or from the confirmation when one is asked for. */
  readonly timeoutMs?: number;
  /** Dead owners' first-seen times, kept by a watcher between runs. */
  readonly lostSince?: Map<string, number>;
}

export interface HealResult {
  readonly plans: readonly HealPlan[];
  readonly final: Diagnosis;
  readonly finalPlan: HealPlan;
  /** Actions applied over all rounds. */
  readonly applied: number;
  /** Slot ranges given to other masters empty: their data is gone. */
  readonly lostRanges: readonly SlotRange[];
  /** The check run at the end finds no error: what `check` would say now. */
  readonly ok: boolean;
  /** That check (undefined when the run was declined). */
  readonly check?: CheckReport;
  /** Its errors and warnings (and the host-spread offer): what is still wrong, in check's (and heal's) words. */
  readonly remaining: readonly Finding[];
  readonly nothingToDo: boolean;
  readonly declined: boolean;
  /** The deadline passed: `finalPlan` holds what was not done (its actions and waits). */
  readonly timedOut: boolean;
  /** From the start, or from the confirmation when one was asked for. */
  readonly elapsedMs: number;
}

/** Looks at the cluster once: fresh discovery, every node's view, a diagnosis and a plan. */
export async function lookAtCluster(session: HealSession, options: { graceMs: number; servePartial?: boolean; lostSince?: Map<string, number>; lockedBy?: string }): Promise<{ diagnosis: Diagnosis; plan: HealPlan }> {
  const cluster = await session.refresh();
  const observations = await observeCluster(session.pool, cluster);
  const now = Date.now();
  const diagnosis = diagnose({
    cluster,
    observations,
    now,
    ...(options.lockedBy !== undefined ? { lockedBy: options.lockedBy } : {}),
    ...(options.lostSince ? { lostSince: options.lostSince } : {}),
  });
  // Remember when each loss was first seen, so the grace period runs across rounds and runs.
  if (options.lostSince) {
    const current = new Set<string>();
    for (const p of diagnosis.problems) {
      if (p.kind !== 'lost-slots' && p.kind !== 'failover-stuck') continue;
      const key = p.kind === 'lost-slots' ? p.ownerId ?? '' : p.id;
      current.add(key);
      if (!options.lostSince.has(key)) options.lostSince.set(key, p.since);
    }
    for (const k of [...options.lostSince.keys()]) if (!current.has(k)) options.lostSince.delete(k);
  }
  const plan = planHeal(diagnosis, { graceMs: options.graceMs, ...(options.servePartial ? { servePartial: true } : {}) });
  return { diagnosis, plan };
}

/** What `check --cluster NAME` says of the session's cluster now, read through the session's routes. */
export async function checkHealCluster(session: HealSession): Promise<CheckReport> {
  const cluster = await session.refresh();
  const topology = joinSwarm(await readTopology(session.router, seedEndpoints(cluster), { pool: session.pool }), cluster);
  return checkCluster(topology, { cluster });
}

/**
 * Heals a cluster holding its lock, on every running node (heal never runs alongside another
 * operation, of this process or any other); refuses with ClusterBusyError when it is held.
 */
export async function healCluster(session: HealSession, options: HealOptions): Promise<HealResult> {
  const nodes = seedEndpoints(await session.refresh());
  return withClusterLock({ cluster: session.clusterName, pool: session.pool, nodes }, 'heal', () => healLocked(session, options), {
    ...(options.token ? { token: options.token } : {}),
  });
}

/** One heal run as its rounds see it: the options, the clock, what was done, the last look. */
interface HealRun {
  readonly session: HealSession;
  readonly options: HealOptions;
  readonly token: CancellationToken;
  readonly logger: Logger;
  readonly progress: ProgressReporter;
  readonly timeoutMs: number;
  readonly lostSince: Map<string, number>;
  readonly plans: HealPlan[];
  readonly lostRanges: SlotRange[];
  started: number;
  deadline: number;
  applied: number;
  actionRounds: number;
  confirmed: boolean;
  timedOut: boolean;
  diagnosis: Diagnosis;
  plan: HealPlan;
}

async function healLocked(session: HealSession, options: HealOptions): Promise<HealResult> {
  const run = await startRun(session, options);
  for (let round = 1; ; round++) {
    run.plans.push(run.plan);
    options.onPlan?.(run.plan, run.diagnosis, round);
    run.logger.info(formatHealPlan(run.diagnosis, run.plan).trimEnd());
    if (options.dryRun) break;
    if (run.plan.actions.length === 0) {
      if (!(await waitRound(run))) break;
      continue;
    }
    if (!run.confirmed) {
      const answer = await confirmPlan(run);
      if (answer === 'declined') return declined(run);
      if (answer === 'changed') continue;
    }
    if (++run.actionRounds > MAX_ACTION_ROUNDS || Date.now() > run.deadline) {
      run.timedOut = true;
      break;
    }
    checkCancel(run.token);
    await applyRound(run);
  }
  return verdict(run);
}

async function startRun(session: HealSession, options: HealOptions): Promise<HealRun> {
  const started = Date.now();
  const timeoutMs = options.timeoutMs ?? HEAL_TIMEOUT_MS;
  const lostSince = options.lostSince ?? new Map<string, number>();
  const { diagnosis, plan } = await lookAtCluster(session, lookOptions(options, lostSince));
  return {
    session,
    options,
    token: options.token ?? neverCancelled,
    logger: options.logger ?? nullLogger,
    progress: options.progress ?? silentProgress,
    timeoutMs,
    lostSince,
    plans: [],
    lostRanges: [],
    started,
    deadline: started + timeoutMs,
    applied: 0,
    actionRounds: 0,
    confirmed: options.confirm === undefined,
    timedOut: false,
    diagnosis,
    plan,
  };
}

const lookOptions = (options: HealOptions, lostSince: Map<string, number>): Parameters<typeof lookAtCluster>[1] => ({
  graceMs: options.graceMs,
  lostSince,
  ...(options.servePartial ? { servePartial: true } : {}),
});

/** Looks again; the run's diagnosis and plan are now the fresh ones. */
async function look(run: HealRun): Promise<void> {
  ({ diagnosis: run.diagnosis, plan: run.plan } = await lookAtCluster(run.session, lookOptions(run.options, run.lostSince)));
}

function checkCancel(token: CancellationToken): void {
  if (token.isCancellationRequested) throw new CancelledError('Heal was cancelled; the steps applied so far stay applied.');
}

/** A round with nothing to do but wait. False when there is nothing to wait for, or no time left. */
async function waitRound(run: HealRun): Promise<boolean> {
  if (run.plan.waits.length === 0) return false;
  if (Date.now() > run.deadline) {
    run.timedOut = true;
    return false;
  }
  run.progress.report({ message: run.plan.waits[0] ?? 'waiting' });
  await sleep(run.plan.waitMs, run.token);
  checkCancel(run.token);
  await look(run);
  // Waiting rounds are not kept, except the one where something changes.
  run.plans.pop();
  return true;
}

/** Asks once, before the first change. 'changed': the plan changed meanwhile and is shown again. */
async function confirmPlan(run: HealRun): Promise<'declined' | 'changed' | 'go'> {
  run.confirmed = await (run.options.confirm as NonNullable<HealOptions['confirm']>)(run.plan, run.diagnosis);
  if (!run.confirmed) return 'declined';
  // The time a person spent reading the plan is not the heal's: its clock starts now. The
  // plan may be stale after a long look, so the round re-plans from fresh views first.
  run.started = Date.now();
  run.deadline = run.started + run.timeoutMs;
  const shown = JSON.stringify(run.plan.actions);
  await look(run);
  return JSON.stringify(run.plan.actions) !== shown ? 'changed' : 'go';
}

/** Applies the round's plan, then looks until its changes show or the settle time passes. */
async function applyRound(run: HealRun): Promise<void> {
  const { plan, logger, progress, token } = run;
  await applyHeal(run.session.pool, plan, { token, progress, logger });
  run.applied += plan.actions.length;
  const takeovers = plan.actions.filter((a) => a.kind === 'takeover');
  if (takeovers.length > 0) logger.warn(`heal ${run.session.clusterName}: ${takeoverWarning(takeovers.map((a) => a.master))}`);
  if (plan.lostRanges.length > 0) {
    run.lostRanges.push(...plan.lostRanges);
    logger.warn(`heal ${run.session.clusterName}: slots ${formatRanges(plan.lostRanges)} were lost with their data and are now served, empty, by the surviving masters.`);
  }
  // Verify: look again until this round's changes show (no moved address, stranger or
  // disagreement left) or the settle time passes; the next round re-plans from there.
  const settleBy = Math.min(run.deadline, Date.now() + SETTLE_TIMEOUT_MS);
  progress.report({ message: 'waiting for the nodes to agree' });
  for (;;) {
    await sleep(SETTLE_POLL_MS, token);
    checkCancel(token);
    await look(run);
    const { diagnosis } = run;
    const unsettled = !diagnosis.agreed || diagnosis.problems.some((p) => p.kind === 'ip-changed' || p.kind === 'stranger' || p.kind === 'settling');
    if (!unsettled || Date.now() > settleBy) break;
  }
}

function declined(run: HealRun): HealResult {
  const { plans, diagnosis, plan, applied, lostRanges, timedOut } = run;
  return { plans, final: diagnosis, finalPlan: plan, applied, lostRanges, ok: false, remaining: [], nothingToDo: false, declined: true, timedOut, elapsedMs: Date.now() - run.started };
}

/**
 * The verdict, a dry run's too: check, as the `check` verb runs it. After changes, Redis needs a
 * moment to show them (a new replica's first sync, failure flags clearing), so check is asked
 * until it agrees or the bound passes; otherwise (and after a timeout) it is asked once.
 */
async function verdict(run: HealRun): Promise<HealResult> {
  const { plans, diagnosis, plan, applied, lostRanges, timedOut } = run;
  run.progress.report({ message: 'checking the cluster' });
  const verdictBy = timedOut || applied === 0 ? 0 : Date.now() + VERDICT_SETTLE_MS;
  let report = await checkHealCluster(run.session);
  while (!report.ok && Date.now() < verdictBy) {
    await sleep(VERDICT_POLL_MS, run.token);
    checkCancel(run.token);
    report = await checkHealCluster(run.session);
  }
  return {
    plans,
    final: diagnosis,
    finalPlan: plan,
    applied,
    lostRanges,
    ok: report.ok,
    check: report,
    // The one info kept: the offer to spread replicas over a host that runs nothing of the cluster.
    remaining: report.findings.filter((f) => f.severity !== 'info' || f.code === 'host-spread'),
    nothingToDo: applied === 0 && plans[0]?.nothingToDo === true,
    declined: false,
    timedOut,
    elapsedMs: Date.now() - run.started,
  };
}
