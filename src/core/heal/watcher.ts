/**
 * The opt-in heal watcher (`heal --watch`, the `redisSwarm.heal.watch` setting): looks at the
 * cluster every few seconds and runs heal when the plan has something to do, with backoff when
 * heal fails or leaves problems, until the token is cancelled. It never fights an operation in
 * progress: the cluster's lock (clusterLock.ts) held by anything in this process or another,
 * or open slots / handshakes on the nodes, make it skip the turn.
 */
import { type DiscoverOptions } from '../swarm/discover';
import { type GivenLogin } from '../swarm/auth';
import { type Engine } from '../docker/engine';
import { describeError } from '../errors';
import { type CancellationToken, type Logger, nullLogger, sleep } from '../lifecycle';
import { isClusterBusyError, operationInProgress } from '../ops/clusterLock';
import { formatRanges } from '../cluster/topology';
import { type HealResult, type HealSession, healCluster, lookAtCluster, openHealSession } from './healCluster';
import { formatHealPlan } from './formatHeal';

/** How often the watcher looks at a healthy cluster (ms). */
export const WATCH_INTERVAL_MS = 5_000;
/** Backoff after a failed or incomplete heal: doubles from the interval up to this (ms). */
export const WATCH_MAX_BACKOFF_MS = 120_000;

/** How `watchCluster` watches one cluster (Docker event subscriptions have their own options, docker/events.ts). */
export interface ClusterWatchOptions {
  readonly graceMs: number;
  readonly token: CancellationToken;
  readonly logger?: Logger;
  /** A user and/or password the user gave; completed from the cluster's secrets. */
  readonly login?: GivenLogin;
  readonly intervalMs?: number;
  /** The node services, named by the user when discovery guesses wrong. */
  readonly discover?: DiscoverOptions;
  /** After every heal run. */
  readonly onHeal?: (result: HealResult) => void;
  /** When slots were given up (cache mode): the ranges whose data is gone. */
  readonly onLostSlots?: (ranges: string) => void;
}

/** Runs until the token is cancelled; never throws for a failed look or heal (it logs and backs off). */
export async function watchCluster(engine: Engine, clusterName: string, options: ClusterWatchOptions): Promise<void> {
  const logger = options.logger ?? nullLogger;
  const interval = options.intervalMs ?? WATCH_INTERVAL_MS;
  const lostSince = new Map<string, number>();
  let session: HealSession | undefined;
  let delay = interval;
  let lastReport = '';
  logger.info(`heal watcher: watching cluster ${clusterName} every ${interval / 1000} s`);
  try {
    while (!options.token.isCancellationRequested) {
      let healthy = true;
      try {
        session ??= await openHealSession(engine, clusterName, { ...(options.login ? { login: options.login } : {}), logger, ...(options.discover ? { discover: options.discover } : {}) });
        const busy = operationInProgress(clusterName);
        if (busy !== undefined) {
          logger.debug(`heal watcher: ${clusterName} is busy (${busy}); not looking this turn`);
        } else {
          const { diagnosis, plan } = await lookAtCluster(session, { graceMs: options.graceMs, lostSince });
          if (plan.actions.length > 0) {
            logger.info(`heal watcher: ${clusterName} needs healing`);
            const result = await healCluster(session, { graceMs: options.graceMs, lostSince, token: options.token, logger });
            options.onHeal?.(result);
            if (result.lostRanges.length > 0) options.onLostSlots?.(formatRanges(result.lostRanges));
            healthy = result.ok && result.finalPlan.actions.length === 0;
          } else {
            // Only waiting or unresolved problems: say so once, not every turn.
            const report = plan.nothingToDo ? '' : formatHealPlan(diagnosis, plan);
            if (report !== lastReport && report !== '') logger.warn(report.trimEnd());
            lastReport = report;
          }
        }
      } catch (err) {
        if (isClusterBusyError(err)) {
          // Another process's operation holds the lock: not a failure, look again next turn.
          logger.debug(`heal watcher: ${err.message}`);
        } else {
          healthy = false;
          logger.warn(`heal watcher: ${clusterName}: ${describeError(err)}`);
          // Routes may be stale after a failure: start with a fresh session next turn.
          await session?.dispose().catch(() => undefined);
          session = undefined;
        }
      }
      delay = healthy ? interval : Math.min(delay * 2, WATCH_MAX_BACKOFF_MS);
      await sleep(delay, options.token);
    }
  } finally {
    await session?.dispose().catch(() => undefined);
    logger.info(`heal watcher: stopped watching ${clusterName}`);
  }
}
