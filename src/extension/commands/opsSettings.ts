import * as vscode from 'vscode';
import { DEFAULT_MIGRATE_SETTINGS, MigrateProgress, MigrateSettings, MoveEngine } from '../../core/ops/migrate';

/** The slot mover's settings (redisSwarm.migrate.*), falling back to the core's defaults. */
export function migrateSettingsFromConfig(): Partial<MigrateSettings> {
  const c = vscode.workspace.getConfiguration('redisSwarm.migrate');
  return {
    slotsInFlight: c.get<number>('slotsInFlight') ?? DEFAULT_MIGRATE_SETTINGS.slotsInFlight,
    keysPerMigrate: c.get<number>('keysPerMigrate') ?? DEFAULT_MIGRATE_SETTINGS.keysPerMigrate,
    migrateTimeoutMs: c.get<number>('timeoutMs') ?? DEFAULT_MIGRATE_SETTINGS.migrateTimeoutMs,
    engine: c.get<MoveEngine>('engine') ?? DEFAULT_MIGRATE_SETTINGS.engine,
    replace: false,
  };
}

export function progressText(p: MigrateProgress): string {
  return `${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys, ${p.keysPerSecond} keys/s`;
}
