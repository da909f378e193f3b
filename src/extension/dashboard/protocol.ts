/**
 * Messages between the cluster dashboard's host (dashboardPanel.ts) and its page
 * (media/dashboard.ts). No `vscode` import and nothing from Node: the page is type-checked with
 * the DOM library only.
 */
import type { DashboardRow } from '../../core/model/dashboardData';

export const DASHBOARD_VIEW_TYPE = 'redisSwarm.dashboard';

/** What the page keeps with setState, and what the serializer gets back after a reload. */
export interface DashboardPageState {
  readonly cluster: string;
}

export type DashboardHostToPage =
  | { readonly type: 'load'; readonly cluster: string; readonly health: string; readonly nodes: readonly DashboardRow[]; readonly intervalMs: number }
  | { readonly type: 'unavailable'; readonly cluster: string; readonly message: string };

export type DashboardPageToHost = { readonly type: 'ready' } | { readonly type: 'error'; readonly message: string };

export function isDashboardPageToHost(x: unknown): x is DashboardPageToHost {
  if (typeof x !== 'object' || x === null) return false;
  const t = (x as { type?: unknown }).type;
  return t === 'ready' || (t === 'error' && typeof (x as { message?: unknown }).message === 'string');
}

export function isDashboardState(x: unknown): x is DashboardPageState {
  return typeof x === 'object' && x !== null && typeof (x as { cluster?: unknown }).cluster === 'string';
}
