/**
 * The slot mover every operation uses (reshard, rebalance, scale in, the slot map's "move here").
 *
 * Per slot it follows redis-cli's clusterManagerMoveSlot / clusterManagerMigrateKeysInSlot:
 * SETSLOT IMPORTING on the target, SETSLOT MIGRATING on the source, GETKEYSINSLOT + MIGRATE
 * until the source holds no key of the slot, then SETSLOT NODE on the target, the source and
 * every other master. What differs is speed and safety:
 *
 * - Several slots are in flight at once (`slotsInFlight`), and each step is pipelined over all
 *   of them: one round trip opens a whole window of slots, one asks for all their keys, and the
 *   MIGRATE batches (`keysPerMigrate` keys each, one slot per MIGRATE as cluster nodes demand)
 *   are all sent at once. redis-cli moves one slot at a time, one command at a time.
 * - MIGRATE never carries REPLACE unless asked. Before a slot is opened, the target is asked
 *   whether it already holds keys of that slot (an orphan left by a crash or a hand edit); a key
 *   present on both sides is a conflict: the slot is not touched, and is reported. A BUSYKEY that
 *   still happens mid-slot rolls that slot back (its moved keys return to the source, both
 *   sides are made STABLE) and is reported the same way.
 * - Cancelling stops opening new slots; the slots already open are finished (never left
 *   open), so a cancelled move leaves every slot with exactly one owner and every key readable.
 * - The copy engine (copySlot.ts) opens a slot by copying its keys through this process and
 *   handing them over in one checked transaction, instead of MIGRATE, whose cost on the source
 *   (a byte-at-a-time read of every reply) bounds how fast redis-cli can go. Whatever it cannot
 *   take goes the MIGRATE way; every slot then closes as above.
 *
 * MIGRATE runs on the source node and connects to the target's ANNOUNCED address (an overlay
 * IP on the swarm): node-to-node traffic. This host only talks to nodes through the pool's
 * routes.
 */
import Redis from 'ioredis';
import { BadInputError, describeError, NotFoundError, RedisError } from '../errors';
import { CancellationToken, Logger, neverCancelled, nullLogger, ProgressReporter, silentProgress } from '../lifecycle';
import { AdminPool } from '../redis/adminConnection';
import { ClusterNode } from '../cluster/topology';
import { formatEndpoint } from '../routes/endpoint';
import { ChunkOutcome, CopyJob, copyChunks, copySlot, CopyOutcome, listSlotKeys, TargetCopies, TtlHint } from './copySlot';
import { WireLink, WireWriter } from '../redis/wireLink';

/** Slots open at the same time (in all windows): more hides more round trips (measured: 64 → 128 is 10% faster for the copy engine, 256 no faster). */
export const DEFAULT_SLOTS_IN_FLIGHT = 128;
/** Windows of slots in flight at once (see moveSlots). */
const WINDOWS_IN_FLIGHT = 2;
/** Keys per MIGRATE (redis-cli's --cluster-pipeline, whose default is 10). */
export const DEFAULT_KEYS_PER_MIGRATE = 1000;
/** MIGRATE's own timeout (ms) for the source-to-target transfer; redis-cli uses 60000. */
export const DEFAULT_MIGRATE_TIMEOUT_MS = 60_000;
/** A MIGRATE batch that fails for another reason than BUSYKEY is tried this many times. */
export const MIGRATE_ATTEMPTS = 3;
/** Source connections per window for the copy engine (each holds one slot's WATCH at a time). */
export const DEFAULT_COPY_CONNECTIONS = 16;
/** The copy engine hands a slot with more keys than this to MIGRATE. */
export const DEFAULT_COPY_MAX_KEYS_PER_SLOT = 10_000;
/** The copy engine hands a chunk of slots whose DUMPs exceed this many bytes to MIGRATE (memory bound). */
export const DEFAULT_COPY_MAX_BYTES_PER_SLOT = 8 * 1024 * 1024;
/** Copy engine: slots are handed over in transactions of about this many keys (see openByCopy). */
const COPY_KEYS_PER_TRANSACTION = 64;
/** At most this many conflicting key names are kept per slot for the report. */
const MAX_REPORTED_KEYS = 20;

