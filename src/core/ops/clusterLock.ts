/**
 * One operation at a time per cluster, across processes and machines: heal (and its watcher),
 * create and the day-2 operations (reshard, rebalance, fix, scale, failover, add/del node) each
 * take the cluster's lock, and a second operation refuses (or waits, when asked to) with one
 * sentence naming the holder.
 *
 * Where it lives: on the cluster's own nodes, as named client connections. The holder keeps one
 * connection of its own to every node it can reach, named with CLIENT SETNAME (lockName.ts says
 * how). Every client of the cluster sees it with CLIENT LIST, whatever route it takes to the
 * nodes (loopback, published ports, Docker API tunnels), and so does a client on another
 * machine; and it needs no key, so it works while the cluster answers CLUSTERDOWN (when heal
 * runs) and on nodes not yet in a cluster (create). A holder that dies frees the lock with it:
 * the kernel closes its sockets (a tunnel's relay exits with its exec), and Redis drops the
 * client and its name; a machine that vanishes without closing is dropped by Redis's
 * tcp-keepalive (300 s by default). A holder on this machine whose process is gone is no holder:
 * its names can outlive it behind a tunnel whose engine link was cut rather than closed, and the
 * next contender closes them (lockName.ts isDeadLocalHolder). The holder pings its connections, so an idle `timeout` in
 * redis.conf never closes them, and reopens any that closed (a node restarted mid-operation).
 *
 * The in-process map is checked first: the VS Code tree's commands and the heal watcher of one
 * process see each other's operations without a round trip.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type Redis from 'ioredis';
import { CancelledError, ConflictError, RedisError, describeError } from '../errors';
import { type CancellationToken, neverCancelled, sleep } from '../lifecycle';
import { type AdminPool, replyText } from '../redis/adminConnection';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { busySentence, clientIdsNamed, decodeLockName, encodeLockName, isDeadLocalHolder, judgeContenders, type LockHolder, lockNamesInClientList } from './lockName';

/** Whether a process runs on this machine (signal 0 checks without sending; EPERM: it runs, as another user). */
function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * How often the holder pings (and, if closed, reopens) its named connections (ms); more often
 * when a node closes idle clients sooner (redis.conf `timeout`, in seconds; 0, the default, never).
 */
export const LOCK_KEEPALIVE_MS = 5_000;
const LOCK_KEEPALIVE_MIN_MS = 250;

/** The keepalive interval for the smallest idle `timeout` (s) the nodes report (0 or none: never). */
export function keepAliveInterval(idleTimeoutsS: readonly number[]): number {
  const closing = idleTimeoutsS.filter((t) => Number.isFinite(t) && t > 0);
  if (closing.length === 0) return LOCK_KEEPALIVE_MS;
  return Math.max(LOCK_KEEPALIVE_MIN_MS, Math.min(LOCK_KEEPALIVE_MS, (Math.min(...closing) * 1000) / 3));
}
/**
 * How long a contender ahead of others waits for them to give up (ms). Contenders behind give
 * up within a round trip of seeing it; one that stays past this holds the lock.
 */
export const LOCK_SETTLE_MS = 5_000;
const LOCK_SETTLE_POLL_MS = 50;
/** With a wait: the pause between attempts (ms), randomised by ±50% so waiters do not collide. */
export const LOCK_RETRY_MS = 1_000;

export interface LockTarget {
  /** The cluster's name in messages (and the in-process key): a name, or a node's host:port. */
  readonly cluster: string;
  /** Routes and credentials to the nodes; the lock opens connections of its own through it. */
  readonly pool: AdminPool;
  /** Every node of the cluster (masters and replicas) the caller can reach: the lock lives on each. */
  readonly nodes: readonly Endpoint[];
}

export interface LockOptions {
  /** Wait up to this long (ms) for the lock before refusing; default 0, refuse at once. */
  readonly waitMs?: number;
  readonly token?: CancellationToken;
}

/** The refusal: another operation holds the cluster's lock. */
export class ClusterBusyError extends ConflictError {
  constructor(
    readonly cluster: string,
    readonly holder: LockHolder,
  ) {
    super(busySentence(cluster, holder));
    this.name = 'ClusterBusyError';
  }
}
export const isClusterBusyError = (x: unknown): x is ClusterBusyError => x instanceof ClusterBusyError;

const held = new Map<string, LockHolder>();

/** The operation of this process that holds (or is taking) the cluster's lock. */
export function operationInProgress(cluster: string): string | undefined {
  return held.get(cluster)?.operation;
}

/** Runs `body` holding the cluster's lock; refuses (ClusterBusyError) when another operation holds it. */
export async function withClusterLock<T>(target: LockTarget, operation: string, body: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const local = held.get(target.cluster);
  if (local !== undefined) throw new ClusterBusyError(target.cluster, local);
  const self: LockHolder = { operation, host: hostname(), pid: process.pid, since: Date.now(), nonce: randomBytes(6).toString('hex') };
  held.set(target.cluster, self);
  let lock: NamedClients | undefined;
  try {
    lock = await acquire(target, self, options);
    return await body();
  } finally {
    await lock?.release();
    if (held.get(target.cluster) === self) held.delete(target.cluster);
  }
}

async function acquire(target: LockTarget, self: LockHolder, options: LockOptions): Promise<NamedClients | undefined> {
  // No node to reach: there is nothing another process could be changing through us either.
  if (target.nodes.length === 0) return undefined;
  const token = options.token ?? neverCancelled;
  const deadline = Date.now() + Math.max(0, options.waitMs ?? 0);
  for (;;) {
    if (token.isCancellationRequested) throw new CancelledError(`Stopped waiting for the lock of cluster "${target.cluster}"; nothing was changed.`);
    const outcome = await attempt(target, self);
    if (outcome instanceof NamedClients) return outcome;
    if (Date.now() >= deadline) throw new ClusterBusyError(target.cluster, outcome);
    // A cancel ends the wait; the check at the top of the loop then says so.
    await sleep(LOCK_RETRY_MS * (0.5 + Math.random()), token);
  }
}

