/**
 * One run of the slot mover: its settings, connections and counters, and what it reports. The
 * steps (openSlots.ts, copyWindow.ts, drain.ts, closeSlots.ts) act on slots through it.
 */
import { nodeLabel } from '../../cluster/nodeNames';
import { type ClusterNode } from '../../cluster/topology';
import { type CancellationToken, type Logger, neverCancelled, nullLogger } from '../../lifecycle';
import { BulkConnections } from './bulkConnections';
import { type TtlHint } from './copySlot';
import { type MoveContext, type MoveProgress, type MoveReport, type SlotConflict, type SlotMove } from './moveTypes';
import { type MoveSettings } from './settings';
import { type SlotState } from './slotState';
import { one } from './wireCommands';

/** Progress events at most this often (ms), and once at the end. */
export const MOVE_PROGRESS_INTERVAL_MS = 200;
/** A bulk link may wait this much longer than MIGRATE's own timeout for a reply (ms). */
const BULK_TIMEOUT_MARGIN_MS = 10_000;

export class MoveRun {
  readonly token: CancellationToken;
  readonly logger: Logger;
  readonly bulk: BulkConnections;
  /** The masters that are told about each closed slot (not failed, with an address). */
  readonly masters: readonly ClusterNode[];
  readonly warnings: string[] = [];
  private readonly byId: ReadonlyMap<string, ClusterNode>;
  private readonly started = Date.now();
  private readonly moved: SlotMove[] = [];
  private readonly conflicts: SlotConflict[] = [];
  private readonly failed: { move: SlotMove; error: string }[] = [];
  /** SETSLOT NODE on the other masters, awaited before the move returns (see closeSlots). */
  private readonly broadcasts: Promise<void>[] = [];
  /** Per source, whether its keys have TTLs (copySlot.ts TtlHint): first assumed not. */
  private readonly ttlHints = new Map<string, TtlHint>();
  private keys = 0;
  private lastProgress = 0;

  constructor(
    private readonly ctx: MoveContext,
    readonly settings: MoveSettings,
    readonly engine: 'copy' | 'migrate',
    private readonly slotsTotal: number,
  ) {
    this.token = ctx.token ?? neverCancelled;
    this.logger = ctx.logger ?? nullLogger;
    this.byId = new Map(ctx.nodes.map((n) => [n.id, n]));
    this.bulk = new BulkConnections(ctx.pool, this.byId, settings.migrateTimeoutMs + BULK_TIMEOUT_MARGIN_MS);
    this.masters = ctx.nodes.filter((n) => n.role === 'master' && !n.flags.fail && !n.flags.noaddr && !n.flags.handshake);
  }

  get keysMoved(): number {
    return this.keys;
  }

  /** Keys that reached the target (negative: given back by a rollback). */
  countKeys(n: number): void {
    this.keys += n;
  }

  node(id: string): ClusterNode {
    return this.byId.get(id) as ClusterNode;
  }

  /** A node as messages name it: hostname (or address) and short ID. */
  label(id: string): string {
    return nodeLabel(this.byId, id);
  }

  fail(s: SlotState, error: string): void {
    s.phase = 'failed';
    s.error = error;
  }

  ttlHint(sourceId: string): TtlHint {
    let h = this.ttlHints.get(sourceId);
    if (!h) this.ttlHints.set(sourceId, (h = { volatile: false }));
    return h;
  }

  /** MIGRATE run on `nodeId` logs in to its peer itself: with the cluster's password when there is one. */
  async authArgs(nodeId: string): Promise<string[]> {
    const { username, password } = await this.bulk.access(nodeId);
    if (password === undefined || password === '') return [];
    return username ? ['AUTH2', username, password] : ['AUTH', password];
  }

  async stable(nodeId: string, slot: number): Promise<void> {
    await one(await this.bulk.get(nodeId), ['CLUSTER', 'SETSLOT', slot, 'STABLE']);
  }

  /** A SETSLOT broadcast to the other masters, which the slot does not wait for. */
  broadcast(p: Promise<void>): void {
    this.broadcasts.push(p);
  }

  /** Every broadcast answered (a master that could not be told is no error). */
  async broadcastsSent(): Promise<void> {
    await Promise.all(this.broadcasts);
  }

  /** A settled slot's outcome into the report. */
  record(s: SlotState): void {
    if (s.phase === 'done') this.moved.push(s.move);
    else if (s.phase === 'conflict') this.conflicts.push({ move: s.move, keys: s.conflictKeys ?? [], message: s.error ?? 'conflict' });
    else if (s.phase === 'failed') this.failed.push({ move: s.move, error: s.error ?? 'failed' });
  }

  /** Sends the counters, unless the last were sent less than MOVE_PROGRESS_INTERVAL_MS ago. */
  progress(force = false): void {
    const now = Date.now();
    if (!force && now - this.lastProgress < MOVE_PROGRESS_INTERVAL_MS) return;
    this.lastProgress = now;
    const elapsedMs = now - this.started;
    const p: MoveProgress = {
      slotsDone: this.moved.length,
      slotsTotal: this.slotsTotal,
      keysMoved: this.keys,
      keysPerSecond: elapsedMs > 0 ? Math.round((this.keys * 1000) / elapsedMs) : 0,
      elapsedMs,
    };
    this.ctx.onProgress?.(p);
  }

  report(notStarted: readonly SlotMove[]): MoveReport {
    return {
      moved: this.moved,
      conflicts: this.conflicts,
      failed: this.failed,
      notStarted,
      warnings: this.warnings,
      keysMoved: this.keys,
      elapsedMs: Date.now() - this.started,
      cancelled: this.token.isCancellationRequested,
      engine: this.engine,
    };
  }
}