export interface MigrateSettings {
  readonly slotsInFlight: number;
  readonly keysPerMigrate: number;
  readonly migrateTimeoutMs: number;
  /** MIGRATE … REPLACE: overwrite keys the target already holds. Only when the user says so. */
  readonly replace: boolean;
  /**
   * 'migrate': MIGRATE only, as redis-cli does: keys go node to node. 'copy': DUMP on the
   * source and RESTORE-ASKING on the target through this process, in parallel, then an atomic
   * hand-over on the source (copySlot.ts); slots it cannot take go the MIGRATE way. 'auto'
   * (default): 'copy' when this process reaches every node involved directly or by a published
   * port, 'migrate' when some node is reached through a Docker API tunnel (every byte would
   * then cross the Docker API twice, and each of the copy's connections costs an exec).
   */
  readonly engine: MoveEngine;
  /** Copy engine: source connections per window of slots. */
  readonly copyConnections: number;
  /** Copy engine: slots with more keys than this are moved with MIGRATE. */
  readonly copyMaxKeysPerSlot: number;
  /** Copy engine: a chunk of slots whose DUMPs exceed this many bytes is moved with MIGRATE. */
  readonly copyMaxBytesPerSlot: number;
}

export type MoveEngine = 'auto' | 'copy' | 'migrate';
export const MOVE_ENGINES: readonly MoveEngine[] = ['auto', 'copy', 'migrate'];

export const DEFAULT_MIGRATE_SETTINGS: MigrateSettings = {
  slotsInFlight: DEFAULT_SLOTS_IN_FLIGHT,
  keysPerMigrate: DEFAULT_KEYS_PER_MIGRATE,
  migrateTimeoutMs: DEFAULT_MIGRATE_TIMEOUT_MS,
  replace: false,
  engine: 'auto',
  copyConnections: DEFAULT_COPY_CONNECTIONS,
  copyMaxKeysPerSlot: DEFAULT_COPY_MAX_KEYS_PER_SLOT,
  copyMaxBytesPerSlot: DEFAULT_COPY_MAX_BYTES_PER_SLOT,
};

export interface SlotMove {
  readonly slot: number;
  readonly sourceId: string;
  readonly targetId: string;
}

export interface MigrateProgress {
  readonly slotsDone: number;
  readonly slotsTotal: number;
  readonly keysMoved: number;
  readonly keysPerSecond: number;
  readonly elapsedMs: number;
}

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
  readonly settings?: Partial<MigrateSettings>;
  readonly token?: CancellationToken;
  readonly progress?: ProgressReporter;
  readonly onProgress?: (p: MigrateProgress) => void;
  readonly logger?: Logger;
}

type Phase = 'open' | 'draining' | 'closing' | 'done' | 'conflict' | 'failed';

interface SlotState {
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

const keyText = (k: Buffer): string => k.toString('utf8');

/** A slot the copy engine copies, with its state in the mover. */
type SlotJob = CopyJob & { readonly s: SlotState };

/** A window prepared for the copy engine: IMPORTING set, keys listed. */
interface CopyPlan {
  /** Slots to open the MIGRATE way (no key, too many keys, no list). */
  readonly toMigrate: SlotState[];
  readonly sources: { readonly sourceId: string; readonly jobs: readonly SlotJob[] }[];
}

/**
 * Dedicated connections for bulk work, bare pipelined links (wireLink.ts): MIGRATE may take
 * longer than an admin command may, and the copy engine moves keys in wire form.
 */
class BulkConnections {
  private readonly links = new Map<string, Promise<WireLink>>();
  private readonly closedLinks = new Set<string>();
  constructor(
    private readonly pool: AdminPool,
    private readonly nodes: ReadonlyMap<string, ClusterNode>,
    /** No reply byte for this long fails a link (ms). */
    private readonly timeoutMs: number,
  ) {}

  /** The shared link to a node, or with `lane` one of its dedicated ones. */
  get(id: string, lane?: string): Promise<WireLink> {
    const key = lane === undefined ? id : `${id}#${lane}`;
    let c = this.links.get(key);
    // A link closed by a budget overrun or a broken socket is replaced on the next use.
    if (c && this.closedLinks.has(key)) c = undefined;
    if (!c) {
      this.closedLinks.delete(key);
      const node = this.nodes.get(id);
      if (!node) return Promise.reject(new NotFoundError(`Node ${id.slice(0, 8)} is not in the cluster.`));
      // The admin connection's route and credentials: its options name the routed address.
      c = this.options(id).then((o) =>
        WireLink.open({
          announced: node.endpoint,
          target: { host: o.host ?? '127.0.0.1', port: o.port ?? 6379 },
          username: o.username ?? undefined,
          password: o.password ?? undefined,
          timeoutMs: this.timeoutMs,
        }),
      );
      c.then((l) => l.onClose(() => this.closedLinks.add(key)), () => this.closedLinks.add(key));
      this.links.set(key, c);
    }
    return c;
  }

  /** The admin connection's options for a node: routed address and credentials. */
  async options(id: string): Promise<Redis['options']> {
    const node = this.nodes.get(id);
    if (!node) throw new NotFoundError(`Node ${id.slice(0, 8)} is not in the cluster.`);
    return (await this.pool.get(node.endpoint)).options;
  }

