/**
 * The messages between the slot map's host (slotMapPanel.ts) and its page (media/slotMap.ts).
 * Both import this file, so a message one side sends is a message the other side understands.
 * No `vscode` import here, and nothing that pulls in Node: the page is type-checked with the
 * DOM library only (tsconfig.media.json).
 */
import type { SlotMapView, SlotSpan } from '../../core/model/slotMapData';

/** The webview type, for createWebviewPanel, the serializer and `onWebviewPanel:` activation. */
export const SLOT_MAP_VIEW_TYPE = 'redisSwarm.slotMap';

/** What the page keeps with vscode.setState, and what the serializer gets back after a reload. */
export interface SlotMapPageState {
  readonly cluster: string;
  readonly heat: boolean;
  readonly selection?: SlotSpan;
}

export type HostToPage =
  /** The topology to draw (sent on open, on every model change, and after `ready`). */
  | { readonly type: 'topology'; readonly view: SlotMapView; readonly health: string; readonly readAt: number }
  /** The cluster could not be read (or is gone). */
  | { readonly type: 'unavailable'; readonly cluster: string; readonly message: string }
  /** Keys per slot (16384 numbers), read on demand. */
  | { readonly type: 'keyCounts'; readonly counts: readonly number[]; readonly readAt: number; readonly errors: readonly string[] }
  | { readonly type: 'keyCountsFailed'; readonly message: string };

export type PageToHost =
  /** The page loaded (first time, or again after being hidden or reloaded). */
  | { readonly type: 'ready'; readonly state?: SlotMapPageState }
  /** `fresh`: read again (the button); otherwise the host may answer with the counts it has. */
  | { readonly type: 'requestKeyCounts'; readonly fresh: boolean }
  /** Move [start, end] to a master; without a target the host asks with a QuickPick. */
  | { readonly type: 'moveRange'; readonly start: number; readonly end: number; readonly targetMasterId?: string }
  /** How long the last full draw took, measured in the page with performance.now(). */
  | { readonly type: 'rendered'; readonly ms: number; readonly slots: number; readonly masters: number }
  | { readonly type: 'error'; readonly message: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** Narrows what the page posted; anything else is ignored by the host. */
export function isPageToHost(x: unknown): x is PageToHost {
  if (!isObject(x) || typeof x['type'] !== 'string') return false;
  switch (x['type']) {
    case 'ready':
      return true;
    case 'requestKeyCounts':
      return typeof x['fresh'] === 'boolean';
    case 'moveRange':
      return Number.isInteger(x['start']) && Number.isInteger(x['end']) && (x['targetMasterId'] === undefined || typeof x['targetMasterId'] === 'string');
    case 'rendered':
      return typeof x['ms'] === 'number' && typeof x['slots'] === 'number' && typeof x['masters'] === 'number';
    case 'error':
      return typeof x['message'] === 'string';
    default:
      return false;
  }
}

export function isPageState(x: unknown): x is SlotMapPageState {
  return isObject(x) && typeof x['cluster'] === 'string' && typeof x['heat'] === 'boolean';
}
