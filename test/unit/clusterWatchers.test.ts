/**
 * The ordering of the heal watchers' syncs (src/extension/clusterWatchers.ts): a sync that was
 * reading the cluster list when watching was turned off starts nothing, and an older list that
 * arrives late does not undo a newer one. The list is a promise the test resolves by hand.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type CancellationToken, nullLogger } from '../../src/core/lifecycle';
import { ClusterWatchers } from '../../src/extension/clusterWatchers';

interface Pending {
  readonly resolve: (names: string[]) => void;
}

function harness(): { watchers: ClusterWatchers; lists: Pending[]; tokens: Map<string, CancellationToken[]>; setEnabled(on: boolean): void } {
  let enabled = true;
  const lists: Pending[] = [];
  const tokens = new Map<string, CancellationToken[]>();
  const watchers = new ClusterWatchers({
    list: () => new Promise<string[]>((resolve) => lists.push({ resolve })),
    enabled: () => enabled,
    watch: (name, token) => {
      tokens.set(name, [...(tokens.get(name) ?? []), token]);
      return Promise.resolve();
    },
    logger: nullLogger,
  });
  return { watchers, lists, tokens, setEnabled: (on) => (enabled = on) };
}

/** Lets queued syncs reach their next wait. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('heal watchers: syncs in order, none after watching was turned off', () => {
  it('a sync reading the list when watching goes off starts no watcher', async () => {
    const h = harness();
    const done = h.watchers.sync();
    await settle();
    assert.equal(h.lists.length, 1, 'the sync asked for the cluster list');
    // Off: the setting changes and HealWatcher stops everything, while the list is on its way.
    h.setEnabled(false);
    h.watchers.stopAll();
    h.lists[0]?.resolve(['c1', 'c2']);
    await done;
    assert.deepEqual(h.watchers.watching, [], 'a watcher started after watching was turned off');
    assert.equal(h.tokens.size, 0);
  });

  it('off and on again while a list is read: the stale sync starts nothing, the new one each cluster once', async () => {
    const h = harness();
    const stale = h.watchers.sync();
    await settle();
    h.watchers.stopAll(); // off, then on again: restart queues a fresh sync
    const fresh = h.watchers.sync();
    h.lists[0]?.resolve(['old']);
    await stale;
    await settle();
    assert.deepEqual(h.watchers.watching, [], 'the sync started before the restart started a watcher from its list');
    assert.equal(h.lists.length, 2, 'the fresh sync read the list again');
    h.lists[1]?.resolve(['c1']);
    await fresh;
    assert.deepEqual(h.watchers.watching, ['c1']);
    assert.equal(h.tokens.get('c1')?.length, 1);
  });

  it('syncs run one at a time: an older list arriving late does not restart a cluster that went away', async () => {
    const h = harness();
    const first = h.watchers.sync();
    const second = h.watchers.sync();
    await settle();
    assert.equal(h.lists.length, 1, 'the second sync read the list while the first was still reading it');
    h.lists[0]?.resolve(['gone']);
    await first;
    await settle();
    h.lists[1]?.resolve([]);
    await second;
    assert.deepEqual(h.watchers.watching, [], 'the cluster that went away is still watched');
    assert.equal(h.tokens.get('gone')?.[0]?.isCancellationRequested, true, 'the watcher of the cluster that went away was not stopped');
  });
});
