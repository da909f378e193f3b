/**
 * The fixture of the E2E files that need a live cluster: before the file's tests, deploy and
 * form a cluster on the local swarm and package the extension; after them (even on failure),
 * sweep everything named with the cluster's prefix, and any extra names the tests used.
 */
import { after, before } from 'node:test';
import { deployFormedCluster, runPrefix, sweep } from '../support/swarm';
import { packageExtension } from './vsix';

/** Deploying and forming 6 nodes, then packaging; generous for a loaded 2-core machine. */
export const LIVE_CLUSTER_SETUP_TIMEOUT_MS = 240_000;

export interface LiveCluster {
  /** The cluster's name (a per-run prefix). */
  readonly name: string;
  /** The packaged .vsix, once `before` has run. */
  readonly vsix: () => string;
}

export function useLiveCluster(tag: string, alsoSweep: readonly string[] = []): LiveCluster {
  const name = runPrefix(tag);
  let vsix = '';
  before(async () => {
    // Deployed first, packaged second: the package step is quick and needs no cluster.
    await deployFormedCluster(name);
    vsix = await packageExtension();
  }, { timeout: LIVE_CLUSTER_SETUP_TIMEOUT_MS });
  after(async () => {
    for (const n of [name, ...alsoSweep]) await sweep(n);
  }, { timeout: LIVE_CLUSTER_SETUP_TIMEOUT_MS });
  return { name, vsix: () => vsix };
}
