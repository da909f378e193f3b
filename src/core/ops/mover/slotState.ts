/** One slot's state in the mover, from its window's opening until it is closed or given back. */
import { type SlotMove } from './moveTypes';

/**
 * open: not touched yet (or IMPORTING set); draining: keys go with MIGRATE; closing: no key
 * left, SETSLOT NODE next; done / conflict / failed: settled.
 */
export type Phase = 'open' | 'draining' | 'closing' | 'done' | 'conflict' | 'failed';

export interface SlotState {
  readonly move: SlotMove;
  phase: Phase;
  /** The last GETKEYSINSLOT returned a full batch: there may be more. */
  more: boolean;
  /** MIGRATE batches of this slot failed (not BUSYKEY) this many times in a row. */
  failures: number;
  /** A batch with keys of this slot answered BUSYKEY: look at it before going on. */
  busy: boolean;
  error?: string;
  conflictKeys?: string[];
}

/** A slot to open, or with `resume` one already open (fix finishing a move a crash interrupted). */
export function newSlotState(move: SlotMove, resume: boolean): SlotState {
  return { move, phase: resume ? 'draining' : 'open', more: true, failures: 0, busy: false };
}

export function isSettled(s: SlotState): boolean {
  return s.phase === 'done' || s.phase === 'conflict' || s.phase === 'failed';
}

/** Still open on the nodes: keys to drain or a SETSLOT NODE to send. */
export function isOpen(s: SlotState): boolean {
  return s.phase === 'draining' || s.phase === 'closing';
}
