/** The slot mover's public face: moveSlots, what it takes and reports, and its settings. */
export { moveSlots } from './moveSlots';
export type { MoveContext, MoveProgress, MoveProgressListener, MoveReport, SlotConflict, SlotMove } from './moveTypes';
export type { MoveEngine, MoveSettings } from './settings';
export {
  DEFAULT_COPY_CONNECTIONS_PER_SOURCE,
  DEFAULT_COPY_MAX_BYTES_PER_CHUNK,
  DEFAULT_COPY_MAX_KEYS_PER_SLOT,
  DEFAULT_KEYS_PER_MIGRATE,
  DEFAULT_MIGRATE_TIMEOUT_MS,
  DEFAULT_MOVE_SETTINGS,
  DEFAULT_SLOTS_IN_FLIGHT,
  MOVE_ENGINES,
} from './settings';
