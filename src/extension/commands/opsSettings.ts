import * as vscode from 'vscode';
import { type CancellationToken, type Logger, type ProgressReporter } from '../../core/lifecycle';
import { formatMoveProgress } from '../../core/ops/formatOps';
import { DEFAULT_MOVE_SETTINGS, type MoveContext, type MoveEngine, type MoveProgress, type MoveProgressListener, type MoveSettings } from '../../core/ops/mover';
import { type AdminPool } from '../../core/redis/adminConnection';
import { clampMoveSetting } from '../../core/ops/moveLimits';

/** The slot mover's settings (redisSwarm.migrate.*), falling back to the core's defaults. */
export function moveSettingsFromConfig(): Partial<MoveSettings> {
  const c = vscode.workspace.getConfiguration('redisSwarm.migrate');
  return {
    // VS Code only warns about a value outside the schema's bounds: keep it within them here.
    slotsInFlight: clampMoveSetting('slotsInFlight', c.get<number>('slotsInFlight'), DEFAULT_MOVE_SETTINGS.slotsInFlight),
    keysPerMigrate: clampMoveSetting('keysPerMigrate', c.get<number>('keysPerMigrate'), DEFAULT_MOVE_SETTINGS.keysPerMigrate),
    migrateTimeoutMs: clampMoveSetting('migrateTimeoutMs', c.get<number>('timeoutMs'), DEFAULT_MOVE_SETTINGS.migrateTimeoutMs),
    engine: c.get<MoveEngine>('engine') ?? DEFAULT_MOVE_SETTINGS.engine,
    replace: false,
  };
}

/** The mover's counters as the notification's message, between the steps of an operation that moves slots along the way. */
export function moveProgressMessages(progress: ProgressReporter): MoveProgressListener {
  return (p) => progress.report({ message: formatMoveProgress(p) });
}

export function progressText(p: MoveProgress): string {
  return vscode.l10n.t('{0}/{1} slots, {2} keys, {3} keys/s', p.slotsDone, p.slotsTotal, p.keysMoved, p.keysPerSecond);
}

/**
 * What a slot move needs from VS Code: the pool, the settings, the Cancel button's token, the
 * log, and progress that advances the notification's bar by the share of slots done.
 */
export function moveContext(
  pool: AdminPool,
  progress: ProgressReporter,
  token: CancellationToken,
  logger: Logger,
): Omit<MoveContext, 'nodes'> {
  let last = 0;
  return {
    pool,
    settings: moveSettingsFromConfig(),
    token,
    logger,
    onProgress: (p: MoveProgress) => {
      const pct = p.slotsTotal > 0 ? (p.slotsDone * 100) / p.slotsTotal : 100;
      progress.report({ message: progressText(p), increment: pct - last });
      last = pct;
    },
  };
}
