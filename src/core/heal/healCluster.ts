/**
 * One heal run: rounds of look (Docker + every node's own view) -> diagnose -> plan (shown and
 * logged) -> apply -> look again, until the cluster is healthy, only unresolved problems are
 * left, or the deadline passes. Running it twice is safe: every round re-plans from what the
 * nodes say now, and a healthy cluster plans nothing.
 */
import { Engine } from '../docker/engine';
import { CancelledError } from '../errors';
import { CancellationToken, Logger, neverCancelled, nullLogger, ProgressReporter, silentProgress } from '../lifecycle';
import { withClusterLock } from '../ops/clusterLock';
import { AdminPool } from '../redis/adminConnection';
import { SlotRange, formatRanges } from '../cluster/topology';
import { readClusterPassword } from '../swarm/auth';
import { DiscoverOptions, findSwarmCluster, SwarmCluster } from '../swarm/discover';
import { SwarmRouter } from '../swarm/swarmRouter';
import { applyHeal, observeCluster } from './applyHeal';
import { diagnose, Diagnosis } from './diagnose';
import { formatHealPlan } from './formatHeal';
import { HealPlan, planHeal } from './planHeal';

/** Overall deadline of one heal run (ms): waits for the swarm and Redis are bounded by it. */
export const HEAL_TIMEOUT_MS = 180_000;
/** Rounds that change something, at most, in one run (a plan that keeps failing stops). */
export const MAX_ACTION_ROUNDS = 8;
/** After a round's changes, how often to look for them to take effect (ms). */
const SETTLE_POLL_MS = 250;
/** How long one round's changes may take to settle before heal re-plans (ms). */
const SETTLE_TIMEOUT_MS = 20_000;

/** Routes and admin connections to one cluster, kept across rounds (and a watcher's runs). */
export interface HealSession {
  readonly engine: Engine;
  readonly clusterName: string;
  readonly router: SwarmRouter;
  readonly pool: AdminPool;
  /** Re-discovers the cluster (tasks restart with new IPs and containers) and updates the router. */
  refresh(): Promise<SwarmCluster>;
  dispose(): Promise<void>;
}

export async function openHealSession(
  engine: Engine,
  clusterName: string,
  options: { password?: string; forceTunnel?: boolean; logger?: Logger; discover?: DiscoverOptions } = {},
): Promise<HealSession> {
  const discover = options.discover ?? {};
  const cluster = await findSwarmCluster(engine.docker, clusterName, discover);
  const router = new SwarmRouter(engine, cluster, {
    ...(options.forceTunnel !== undefined ? { forceTunnel: options.forceTunnel } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  });
  const password = options.password ?? (await readClusterPassword(engine, cluster));
  const pool = new AdminPool(router, password !== undefined ? { password } : {});
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
  /** Every live node says cluster_state:ok and nothing is left to do but what heal will not do. */
  readonly ok: boolean;
  readonly nothingToDo: boolean;
  readonly declined: boolean;
  readonly timedOut: boolean;
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
      if (p.kind !== 'lost-slots') continue;
      const key = p.ownerId ?? '';
      current.add(key);
      if (!options.lostSince.has(key)) options.lostSince.set(key, p.since);
    }
    for (const k of [...options.lostSince.keys()]) if (!current.has(k)) options.lostSince.delete(k);
  }
  const plan = planHeal(diagnosis, { graceMs: options.graceMs, ...(options.servePartial ? { servePartial: true } : {}) });
  return { diagnosis, plan };
}

/** Heals a cluster holding its lock (heal never runs alongside another operation of this process). */
export function healCluster(session: HealSession, options: HealOptions): Promise<HealResult> {
  return withClusterLock(session.clusterName, 'heal', () => healLocked(session, options));
}

async function healLocked(session: HealSession, options: HealOptions): Promise<HealResult> {
  const token = options.token ?? neverCancelled;
  const logger = options.logger ?? nullLogger;
  const progress = options.progress ?? silentProgress;
  const started = Date.now();
  const deadline = started + (options.timeoutMs ?? HEAL_TIMEOUT_MS);
  const lostSince = options.lostSince ?? new Map<string, number>();
  const plans: HealPlan[] = [];
  const lostRanges: SlotRange[] = [];
  let applied = 0;
  let actionRounds = 0;
  let confirmed = options.confirm === undefined;
  let timedOut = false;
  const look = (): Promise<{ diagnosis: Diagnosis; plan: HealPlan }> =>
    lookAtCluster(session, { graceMs: options.graceMs, lostSince, ...(options.servePartial ? { servePartial: true } : {}) });
  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      const sub = token.onCancellationRequested(() => {
        clearTimeout(t);
        resolve();
      });
      setTimeout(() => sub.dispose(), ms + 1);
    });
  const checkCancel = (): void => {
    if (token.isCancellationRequested) throw new CancelledError('Heal was cancelled; the steps applied so far stay applied.');
  };

  let { diagnosis, plan } = await look();
  for (let round = 1; ; round++) {
    plans.push(plan);
    options.onPlan?.(plan, diagnosis, round);
    logger.info(formatHealPlan(diagnosis, plan).trimEnd());
    if (options.dryRun) break;
    if (plan.actions.length === 0) {
      if (plan.waits.length === 0) break;
      if (Date.now() > deadline) {
        timedOut = true;
        break;
      }
      progress.report({ message: plan.waits[0] ?? 'waiting' });
      await sleep(plan.waitMs);
      checkCancel();
      ({ diagnosis, plan } = await look());
      // Waiting rounds are not kept, except the one where something changes.
      plans.pop();
      continue;
    }
    if (!confirmed) {
      confirmed = await (options.confirm as NonNullable<HealOptions['confirm']>)(plan, diagnosis);
      if (!confirmed) {
        return { plans, final: diagnosis, finalPlan: plan, applied, lostRanges, ok: false, nothingToDo: false, declined: true, timedOut, elapsedMs: Date.now() - started };
      }
    }
    if (++actionRounds > MAX_ACTION_ROUNDS || Date.now() > deadline) {
      timedOut = true;
      break;
    }
    checkCancel();
    await applyHeal(session.pool, plan, { token, progress, logger });
    applied += plan.actions.length;
    if (plan.lostRanges.length > 0) {
      lostRanges.push(...plan.lostRanges);
      logger.warn(`heal ${session.clusterName}: slots ${formatRanges(plan.lostRanges)} were lost with their data and are now served, empty, by the surviving masters.`);
    }
    // Verify: look again until this round's changes show (no moved address, stranger or
    // disagreement left) or the settle time passes; the next round re-plans from there.
    const settleBy = Math.min(deadline, Date.now() + SETTLE_TIMEOUT_MS);
    progress.report({ message: 'waiting for the nodes to agree' });
    for (;;) {
      await sleep(SETTLE_POLL_MS);
      checkCancel();
      ({ diagnosis, plan } = await look());
      const unsettled = !diagnosis.agreed || diagnosis.problems.some((p) => p.kind === 'ip-changed' || p.kind === 'stranger' || p.kind === 'settling');
      if (!unsettled || Date.now() > settleBy) break;
    }
  }
  const final = diagnosis;
  const ok = final.live.length > 0 && final.live.filter((n) => n.member).every((n) => n.clusterState === 'ok') && !final.problems.some((p) => p.kind === 'lost-slots');
  return {
    plans,
    final,
    finalPlan: plan,
    applied,
    lostRanges,
    ok,
    nothingToDo: applied === 0 && plans[0]?.nothingToDo === true,
    declined: false,
    timedOut,
    elapsedMs: Date.now() - started,
  };
}