  async close(): Promise<void> {
    const links = [...this.links.values()];
    this.links.clear();
    await Promise.all(links.map((c) => c.then((l) => l.close(), () => undefined)));
  }
}

/**
 * A promise awaited later, after other awaits: its rejection meanwhile is not an unhandled one
 * (which ends the process), and still reaches the code that awaits it.
 */
function later<T>(p: Promise<T>): Promise<T> {
  p.catch(() => undefined);
  return p;
}

function groupBy<T>(items: readonly T[], key: (t: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const i of items) {
    const k = key(i);
    const list = m.get(k);
    if (list) list.push(i);
    else m.set(k, [i]);
  }
  return m;
}

type Result = { ok: true; value: unknown } | { ok: false; error: Error };

/** Runs one command per item on the node, all pipelined in one write; each result is a reply or an error. */
async function pipelined<T>(link: WireLink, items: readonly T[], args: (t: T) => readonly (string | Buffer | number)[]): Promise<Result[]> {
  const w = new WireWriter();
  for (const t of items) {
    const a = args(t);
    w.array(a.length);
    for (const x of a) w.bulk(x);
  }
  try {
    const r = await link.send(w);
    return items.map((_, i) => (r.isError(i) ? { ok: false, error: new Error(r.text(i)) } : { ok: true, value: r.value(i) }));
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    return items.map(() => ({ ok: false, error }));
  }
}

/** Runs one command; a Redis error is thrown. */
async function one(link: WireLink, args: readonly (string | Buffer | number)[]): Promise<unknown> {
  const [r] = await pipelined(link, [args], (a) => a);
  if (!r) throw new Error('no reply');
  if (!r.ok) throw r.error;
  return r.value;
}

/** Moves the given slots; never throws for a single slot's trouble, which the report lists. */
export async function moveSlots(ctx: MoveContext, moves: readonly SlotMove[], options: { resume?: boolean } = {}): Promise<MoveReport> {
  const settings: MigrateSettings = { ...DEFAULT_MIGRATE_SETTINGS, ...ctx.settings };
  const token = ctx.token ?? neverCancelled;
  const progress = ctx.progress ?? silentProgress;
  const logger = ctx.logger ?? nullLogger;
  const byId = new Map(ctx.nodes.map((n) => [n.id, n]));
  validateMoves(moves, byId, settings);

  const started = Date.now();
  const engine = await chooseEngine(ctx.pool, settings.engine, moves, byId);
  // Per source, whether its keys have TTLs (copySlot.ts TtlHint): first assumed not.
  const ttlHints = new Map<string, TtlHint>();
  const ttlHintOf = (id: string): TtlHint => {
    let h = ttlHints.get(id);
    if (!h) ttlHints.set(id, (h = { volatile: false }));
    return h;
  };
  const bulk = new BulkConnections(ctx.pool, byId, settings.migrateTimeoutMs + 10_000);
  const queue = [...moves];
  const done: SlotMove[] = [];
  const conflicts: SlotConflict[] = [];
  const failed: { move: SlotMove; error: string }[] = [];
  const warnings: string[] = [];
  let keysMoved = 0;
  let lastReport = 0;
  const tellOthers: Promise<void>[] = [];
  const masters = ctx.nodes.filter((n) => n.role === 'master' && !n.flags.fail && !n.flags.noaddr && !n.flags.handshake);

  const report = (force = false): void => {
    const now = Date.now();
    if (!force && now - lastReport < 200) return;
    lastReport = now;
    const elapsedMs = now - started;
    const p: MigrateProgress = {
      slotsDone: done.length,
      slotsTotal: moves.length,
      keysMoved,
      keysPerSecond: elapsedMs > 0 ? Math.round((keysMoved * 1000) / elapsedMs) : 0,
      elapsedMs,
    };
    ctx.onProgress?.(p);
    progress.report({ message: `moved ${p.slotsDone}/${p.slotsTotal} slots, ${p.keysMoved} keys, ${p.keysPerSecond} keys/s` });
  };

  // MIGRATE authenticates to the target itself: with the cluster's password when there is one.
  const authArgs = async (sourceId: string): Promise<string[]> => {
    const o = await bulk.options(sourceId);
    if (o.password === undefined || o.password === null || o.password === '') return [];
    return o.username ? ['AUTH2', o.username, o.password] : ['AUTH', o.password];
  };

  const windowSize = Math.max(1, Math.ceil(settings.slotsInFlight / WINDOWS_IN_FLIGHT));
  const takeWindow = (): SlotState[] | undefined => {
    if (queue.length === 0 || token.isCancellationRequested) return undefined;
    // resume: the slots are open already (fix finishing a move a crash interrupted).
    return queue
      .splice(0, windowSize)
      .map((move): SlotState => ({ move, phase: options.resume === true ? 'draining' : 'open', more: true, failures: 0, busy: false }));
  };
  /** Before the keys move: the precheck, then IMPORTING (and for the copy engine the key lists). */
  const prepare = async (window: SlotState[]): Promise<CopyPlan | undefined> => {
    if (options.resume === true) return undefined;
    await precheck(window);
    const open = window.filter((s) => s.phase === 'open');
    if (engine === 'copy') return prepareCopy(open);
    await openSlots(open);
    return undefined;
  };
  /** Drain until every open slot is closed; a cancel does not stop this (finish, never leave open). */
  const finish = async (window: SlotState[]): Promise<void> => {
    for (let round = 0; window.some((s) => s.phase === 'draining' || s.phase === 'closing'); round++) {
      await drainRound(window.filter((s) => s.phase === 'draining'));
      await resolveBusy(window.filter((s) => s.busy));
      await closeSlots(window.filter((s) => s.phase === 'closing'));
      report();
      if (round > 100_000) throw new RedisError('Slot migration makes no progress.');
    }
    for (const s of window) {
      if (s.phase === 'done') done.push(s.move);
      else if (s.phase === 'conflict') conflicts.push({ move: s.move, keys: s.conflictKeys ?? [], message: s.error ?? 'conflict' });
      else if (s.phase === 'failed') failed.push({ move: s.move, error: s.error ?? 'failed' });
    }
  };
  // Two workers, each pipelined: the next window is prepared while this one's keys move, and
  // this one drains and closes while the next one's keys move. Without it both workers reached
  // their SETSLOT round trips at the same moments and the source and this process idled there
  // (measured: a fifth of each window's time).
  const worker = async (w: number): Promise<void> => {
    const finishing: Promise<void>[] = [];
    let next = takeWindow();
    let prepared = next ? later(prepare(next)) : undefined;
    while (next && prepared) {
      const window = next;
      const plan = await prepared;
      next = takeWindow();
      prepared = next ? later(prepare(next)) : undefined;
      if (plan) await copyWindow(plan, w);
      finishing.push(later(finish(window)));
    }
    await Promise.all(finishing);
  };
  try {
    await Promise.all(Array.from({ length: WINDOWS_IN_FLIGHT }, (_, w) => worker(w)));
    await Promise.all(tellOthers);
  } finally {
    await bulk.close();
  }
  report(true);
  return {
    moved: done,
    conflicts,
    failed,
    notStarted: queue,
    warnings,
    keysMoved,
    elapsedMs: Date.now() - started,
    cancelled: token.isCancellationRequested,
    engine,
  };

  /**
   * Before opening: does the target already hold keys of the slot? Keys it holds that the
   * source holds too would make MIGRATE answer BUSYKEY (or, with REPLACE, be overwritten).
   */
  async function precheck(window: SlotState[]): Promise<void> {
    await Promise.all(
      [...groupBy(window, (s) => s.move.targetId)].map(async ([targetId, slots]) => {
        const t = await bulk.get(targetId);
        const counts = await pipelined(t, slots, (s) => ['CLUSTER', 'COUNTKEYSINSLOT', s.move.slot]);
        const dirty = slots.filter((_, i) => {
          const c = counts[i];
          return c !== undefined && (!c.ok || Number(c.value) > 0);
        });
        for (const s of dirty) {
          const keys = ((await one(t, ['CLUSTER', 'GETKEYSINSLOT', s.move.slot, settings.keysPerMigrate])) as Buffer[]) ?? [];
          const src = await bulk.get(s.move.sourceId);
          const exists = await pipelined(src, keys, (k) => ['EXISTS', k]);
          const both = keys.filter((_, i) => exists[i]?.ok === true && Number((exists[i] as { value: unknown }).value) === 1);
          if (both.length > 0 && !settings.replace) {
            s.phase = 'conflict';
            s.conflictKeys = both.slice(0, MAX_REPORTED_KEYS).map(keyText);
            s.error =
              `slot ${s.move.slot}: ${both.length}${keys.length === settings.keysPerMigrate ? '+' : ''} key(s) exist on both ` +
              `${label(s.move.sourceId)} and ${label(s.move.targetId)} (${s.conflictKeys.slice(0, 5).join(', ')}); the slot was not moved. ` +
              'Compare and delete one copy, or move with --replace to let the source overwrite the target.';
          } else {
            warnings.push(
              `slot ${s.move.slot}: ${label(s.move.targetId)} already held ${keys.length} key(s) of it that ${label(s.move.sourceId)} does not have; ` +
                'they become visible once the slot is moved.',
            );
          }
        }
      }),
    );
  }

  async function openSlots(slots: SlotState[]): Promise<void> {
    if (slots.length === 0) return;
    await setImporting(slots);
    await setMigrating(slots.filter((s) => s.phase === 'open'));
  }

  /** Target first, as redis-cli does: the source's ASK redirects then find a target that accepts them. */
  async function setImporting(slots: SlotState[]): Promise<void> {
    await Promise.all(
      [...groupBy(slots, (s) => s.move.targetId)].map(async ([targetId, list]) => {
        const res = await pipelined(await bulk.get(targetId), list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'IMPORTING', s.move.sourceId]);
        list.forEach((s, i) => {
          const r = res[i];
          if (r && !r.ok) fail(s, `SETSLOT IMPORTING on ${label(targetId)}: ${r.error.message}`);
        });
      }),
    );
  }

