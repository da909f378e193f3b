/**
 * Bounds of the slot mover's settings, shared by the CLI flags and the VS Code settings (which
 * VS Code only warns about). Each slot in flight holds its own connections and a batch of keys
 * in memory on both nodes; past a few hundred the nodes, not the pipeline, set the pace.
 */
export const MOVE_LIMITS = {
  slotsInFlight: { min: 1, max: 512 },
  /** Keys per MIGRATE (or per copy batch): the whole batch sits in one reply buffer. */
  keysPerMigrate: { min: 1, max: 10_000 },
  /** One hour: a MIGRATE that takes longer has failed. */
  migrateTimeoutMs: { min: 1, max: 3_600_000 },
} as const;

export type MoveLimitName = keyof typeof MOVE_LIMITS;

/** A setting's value brought within its bounds (a whole number); `fallback` when it is no number. */
export function clampMoveSetting(name: MoveLimitName, value: number | undefined, fallback: number): number {
  if (value === undefined || !Number.isFinite(value)) return fallback;
  const { min, max } = MOVE_LIMITS[name];
  return Math.min(max, Math.max(min, Math.round(value)));
}
