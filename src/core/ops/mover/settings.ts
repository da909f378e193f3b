/**
 * The slot mover's settings (both engines), their defaults, and the check of a move request
 * before anything is touched.
 */
import { BadInputError } from '../../errors';
import { type ClusterNode } from '../../cluster/topology';
import { type SlotMove } from './moveTypes';

/**
 * Slots open at the same time, all windows together: more hides more round trips. A slot is
 * open from its IMPORTING until its SETSLOT NODE on target and source (or its rollback). 384
 * is six windows of 64, what the mover really kept open when this setting (then 128) was no
 * bound (measured, copy engine, 2,000 slots: 384 is 10% faster than 128).
 */
export const DEFAULT_SLOTS_IN_FLIGHT = 384;
/** Keys per MIGRATE (redis-cli's --cluster-pipeline, whose default is 10). */
export const DEFAULT_KEYS_PER_MIGRATE = 1000;
/** MIGRATE's own timeout (ms) for the source-to-target transfer; redis-cli uses 60000. */
export const DEFAULT_MIGRATE_TIMEOUT_MS = 60_000;
/** Copy engine: connections to each source per window (each holds one chunk's WATCH at a time). */
export const DEFAULT_COPY_CONNECTIONS_PER_SOURCE = 16;
/** The copy engine hands a slot with more keys than this to MIGRATE. */
export const DEFAULT_COPY_MAX_KEYS_PER_SLOT = 10_000;
/** The copy engine hands a chunk of slots whose DUMPs exceed this many bytes to MIGRATE (memory bound). */
export const DEFAULT_COPY_MAX_BYTES_PER_CHUNK = 8 * 1024 * 1024;

export type MoveEngine = 'auto' | 'copy' | 'migrate';
export const MOVE_ENGINES: readonly MoveEngine[] = ['auto', 'copy', 'migrate'];

export interface MoveSettings {
  /** Slots open at once (IMPORTING set, not yet closed), over all windows. */
  readonly slotsInFlight: number;
  /** Keys per MIGRATE command (and per GETKEYSINSLOT of the drain). */
  readonly keysPerMigrate: number;
  /** MIGRATE's own timeout (ms); the bulk links allow a little more for a reply. */
  readonly migrateTimeoutMs: number;
  /** MIGRATE … REPLACE: overwrite keys the target already holds. Only when the user says so. */
  readonly replace: boolean;
  /**
   * 'migrate': MIGRATE only, as redis-cli does: keys go node to node. 'copy': DUMP on the
   * source and RESTORE-ASKING on the target through this process, in parallel, then an atomic
   * hand-over on the source (copySlot.ts); slots it cannot take go the MIGRATE way. 'auto'
   * (default): 'copy' when this process reaches every node involved directly or by a published
   * port, 'migrate' when some node is reached through a Docker API tunnel (every byte would
   * then cross the Docker API twice, and each of the copy's connections costs an exec).
   */
  readonly engine: MoveEngine;
  /** Copy engine: connections to each source per window of slots. */
  readonly copyConnectionsPerSource: number;
  /** Copy engine: slots with more keys than this are moved with MIGRATE. */
  readonly copyMaxKeysPerSlot: number;
  /** Copy engine: a chunk of slots whose DUMPs exceed this many bytes is moved with MIGRATE. */
  readonly copyMaxBytesPerChunk: number;
}

export const DEFAULT_MOVE_SETTINGS: MoveSettings = {
  slotsInFlight: DEFAULT_SLOTS_IN_FLIGHT,
  keysPerMigrate: DEFAULT_KEYS_PER_MIGRATE,
  migrateTimeoutMs: DEFAULT_MIGRATE_TIMEOUT_MS,
  replace: false,
  engine: 'auto',
  copyConnectionsPerSource: DEFAULT_COPY_CONNECTIONS_PER_SOURCE,
  copyMaxKeysPerSlot: DEFAULT_COPY_MAX_KEYS_PER_SLOT,
  copyMaxBytesPerChunk: DEFAULT_COPY_MAX_BYTES_PER_CHUNK,
};

/** Throws BadInputError for a move that must not start: a slot twice, a node unknown or a replica, bad settings. */
export function validateMoves(moves: readonly SlotMove[], byId: ReadonlyMap<string, ClusterNode>, settings: MoveSettings): void {
  const seen = new Set<number>();
  for (const m of moves) {
    if (seen.has(m.slot)) throw new BadInputError(`Slot ${m.slot} appears twice in one move.`);
    seen.add(m.slot);
    for (const id of [m.sourceId, m.targetId]) {
      const n = byId.get(id);
      if (!n) throw new BadInputError(`Node ${id.slice(0, 8)} is not in the cluster.`);
      if (n.role !== 'master') throw new BadInputError(`Node ${id.slice(0, 8)} is a replica; slots move between masters.`);
    }
    if (m.sourceId === m.targetId) throw new BadInputError(`Slot ${m.slot}: source and target are the same node.`);
  }
  if (!MOVE_ENGINES.includes(settings.engine)) throw new BadInputError(`The engine must be one of ${MOVE_ENGINES.join(', ')}, not ${String(settings.engine)}.`);
  for (const [name, v] of [
    ['slots in flight', settings.slotsInFlight],
    ['keys per MIGRATE', settings.keysPerMigrate],
    ['MIGRATE timeout', settings.migrateTimeoutMs],
    ['copy connections', settings.copyConnectionsPerSource],
    ['copy keys per slot', settings.copyMaxKeysPerSlot],
    ['copy bytes per chunk', settings.copyMaxBytesPerChunk],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new BadInputError(`The ${name} must be a whole number of at least 1, not ${v}.`);
  }
}
