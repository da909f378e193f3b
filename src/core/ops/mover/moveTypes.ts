/** What a slot move is asked to do, what it reports back, and the typed progress it sends meanwhile. */
import { type ClusterNode } from '../../cluster/topology';
import { type CancellationToken, type Logger } from '../../lifecycle';
import { type AdminPool } from '../../redis/adminConnection';
import { type MoveSettings } from './settings';

export interface SlotMove {
  readonly slot: number;
  readonly sourceId: string;
  readonly targetId: string;
}

/**
 * The mover's counters, sent as they change (at most every MOVE_PROGRESS_INTERVAL_MS, and once
 * at the end). Views format them as they like (formatMoveProgress for a line of text).
 */
export interface MoveProgress {
  readonly slotsDone: number;
  readonly slotsTotal: number;
  readonly keysMoved: number;
  readonly keysPerSecond: number;
  readonly elapsedMs: number;
}

export type MoveProgressListener = (p: MoveProgress) => void;

export interface SlotConflict {
  readonly move: SlotMove;
  /** Keys present on both nodes (first few). */
  readonly keys: readonly string[];
  readonly message: string;
}

export interface MoveReport {
  readonly moved: readonly SlotMove[];
  readonly conflicts: readonly SlotConflict[];
  readonly failed: readonly { readonly move: SlotMove; readonly error: string }[];
  /** Not started because the run was cancelled. */
  readonly notStarted: readonly SlotMove[];
  readonly warnings: readonly string[];
  readonly keysMoved: number;
  readonly elapsedMs: number;
  readonly cancelled: boolean;
  /** The engine that moved the keys ('auto' resolved). */
  readonly engine: 'copy' | 'migrate';
}

export interface MoveContext {
  readonly pool: AdminPool;
  /** Every node of the cluster (from readTopology): endpoints, and the masters to tell. */
  readonly nodes: readonly ClusterNode[];
  readonly settings?: Partial<MoveSettings>;
  readonly token?: CancellationToken;
  /** The counters as the move goes: the only progress the mover gives. */
  readonly onProgress?: MoveProgressListener;
  readonly logger?: Logger;
}
