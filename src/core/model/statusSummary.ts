/**
 * What the status bar says about all clusters at once: the one in the worst state (so a
 * failing cluster is never hidden behind the one being worked on), a count of the others in
 * trouble, or the cluster the user pinned. Pure: the extension draws it, tests read it.
 */
import { type ClusterHealth, type ClusterModel, HEALTH_RANK, HEALTH_WORDS } from './clusterModel';

export interface StatusSummary {
  /** Without an icon: `adv2: fail (+1 more in trouble)`, `3 clusters ok`. */
  readonly text: string;
  /** Decides the icon and the background. */
  readonly health: ClusterHealth;
  /** The cluster a click checks; absent when the text speaks of several. */
  readonly cluster?: string;
  /** Plain text, one line per cluster, worst first. */
  readonly tooltip: string;
  readonly pinned: boolean;
}

/** States that need a person: the status bar counts these. */
export const TROUBLE: ReadonlySet<ClusterHealth> = new Set<ClusterHealth>(['fail', 'unreachable', 'degraded']);

/** Lines of the tooltip, at most; the rest are counted. */
const TOOLTIP_CLUSTERS = 12;

/** Clusters worst first, then by name: the order of the status bar and of every cluster picker. */
export function worstFirst(clusters: readonly ClusterModel[]): ClusterModel[] {
  return [...clusters].sort((a, b) => HEALTH_RANK[a.health] - HEALTH_RANK[b.health] || a.name.localeCompare(b.name));
}

export function summarizeClusters(clusters: readonly ClusterModel[], pinned?: string): StatusSummary | undefined {
  if (clusters.length === 0) return undefined;
  const ranked = worstFirst(clusters);
  const trouble = ranked.filter((c) => TROUBLE.has(c.health));
  const pin = pinned !== undefined ? clusters.find((c) => c.name === pinned) : undefined;
  const shown = ranked.slice(0, TOOLTIP_CLUSTERS).map((c) => `${c.name}: ${HEALTH_WORDS[c.health]}${reason(c)}`);
  const more = ranked.length - shown.length;
  const lines = [...shown, ...(more > 0 ? [`… and ${more} more`] : [])];
  if (pin) {
    const others = trouble.filter((c) => c.name !== pin.name).length;
    return {
      text: `${pin.name}: ${HEALTH_WORDS[pin.health]}${others > 0 ? ` (+${others} other${others === 1 ? '' : 's'} in trouble)` : ''}`,
      health: others > 0 && HEALTH_RANK[trouble[0]?.health ?? 'ok'] < HEALTH_RANK[pin.health] ? (trouble[0]?.health ?? pin.health) : pin.health,
      cluster: pin.name,
      tooltip: [`Pinned: ${pin.name}. Click to check it.`, ...lines].join('\n'),
      pinned: true,
    };
  }
  const worst = ranked[0] as ClusterModel;
  if (ranked.length === 1) {
    return { text: `${worst.name}: ${HEALTH_WORDS[worst.health]}`, health: worst.health, cluster: worst.name, tooltip: [`Click to check ${worst.name}.`, ...lines].join('\n'), pinned: false };
  }
  if (ranked.every((c) => c.health === 'ok')) {
    return { text: `${ranked.length} clusters ok`, health: 'ok', tooltip: ['Every cluster is ok. Click to check one.', ...lines].join('\n'), pinned: false };
  }
  const extra = trouble.length > 1 ? ` (+${trouble.length - 1} more in trouble)` : '';
  return {
    text: `${worst.name}: ${HEALTH_WORDS[worst.health]}${extra}`,
    health: worst.health,
    cluster: worst.name,
    tooltip: [`The cluster in the worst state of ${ranked.length}. Click to check ${worst.name}.`, ...lines].join('\n'),
    pinned: false,
  };
}

function reason(c: ClusterModel): string {
  const f = c.findings[0];
  if (c.error && c.health !== 'ok') return ` (${c.error.replace(/\.$/, '')})`;
  if (f && (c.health === 'degraded' || c.health === 'fail')) return ` (${f.message.replace(/\.$/, '')}${c.findings.length > 1 ? `; ${c.findings.length - 1} more` : ''})`;
  return '';
}
