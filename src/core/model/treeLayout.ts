/**
 * How the sidebar tree opens, and which clusters it shows: with a few small clusters everything
 * is open at once; with many clusters, or one of hundreds of nodes, opening it all would bury
 * the clusters under their nodes, so they start folded. A filter narrows the list by name or
 * state. Pure, so the rule is tested without VS Code (which remembers what the user opened).
 */
import { type ClusterModel, HEALTH_WORDS } from './clusterModel';

/** Up to this many clusters open by themselves. */
export const AUTO_EXPAND_CLUSTERS = 3;
/** A cluster with more node services than this starts folded, and so do its masters. */
export const AUTO_EXPAND_NODES = 24;

export function clusterStartsExpanded(clusterCount: number, nodeCount: number): boolean {
  return clusterCount <= AUTO_EXPAND_CLUSTERS && nodeCount <= AUTO_EXPAND_NODES;
}

export function masterStartsExpanded(nodeCount: number): boolean {
  return nodeCount <= AUTO_EXPAND_NODES;
}

/**
 * The clusters a filter keeps: every word must match the name or the state (`fail`, `not
 * formed`), case-insensitively; an empty filter keeps all.
 */
export function filterClusters(clusters: readonly ClusterModel[], filter: string | undefined): ClusterModel[] {
  const words = (filter ?? '').toLowerCase().split(/\s+/).filter((w) => w !== '');
  if (words.length === 0) return [...clusters];
  return clusters.filter((c) => {
    const text = `${c.name} ${HEALTH_WORDS[c.health]}`.toLowerCase();
    return words.every((w) => text.includes(w));
  });
}