/** Registers everywhere, then looks everywhere: the lock, or who is ahead of us. */
async function attempt(target: LockTarget, self: LockHolder): Promise<NamedClients | LockHolder> {
  const clients = new NamedClients(target.pool, encodeLockName(self));
  try {
    const failures = await clients.register(target.nodes);
    if (clients.size === 0) {
      throw new RedisError(`Cannot take the lock of cluster "${target.cluster}": no node accepted it (${failures[0] ?? 'no node'}).`);
    }
    const settleBy = Date.now() + LOCK_SETTLE_MS;
    for (;;) {
      const verdict = judgeContenders(self, await clients.others(target.cluster));
      if (verdict.kind === 'acquired') {
        clients.keepAlive();
        return clients;
      }
      if (verdict.kind === 'lost' || Date.now() >= settleBy) {
        await clients.release();
        return verdict.holder;
      }
      await delay(LOCK_SETTLE_POLL_MS);
    }
  } catch (err) {
    await clients.release();
    throw err;
  }
}

interface Slot {
  readonly endpoint: Endpoint;
  redis: Redis | undefined;
  tending: boolean;
}

/** One named connection per node: registered, checked, kept alive, dropped. */
class NamedClients {
  private readonly slots: Slot[] = [];
  /** Each node's idle `timeout` (s), where CONFIG GET answered. */
  private readonly idleTimeouts: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private released = false;

  constructor(
    private readonly pool: AdminPool,
    private readonly name: string,
  ) {}

  get size(): number {
    return this.slots.length;
  }

  /** Opens and names a connection to every node, in parallel; returns why nodes failed. */
  async register(nodes: readonly Endpoint[]): Promise<string[]> {
    const failures: string[] = [];
    await Promise.all(
      nodes.map(async (endpoint) => {
        try {
          this.slots.push({ endpoint, redis: await this.openNamed(endpoint), tending: false });
        } catch (err) {
          failures.push(`${formatEndpoint(endpoint)}: ${describeError(err)}`);
        }
      }),
    );
    return failures;
  }

  /** Every other lock name on the nodes we registered on (through our own connections). */
  async others(cluster: string): Promise<LockHolder[]> {
    const lists = await Promise.all(
      this.slots.map(async (s) => {
        try {
          if (!s.redis) throw new Error('the connection closed');
          return replyText(await s.redis.call('CLIENT', 'LIST', 'TYPE', 'normal'));
        } catch (err) {
          // Our name there may be gone too: a check without this node proves nothing.
          throw new RedisError(`Cannot take the lock of cluster "${cluster}": ${formatEndpoint(s.endpoint)} failed while it was checked (${describeError(err)}).`, { cause: err });
        }
      }),
    );
    const names = new Set(lists.flatMap(lockNamesInClientList).filter((n) => n !== this.name));
    const holders: LockHolder[] = [];
    for (const n of names) {
      const h = decodeLockName(n);
      if (!h) continue;
      if (isDeadLocalHolder(h, hostname(), pidAlive)) await this.dropDeadHolder(n, lists);
      else holders.push(h);
    }
    return holders;
  }

  /** Closes a dead local holder's connections on every node (its relays then exit too). */
  private async dropDeadHolder(name: string, lists: readonly string[]): Promise<void> {
    await Promise.all(
      this.slots.map(async (s, i) => {
        for (const id of clientIdsNamed(lists[i] ?? '', name)) await s.redis?.call('CLIENT', 'KILL', 'ID', id).catch(() => undefined);
      }),
    );
  }

  keepAlive(): void {
    this.timer = setInterval(() => {
      for (const s of this.slots) void this.tend(s);
    }, keepAliveInterval(this.idleTimeouts));
    // The lock never keeps a process alive by itself.
    this.timer.unref();
  }

  /** Clears the names (so the next contender sees them gone at once), then closes. Idempotent. */
  async release(): Promise<void> {
    this.released = true;
    if (this.timer) clearInterval(this.timer);
    await Promise.all(
      this.slots.map(async (s) => {
        const redis = s.redis;
        s.redis = undefined;
        if (!redis) return;
        await redis.call('CLIENT', 'SETNAME', '').catch(() => undefined);
        redis.disconnect();
      }),
    );
  }

  /** Pings a live connection; reopens and renames one that closed (a node restarted, a tunnel ended). */
  private async tend(s: Slot): Promise<void> {
    if (s.tending || this.released) return;
    s.tending = true;
    try {
      if (s.redis && s.redis.status !== 'end') {
        await s.redis.ping().catch(() => undefined);
        return;
      }
      s.redis = undefined;
      const redis = await this.openNamed(s.endpoint).catch(() => undefined);
      if (redis && this.released) redis.disconnect();
      else s.redis = redis;
    } finally {
      s.tending = false;
    }
  }

  private async openNamed(endpoint: Endpoint): Promise<Redis> {
    const redis = await this.pool.openDedicated(endpoint);
    try {
      await redis.call('CLIENT', 'SETNAME', this.name);
    } catch (err) {
      redis.disconnect();
      throw err;
    }
    // Best effort: CONFIG may be renamed away; then the default interval applies.
    const timeout = await redis.call('CONFIG', 'GET', 'timeout').then((r) => (Array.isArray(r) && r.length >= 2 ? Number(replyText(r[1])) : NaN), () => NaN);
    if (Number.isFinite(timeout)) this.idleTimeouts.push(timeout);
    return redis;
  }
}