  async function setMigrating(importing: SlotState[]): Promise<void> {
    await Promise.all(
      [...groupBy(importing, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
        const res = await pipelined(await bulk.get(sourceId), list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'MIGRATING', s.move.targetId]);
        const undo: SlotState[] = [];
        list.forEach((s, i) => {
          const r = res[i];
          if (r && !r.ok) {
            fail(s, `SETSLOT MIGRATING on ${label(sourceId)}: ${r.error.message}`);
            undo.push(s);
          } else s.phase = 'draining';
        });
        // The target was set importing: make it stable again so nothing stays open.
        for (const s of undo) await stable(s.move.targetId, s.move.slot);
      }),
    );
  }

  /**
   * The copy engine's way to open a window (see copySlot.ts for why it is safe), first half:
   * IMPORTING on the targets and the key lists of all slots, in one pipeline per node. Then
   * copyWindow copies and hands each slot over on a dedicated source connection (WATCH is per
   * connection), several at once. A committed slot is MIGRATING with its keys on the target; a
   * slot the copy could not take is opened the MIGRATE way. Either way it then drains as usual
   * (usually nothing is left).
   */
  async function prepareCopy(slots: SlotState[]): Promise<CopyPlan | undefined> {
    if (slots.length === 0) return undefined;
    await setImporting(slots);
    const importing = slots.filter((s) => s.phase === 'open');
    const plan: CopyPlan = { toMigrate: [], sources: [] };
    await Promise.all(
      [...groupBy(importing, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
        const lists = await bulk.get(sourceId).then(
          (src) => listSlotKeys(src, list.map((s) => s.move.slot), settings.copyMaxKeysPerSlot),
          (err: unknown) => list.map(() => (err instanceof Error ? err : new Error(String(err)))),
        );
        const jobs: SlotJob[] = [];
        for (const [i, s] of list.entries()) {
          const keys = lists[i];
          // Not silent: a failing key list sends the slot the MIGRATE way, which hides itself.
          if (keys instanceof Error) logger.warn(`slot ${s.move.slot}: listing its keys for the copy failed (${keys.message}); moved the MIGRATE way`);
          // No key (nothing to copy), too many, or no list: opened the usual way.
          if (keys === undefined || keys instanceof Error || keys.length === 0 || keys.length > settings.copyMaxKeysPerSlot) plan.toMigrate.push(s);
          else jobs.push({ s, slot: s.move.slot, targetId: s.move.targetId, keys, target: await bulk.get(s.move.targetId), ours: new TargetCopies() });
        }
        plan.sources.push({ sourceId, jobs });
      }),
    );
    return plan;
  }

  /** The copy of a prepared window: chunks on several lanes per source, then the retries. */
  async function copyWindow(plan: CopyPlan, w: number): Promise<void> {
    const toMigrate = [...plan.toMigrate];
    const limits = { maxKeys: settings.copyMaxKeysPerSlot, maxBytes: settings.copyMaxBytesPerSlot };
    await Promise.all(
      plan.sources.map(async ({ sourceId, jobs }) => {
        // Slots grouped into transactions of about COPY_KEYS_PER_TRANSACTION keys, run on
        // several connections at once. Not one per window: WATCH looks each key up in the
        // connection's list of watched keys (watchForKey in multi.c), so its cost grows with the
        // square of the keys one connection watches (measured: 460 µs per WATCH at 2,000 keys).
        const chunks: SlotJob[][] = [];
        let chunkKeys = Infinity;
        for (const job of jobs) {
          if (chunkKeys >= COPY_KEYS_PER_TRANSACTION) {
            chunks.push([]);
            chunkKeys = 0;
          }
          (chunks[chunks.length - 1] as SlotJob[]).push(job);
          chunkKeys += job.keys.length;
        }
        const outcomes = new Map<number, ChunkOutcome>();
        // The lanes share the queue: each takes the next chunk when its last one is copied.
        const queued = chunks[Symbol.iterator]();
        await Promise.all(
          Array.from({ length: Math.min(settings.copyConnections, chunks.length) }, async (_, lane) => {
            for (const [slot, o] of await copyChunks(() => bulk.get(sourceId, `${w}.${lane}`), queued, limits, ttlHintOf(sourceId))) outcomes.set(slot, o);
          }),
        );
        const apply = async (s: SlotState, out: CopyOutcome): Promise<void> => {
          if (out.kind === 'committed') {
            // Nothing left on the (migrating) source: no drain round needed.
            s.phase = out.left === 0 ? 'closing' : 'draining';
            keysMoved += out.keys;
          } else if (out.kind === 'fallback') {
            logger.debug(`slot ${s.move.slot}: moved the MIGRATE way (${out.reason})`);
            toMigrate.push(s);
          } else {
            fail(s, `slot ${s.move.slot}: ${out.error}${out.copiesLeft ? '; it is still importing on the target, run `fix`' : ''}`);
            if (!out.copiesLeft) await stable(s.move.targetId, s.move.slot).catch(() => undefined);
          }
        };
        const retry: SlotJob[] = [];
        for (const job of jobs) {
          const out = outcomes.get(job.slot);
          if (out === undefined) await apply(job.s, { kind: 'failed', error: 'the copy gave no outcome', copiesLeft: true });
          else if (out.kind === 'retry') retry.push(job);
          else await apply(job.s, out);
        }
        // Slots whose keys changed during their chunk's copy: again, one slot per connection.
        await Promise.all(
          Array.from({ length: Math.min(settings.copyConnections, retry.length) }, async (_, lane) => {
            const conn = await bulk.get(sourceId, `${w}.${lane}`);
            for (let job = retry.shift(); job; job = retry.shift()) await apply(job.s, await copySlot(conn, job, limits));
          }),
        );
      }),
    );
    await setMigrating(toMigrate);
  }

  /** One round: ask every draining slot for keys, then MIGRATE them all, pipelined per source. */
  async function drainRound(slots: SlotState[]): Promise<void> {
    await Promise.all(
      [...groupBy(slots, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
        const src = await bulk.get(sourceId);
        const replies = await pipelined(src, list, (s) => ['CLUSTER', 'GETKEYSINSLOT', s.move.slot, settings.keysPerMigrate]);
        const batches: { targetId: string; keys: Buffer[]; slots: SlotState[] }[] = [];
        for (const [targetId, group] of groupBy(list.map((s, i) => ({ s, r: replies[i] })), (x) => x.s.move.targetId)) {
          for (const { s, r } of group) {
            if (!r || !r.ok) {
              fail(s, `GETKEYSINSLOT on ${label(sourceId)}: ${r ? r.error.message : 'no reply'}`);
              continue;
            }
            const keys = r.value as Buffer[];
            s.more = keys.length >= settings.keysPerMigrate;
            if (keys.length === 0) {
              s.phase = 'closing';
              continue;
            }
            // One MIGRATE per slot: a cluster node refuses keys of several slots in one
            // command (CROSSSLOT). Many MIGRATEs in flight at once make up for it.
            batches.push({ targetId, keys, slots: [s] });
          }
        }
        const auth = await authArgs(sourceId);
        // All MIGRATEs in one write: the source runs them one after the other, with no gap.
        const results = await pipelined(src, batches, (b) => {
          const target = byId.get(b.targetId) as ClusterNode;
          return ['MIGRATE', target.endpoint.host, target.endpoint.port, '', 0, settings.migrateTimeoutMs, ...auth, ...(settings.replace ? ['REPLACE'] : []), 'KEYS', ...b.keys];
        });
        batches.forEach((b, i) => {
          const r = results[i];
          if (r?.ok) {
            keysMoved += b.keys.length;
            for (const s of b.slots) {
              s.failures = 0;
              // Fewer keys than asked for and all moved: the slot is empty (a migrating source
              // creates no new key in it: writes to missing keys are redirected with ASK).
              if (!s.more) s.phase = 'closing';
            }
            return;
          }
          const message = r ? r.error.message : 'no reply';
          if (/BUSYKEY/.test(message)) {
            for (const s of b.slots) s.busy = true;
            return;
          }
          for (const s of b.slots) {
            s.failures++;
            logger.warn(`MIGRATE of ${b.keys.length} keys from ${label(sourceId)} to ${label(b.targetId)} failed (attempt ${s.failures}): ${message}`);
            if (s.failures >= MIGRATE_ATTEMPTS) s.error = `MIGRATE from ${label(sourceId)} to ${label(b.targetId)}: ${message}`;
          }
        });
        // Slots whose MIGRATE keeps failing: give them back to the source rather than leave them open.
        for (const s of list) if (s.error !== undefined && s.phase === 'draining') await rollback(s, 'failed');
      }),
    );
  }

  /** A BUSYKEY mid-slot: a key is on both sides. Find it; roll the slot back unless it is gone. */
  async function resolveBusy(slots: SlotState[]): Promise<void> {
    for (const s of slots) {
      s.busy = false;
      if (s.phase !== 'draining' && s.phase !== 'closing') continue;
      const src = await bulk.get(s.move.sourceId);
      const tgt = await bulk.get(s.move.targetId);
      const keys = ((await one(src, ['CLUSTER', 'GETKEYSINSLOT', s.move.slot, settings.keysPerMigrate])) as Buffer[]) ?? [];
      const exists = await pipelined(tgt, keys, (k) => ['EXISTS', k]);
      const both = keys.filter((_, i) => exists[i]?.ok === true && Number((exists[i] as { value: unknown }).value) === 1);
      if (both.length === 0) {
        s.phase = 'draining';
        continue;
      }
      s.conflictKeys = both.slice(0, MAX_REPORTED_KEYS).map(keyText);
      s.error =
        `slot ${s.move.slot}: target ${label(s.move.targetId)} answered BUSYKEY: ${both.length} key(s) exist on both sides ` +
        `(${s.conflictKeys.slice(0, 5).join(', ')}); the slot was given back to ${label(s.move.sourceId)} and nothing was overwritten.`;
      await rollback(s, 'conflict');
    }
  }

  /**
   * Gives a half-moved slot back to its source: the keys already on the target (except those
   * the source holds too, which were there before) return with MIGRATE, then both sides are
   * made STABLE, target first so it stops accepting ASKING for the slot.
   */
  async function rollback(s: SlotState, phase: 'conflict' | 'failed'): Promise<void> {
    const { slot, sourceId, targetId } = s.move;
    const tgt = await bulk.get(targetId);
    const src = await bulk.get(sourceId);
    const source = byId.get(sourceId) as ClusterNode;
    const auth = await authArgs(targetId);
    const keep = new Set<string>();
    try {
      for (let i = 0; i < 10_000; i++) {
        const keys = (((await one(tgt, ['CLUSTER', 'GETKEYSINSLOT', slot, settings.keysPerMigrate + keep.size])) as Buffer[]) ?? []).filter(
          (k) => !keep.has(k.toString('hex')),
        );
        if (keys.length === 0) break;
        const onSource = await pipelined(src, keys, (k) => ['EXISTS', k]);
        const back = keys.filter((k, j) => {
          const both = onSource[j]?.ok === true && Number((onSource[j] as { value: unknown }).value) === 1;
          if (both) keep.add(k.toString('hex'));
          return !both;
        });
        if (back.length === 0) continue;
        await one(tgt, ['MIGRATE', source.endpoint.host, source.endpoint.port, '', 0, settings.migrateTimeoutMs, ...auth, 'KEYS', ...back]);
        keysMoved -= back.length;
      }
      await stable(targetId, slot);
      await stable(sourceId, slot);
      s.phase = phase;
    } catch (err) {
      s.phase = 'failed';
      s.error = `${s.error ?? ''} Rolling slot ${slot} back failed too (${describeError(err)}): it is still open; run \`fix\`.`.trim();
    }
  }

  async function stable(id: string, slot: number): Promise<void> {
    await one(await bulk.get(id), ['CLUSTER', 'SETSLOT', slot, 'STABLE']);
  }

  /** SETSLOT NODE: on the target, then the source, then every other master (redis-cli tells all). */
  async function closeSlots(slots: SlotState[]): Promise<void> {
    if (slots.length === 0) return;
    const setNode = async (nodeId: string, list: SlotState[]): Promise<({ ok: true; value: unknown } | { ok: false; error: Error })[]> =>
      pipelined(await bulk.get(nodeId), list, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'NODE', s.move.targetId]);
    await Promise.all(
      [...groupBy(slots, (s) => s.move.targetId)].map(async ([targetId, list]) => {
        // The target takes each slot. SETSLOT NODE on an importing slot bumps the target's
        // config epoch and broadcasts a PONG to every node, each of which then walks all 16384
        // slots (clusterUpdateSlotsConfigWith): per slot, that was a tenth of the source's time
        // (measured). So all but the last slot of the batch are first made STABLE (no longer
        // importing: SETSLOT NODE then assigns without a broadcast), in the same pipeline, and
        // the last one closes the usual way: one epoch bump (it happens at most once anyway)
        // and one PONG, which carries every slot the target now owns.
        const link = await bulk.get(targetId);
        const last = list.length - 1;
        const res = await pipelined(
          link,
          list.flatMap((s, i) => (i < last ? [['STABLE', s], ['NODE', s]] : [['NODE', s]]) as [string, SlotState][]),
          ([what, s]) => (what === 'STABLE' ? ['CLUSTER', 'SETSLOT', s.move.slot, 'STABLE'] : ['CLUSTER', 'SETSLOT', s.move.slot, 'NODE', s.move.targetId]),
        );
        const reimport: SlotState[] = [];
        list.forEach((s, i) => {
          const [stable, node] = i < last ? [res[2 * i], res[2 * i + 1]] : [undefined, res[2 * i]];
          const bad = [stable, node].find((r) => r !== undefined && !r.ok);
          if (!bad || bad.ok) return;
          fail(s, `SETSLOT on target ${label(targetId)}: ${bad.error.message}; the slot is still open, run \`fix\`.`);
          // Stable but not owned: importing again, so the keys already there stay reachable.
          if (stable?.ok) reimport.push(s);
        });
        if (reimport.length > 0) await pipelined(link, reimport, (s) => ['CLUSTER', 'SETSLOT', s.move.slot, 'IMPORTING', s.move.sourceId]);
      }),
    );
    const ok = slots.filter((s) => s.phase === 'closing');
    await Promise.all(
      [...groupBy(ok, (s) => s.move.sourceId)].map(async ([sourceId, list]) => {
        const res = await setNode(sourceId, list);
        list.forEach((s, i) => {
          const r = res[i];
          if (r && !r.ok) {
            // "still hold keys": a key arrived after the last GETKEYSINSLOT. Drain again.
            if (/hold keys|still hold/i.test(r.error.message)) s.phase = 'draining';
            else fail(s, `SETSLOT NODE on source ${label(sourceId)}: ${r.error.message}; run \`fix\`.`);
          }
        });
      }),
    );
    const closed = slots.filter((s) => s.phase === 'closing');
    // The other masters would learn from gossip (the target bumped its epoch); telling them
    // saves a redirect or two for clients. A master that cannot be told is not an error, and
    // the slot is done without waiting for them (awaited before the move returns).
    tellOthers.push(Promise.all(
      masters.map(async (m) => {
        const list = closed.filter((s) => s.move.targetId !== m.id && s.move.sourceId !== m.id);
        if (list.length === 0) return;
        try {
          const res = await setNode(m.id, list);
          const bad = res.find((r) => !r.ok);
          if (bad && !bad.ok) logger.debug(`SETSLOT NODE on ${label(m.id)}: ${bad.error.message}`);
        } catch (err) {
          logger.debug(`SETSLOT NODE on ${label(m.id)}: ${describeError(err)}`);
        }
      }),
    ).then(() => undefined));
    for (const s of closed) s.phase = 'done';
  }

  function fail(s: SlotState, error: string): void {
    s.phase = 'failed';
    s.error = error;
  }

  function label(id: string): string {
    const n = byId.get(id);
    return n ? `${n.hostname ?? formatEndpoint(n.endpoint)} (${id.slice(0, 8)})` : id.slice(0, 8);
  }
}

