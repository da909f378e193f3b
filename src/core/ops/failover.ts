/**
 * Manual failover: CLUSTER FAILOVER [FORCE|TAKEOVER] sent to a replica, then a wait until the
 * roles have swapped as the nodes themselves report them (the replica says `myself,master`, and
 * the old master, when it can be asked, says it replicates the new one).
 *
 * Modes (https://redis.io/commands/cluster-failover/):
 * - default: the master stops accepting writes, the replica catches up, then takes over; no
 *   write is lost. Needs the master reachable.
 * - force: no handshake with the master (it may be down), but an election among masters.
 * - takeover: no election either; the replica bumps its epoch alone. For a minority partition.
 */
import { BadInputError, CancelledError, TimeoutError, RedisError, describeError } from '../errors';
import { type CancellationToken, neverCancelled, pollUntil, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { type AdminPool, replyText } from '../redis/adminConnection';
import { infoField, parseClusterNodes } from '../cluster/nodesParser';
import { type ClusterNode, type NodesView } from '../cluster/topology';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';

export type FailoverMode = 'default' | 'force' | 'takeover';

/** How long the roles may take to swap. A default failover itself gives up after 5 s (cluster.h CLUSTER_MF_TIMEOUT). */
export const FAILOVER_TIMEOUT_MS = 20_000;
/** A failover not done after this long is asked for again (cluster.h CLUSTER_MF_TIMEOUT is 5 s). */
export const FAILOVER_RETRY_MS = 6_000;
/** How often the nodes are asked whether the swap happened. */
export const FAILOVER_POLL_MS = 50;

export interface FailoverOptions {
  readonly mode?: FailoverMode;
  readonly timeoutMs?: number;
  readonly token?: CancellationToken;
  readonly progress?: ProgressReporter;
}

export interface FailoverResult {
  /** The replica that is now a master. */
  readonly newMasterId: string;
  readonly oldMasterId: string;
  readonly oldMasterEndpoint: Endpoint;
  /** False when the old master could not be asked (down, which FORCE/TAKEOVER are for). */
  readonly oldMasterConfirmed: boolean;
  readonly elapsedMs: number;
}

async function viewOf(pool: AdminPool, ep: Endpoint): Promise<NodesView> {
  return parseClusterNodes(replyText(await pool.command(ep, ['CLUSTER', 'NODES'])));
}

/** Fails over the replica at `replica` (its announced endpoint) and waits for the swap. */
export async function failover(pool: AdminPool, replica: Endpoint, options: FailoverOptions = {}): Promise<FailoverResult> {
  const mode = options.mode ?? 'default';
  const timeoutMs = options.timeoutMs ?? FAILOVER_TIMEOUT_MS;
  const started = Date.now();
  const shard = await readShard(pool, replica, mode);
  const run: FailoverRun = {
    pool,
    replica,
    mode,
    ...shard,
    token: options.token ?? neverCancelled,
    progress: options.progress ?? silentProgress,
    timeoutMs,
    deadline: started + timeoutMs,
  };
  if (mode === 'default') await waitReadyForDefault(run);
  const masterConfirmed = await sendAndWaitForSwap(run);
  const { self, master } = shard;
  return { newMasterId: self.id, oldMasterId: master.id, oldMasterEndpoint: master.endpoint, oldMasterConfirmed: masterConfirmed, elapsedMs: Date.now() - started };
}

/** What the failover's steps share. */
interface FailoverRun {
  readonly pool: AdminPool;
  readonly replica: Endpoint;
  readonly mode: FailoverMode;
  /** The replica's own view of the cluster, before the failover. */
  readonly view: NodesView;
  readonly self: ClusterNode;
  readonly master: ClusterNode;
  readonly token: CancellationToken;
  readonly progress: ProgressReporter;
  readonly timeoutMs: number;
  readonly deadline: number;
}

/** The replica and its master as the replica reports them; refuses a master, or a default failover of a master that is down. */
async function readShard(pool: AdminPool, replica: Endpoint, mode: FailoverMode): Promise<{ view: NodesView; self: ClusterNode; master: ClusterNode }> {
  const view = await viewOf(pool, replica);
  const self = view.self;
  if (self.role !== 'replica' || self.masterId === undefined) {
    throw new BadInputError(`${formatEndpoint(replica)} (${self.id.slice(0, 8)}) is a master, not a replica: run failover on one of its replicas.`);
  }
  const master: ClusterNode | undefined = view.nodes.find((n) => n.id === self.masterId);
  if (!master) throw new RedisError(`${formatEndpoint(replica)} replicates ${self.masterId.slice(0, 8)}, which it does not list.`);
  if (mode === 'default' && (master.flags.fail || master.flags.pfail)) {
    throw new BadInputError(
      `The master ${formatEndpoint(master.endpoint)} of ${formatEndpoint(replica)} is down (${master.flags.raw.join(',')}): ` +
        'a default failover needs it; use --force (or --takeover without a majority of masters).',
    );
  }
  return { view, self, master };
}

/** Before a default failover: the replica's link is up and every master knows it as the master's replica. */
async function waitReadyForDefault(run: FailoverRun): Promise<void> {
  const { pool, replica, view, self, master, token, progress, deadline } = run;
  // A default failover waits for the replica to reach the master's offset; a replica still
  // syncing never does. Wait for its link first (bounded by the same deadline).
  progress.report({ message: `waiting for ${formatEndpoint(replica)} to be in sync with its master` });
  const waitOptions = { deadline, intervalMs: FAILOVER_POLL_MS, token, cancelled: 'Failover cancelled before it started.' };
  await pollUntil(
    async () => {
      const link = infoField(replyText(await pool.command(replica, ['INFO', 'replication'])), 'master_link_status');
      return link === 'up' ? undefined : `master_link_status:${link ?? '?'}`;
    },
    { ...waitOptions, timeout: (missing) => `${formatEndpoint(replica)} is not in sync with its master (${missing}); a default failover cannot start.` },
  );
  // The master answers the replica's request (MFSTART on the cluster bus) only once it knows
  // the sender as its own replica, and the other masters vote for it only once they do too;
  // until gossip told them, the request is dropped without a word or the election fails, and
  // a master that voted will not vote again for this shard for twice the node timeout (seen
  // on every new cluster). So wait until every master lists it as the master's replica.
  // A master that does not answer is not waited for: the others' votes may be enough.
  const masters = view.nodes.filter((n) => n.role === 'master' && n.slots.length > 0 && !n.flags.fail && !n.flags.pfail);
  await pollUntil(
    async () => {
      const views = await Promise.all(masters.map((m) => viewOf(pool, m.endpoint).catch(() => undefined)));
      const waiting = masters.filter((_, i) => {
        const v = views[i];
        const seen = v?.nodes.find((n) => n.id === self.id);
        return v !== undefined && !(seen?.role === 'replica' && seen.masterId === master.id);
      });
      return waiting.length === 0 ? undefined : waiting.map((m) => formatEndpoint(m.endpoint)).join(', ');
    },
    {
      ...waitOptions,
      timeout: (missing) =>
        `Not every master knows ${formatEndpoint(replica)} as a replica of ${formatEndpoint(master.endpoint)} yet (${missing}); a default failover cannot start.`,
    },
  );
}

/**
 * Sends CLUSTER FAILOVER and waits until the replica says it is master and the old master, when
 * it can be asked, says it replicates the new one. Returns whether the old master confirmed.
 */
async function sendAndWaitForSwap(run: FailoverRun): Promise<boolean> {
  const { pool, replica, mode, self, master, token, progress, timeoutMs, deadline } = run;
  const send = async (): Promise<void> => {
    progress.report({ message: `CLUSTER FAILOVER${mode === 'default' ? '' : ` ${mode.toUpperCase()}`} on ${formatEndpoint(replica)}` });
    await pool.command(replica, ['CLUSTER', 'FAILOVER', ...(mode === 'default' ? [] : [mode.toUpperCase()])]);
  };
  await send();
  let sentAt = Date.now();

  progress.report({ message: `waiting for ${formatEndpoint(replica)} to become master` });
  let replicaIsMaster = false;
  let masterConfirmed = false;
  let masterReachable = true;
  let lastSeen = '';
  for (;;) {
    if (token.isCancellationRequested) {
      // The command was sent; a failover cannot be called back. Say where it stands.
      throw new CancelledError(`Stopped waiting: CLUSTER FAILOVER was sent to ${formatEndpoint(replica)}; check the roles with "redis-swarm check".`);
    }
    if (!replicaIsMaster) {
      const v = await viewOf(pool, replica);
      replicaIsMaster = v.self.role === 'master';
      lastSeen = `${formatEndpoint(replica)} is still ${v.self.role}`;
    }
    if (replicaIsMaster && masterReachable && !masterConfirmed) {
      try {
        const v = await viewOf(pool, master.endpoint);
        masterConfirmed = v.self.role === 'replica' && v.self.masterId === self.id;
        lastSeen = `old master ${formatEndpoint(master.endpoint)} is ${v.self.role}${v.self.masterId ? ` of ${v.self.masterId.slice(0, 8)}` : ''}`;
      } catch (err) {
        // A dead master (what FORCE/TAKEOVER are for) cannot confirm; the replica's word is enough.
        if (mode === 'default') lastSeen = `old master unreachable: ${describeError(err)}`;
        else masterReachable = false;
      }
    }
    if (replicaIsMaster && (masterConfirmed || !masterReachable)) return masterConfirmed;
    // A manual failover the replica gave up on (cluster.c clusterHandleManualFailover aborts
    // after CLUSTER_MF_TIMEOUT, or the election lost a race) is simply asked for again.
    if (!replicaIsMaster && Date.now() - sentAt > FAILOVER_RETRY_MS) {
      await send();
      sentAt = Date.now();
    }
    if (Date.now() > deadline) {
      throw new TimeoutError(
        `The failover of ${formatEndpoint(replica)} did not complete within ${Math.round(timeoutMs / 1000)} s (${lastSeen}). ` +
          (mode === 'default' ? 'A default failover needs the master to answer; try --force if it is down.' : 'Check that a majority of masters is reachable, or use --takeover.'),
      );
    }
    await sleep(FAILOVER_POLL_MS, token);
  }
}