/** 'auto' resolved: copy only when every node involved is reached without a tunnel. */
async function chooseEngine(pool: AdminPool, wanted: MoveEngine, moves: readonly SlotMove[], byId: ReadonlyMap<string, ClusterNode>): Promise<'copy' | 'migrate'> {
  if (wanted !== 'auto') return wanted;
  const ids = new Set(moves.flatMap((m) => [m.sourceId, m.targetId]));
  const kinds = await Promise.all([...ids].map(async (id) => (await pool.route((byId.get(id) as ClusterNode).endpoint)).kind));
  return kinds.every((k) => k !== 'tunnel') ? 'copy' : 'migrate';
}

function validateMoves(moves: readonly SlotMove[], byId: ReadonlyMap<string, ClusterNode>, settings: MigrateSettings): void {
  const seen = new Set<number>();
  for (const m of moves) {
    if (seen.has(m.slot)) throw new BadInputError(`Slot ${m.slot} appears twice in one move.`);
    seen.add(m.slot);
    for (const id of [m.sourceId, m.targetId]) {
      const n = byId.get(id);
      if (!n) throw new BadInputError(`Node ${id.slice(0, 8)} is not in the cluster.`);
      if (n.role !== 'master') throw new BadInputError(`Node ${id.slice(0, 8)} is a replica; slots move between masters.`);
    }
    if (m.sourceId === m.targetId) throw new BadInputError(`Slot ${m.slot}: source and target are the same node.`);
  }
  if (!MOVE_ENGINES.includes(settings.engine)) throw new BadInputError(`The engine must be one of ${MOVE_ENGINES.join(', ')}, not ${String(settings.engine)}.`);
  for (const [name, v] of [
    ['slots in flight', settings.slotsInFlight],
    ['keys per MIGRATE', settings.keysPerMigrate],
    ['MIGRATE timeout', settings.migrateTimeoutMs],
    ['copy connections', settings.copyConnections],
    ['copy keys per slot', settings.copyMaxKeysPerSlot],
    ['copy bytes per slot', settings.copyMaxBytesPerSlot],
  ] as const) {
    if (!Number.isInteger(v) || v < 1) throw new BadInputError(`The ${name} must be a whole number of at least 1, not ${v}.`);
  }
}
