/**
 * The "copy" engine's first step for a slot: copy its keys from the source to the target
 * through this process, then hand them over in one atomic step on the source. It replaces the
 * slow part of redis-cli's way: MIGRATE blocks the source while the target answers and reads
 * each reply a byte at a time (Redis 7.0's syncReadLine), ~4.5 µs of the source's time per key,
 * measured, half of it in read(2). Here the source answers plain pipelined commands (WATCH,
 * DUMP, PTTL), the target runs RESTORE-ASKING, and the three processes work in parallel.
 *
 * Why a client never sees a wrong value (the same guarantee MIGRATE gives):
 *
 * 1. While the keys are copied, the slot is IMPORTING on the target and still STABLE on the
 *    source. A stable source serves every command of the slot itself and never answers ASK, and
 *    an importing target serves a key of the slot only to a client that sent ASKING, which a
 *    client does only after an ASK (redis-cli, ioredis, every cluster client: see
 *    clusterRedirectClient / getNodeByQuery in cluster.c). So the copies on the target are
 *    invisible: nobody reads or writes them. (A replica of the target serves nothing of a slot
 *    its master does not own either.)
 * 2. The keys are WATCHed on a connection of their own before they are DUMPed. The hand-over is
 *    MULTI / EVAL(commit) / EXEC on that connection: the commit script sets the slot MIGRATING
 *    to the target and only if that succeeded UNLINKs exactly the copied keys. EXEC runs it
 *    only if no watched key was touched since the WATCH (any write, delete, rename, expire or
 *    eviction touches it; a key that expired counts as changed, on older servers by the
 *    script's own check), so the keys it deletes hold the very values the target holds.
 *    From that instant on the source answers ASK for them and the target serves the same
 *    values: one atomic step on the source, as MIGRATE's delete is.
 * 3. A touched key aborts the EXEC: nothing happened on the source, the slot is still stable
 *    there and the target's copies are still invisible. The next attempt copies the slot again:
 *    a key we copied before is overwritten on the target only with our own newer copy
 *    (RESTORE-ASKING … REPLACE only for keys this process restored), a key gone from the source
 *    has our copy deleted, any other key is restored without REPLACE. A BUSYKEY there means the
 *    target held the key before (an orphan): nothing is overwritten, our copies are deleted and
 *    the slot goes the MIGRATE way, which reports the conflict.
 * 4. Keys created on the source after the key list was read are not in the commit: they stay on
 *    the (now migrating) source and the MIGRATE drain that follows moves them. Keys created on
 *    the target after the commit are created there through ASK, as with MIGRATE.
 * 5. TTLs travel as the PTTL read after the DUMP (under the same WATCH), less the time the copy
 *    spent in this process, like MIGRATE's relative TTL: the target's copy may outlive the
 *    source's by the network latency, never by more, because a key that expires before the
 *    commit aborts it. A source with no key with a TTL at all is not asked (TtlHint).
 * 6. Memory: a chunk's replies may take a byte budget; past it the link is closed (the only way
 *    to stop a node mid-reply: its WATCH goes with the connection, nothing changed on the
 *    source) and the chunk's slots go the MIGRATE way. This process never holds more than a
 *    budget per chunk in flight.
 *
 * Whatever goes wrong before the commit (too many keys, too many bytes, BUSYKEY, an error, a
 * key that keeps changing) ends with our copies deleted from the target while the source is
 * still stable: the slot is then moved the MIGRATE way. A crash before the commit leaves the
 * slot importing on the target with invisible copies, possibly stale, possibly of keys the
 * source deleted since; `fix` deletes them and makes the target stable (the source holds the
 * truth: see the invariant in fix.ts), so nothing is overwritten and nothing comes back.
 *
 * Keys and payloads stay in wire form from node to node (wireLink.ts): a key as GETKEYSINSLOT
 * sent it goes into WATCH, DUMP and RESTORE-ASKING as it is, and a DUMP reply is the
 * RESTORE-ASKING argument it already is.
 */
import { describeError } from '../../errors';
import { bulkPayload, commandHead, encodeArgs, type ReplyBlock, ReplyTooLargeError, type WireLink, WireWriter } from '../../redis/wireLink';

// Command heads, encoded once (the key and the other arguments follow in wire form).
const DUMP = commandHead(2, 'DUMP');
const PTTL = commandHead(2, 'PTTL');
const RESTORE = commandHead(4, 'RESTORE-ASKING');
const RESTORE_REPLACE = commandHead(5, 'RESTORE-ASKING');
const ASKING = commandHead(1, 'ASKING');
const DEL = commandHead(2, 'DEL');
const MULTI = commandHead(1, 'MULTI');
const EXEC = commandHead(1, 'EXEC');
const UNWATCH = commandHead(1, 'UNWATCH');
const INFO_KEYSPACE = commandHead(2, 'INFO', 'keyspace');
const WATCH_ARG = encodeArgs('WATCH');
const REPLACE_ARG = encodeArgs('REPLACE');

/** Attempts at the hand-over of one slot before it is left to MIGRATE (a key kept changing). */
export const COPY_ATTEMPTS = 3;

export interface CopyLimits {
  /** A slot with more keys goes the MIGRATE way (the commit handles all its keys at once). */
  readonly maxKeys: number;
  /** A chunk of slots whose DUMPs add up to more bytes goes the MIGRATE way (bounds this process's memory). */
  readonly maxBytes: number;
}

export type CopyOutcome =
  /**
   * The slot is MIGRATING on the source; `keys` keys now live on the target only. `left`: keys
   * of the slot still on the source (created after the list was read), for the MIGRATE drain;
   * with none left the slot can be closed at once (a migrating source creates no new key).
   */
  | { readonly kind: 'committed'; readonly keys: number; readonly left: number }
  /** Nothing changed on the source, no copy is left on the target: move it with MIGRATE. */
  | { readonly kind: 'fallback'; readonly reason: string }
  /** The hand-over was refused or the copies could not be removed: report, run `fix`. */
  | { readonly kind: 'failed'; readonly error: string; readonly copiesLeft: boolean };

/**
 * Whether the source holds keys with a TTL, as last seen; shared by a source's lanes, and it
 * only turns true. Without any (INFO keyspace: `expires=0`), a snapshot skips PTTL, a command
 * per key on the source: once the keys are WATCHed, a key can only get a TTL through a write,
 * which aborts the hand-over. When a snapshot finds TTLs after all, the PTTLs follow in one
 * more round trip, still under the WATCH.
 */
export interface TtlHint {
  volatile: boolean;
}

/** copyChunk's outcome for a slot: 'retry' when a watched key changed (the copies stay, in `ours`). */
export type ChunkOutcome = CopyOutcome | { readonly kind: 'retry' };

/** A slot's keys, each in wire form (`$<len>\r\n<name>\r\n`) as GETKEYSINSLOT sent it. */
export type WireKeys = readonly Buffer[];

export interface CopyJob {
  readonly slot: number;
  readonly targetId: string;
  readonly target: WireLink;
  readonly keys: WireKeys;
  /** Keys this engine restored on the target for this slot; kept across attempts. */
  readonly ours: TargetCopies;
}

/**
 * The keys this engine restored on a target for one slot: the only keys it may overwrite or
 * delete there. The first attempt only appends (a list); the lookups of a later attempt build
 * the index then, so the common case pays no string per key.
 */
export class TargetCopies {
  // Created with its first key: an empty [] literal would start as an array of small integers
  // and change its shape on the first push, which undoes the optimised code that read it.
  private list: Buffer[] | undefined;
  private index: Map<string, Buffer> | undefined;

  get size(): number {
    return this.index ? this.index.size : (this.list?.length ?? 0);
  }

  /** A key (wire form) restored by us; the same key twice only when the index exists. */
  add(wire: Buffer): void {
    if (this.index) this.index.set(keyId(wire), wire);
    else if (this.list) this.list.push(wire);
    else this.list = [wire];
  }

  has(wire: Buffer): boolean {
    return this.size > 0 && this.indexed().has(keyId(wire));
  }

  delete(wire: Buffer): void {
    if (this.size > 0) this.indexed().delete(keyId(wire));
  }

  values(): Buffer[] {
    return this.index ? [...this.index.values()] : [...(this.list ?? [])];
  }

  private indexed(): Map<string, Buffer> {
    if (!this.index) {
      this.index = new Map((this.list ?? []).map((w) => [keyId(w), w]));
      this.list = undefined;
    }
    return this.index;
  }
}

/**
 * On the source, inside MULTI/EXEC after WATCH. ARGV: slot, target id, the copied keys.
 * - Every key must still exist: one that expired is a change. Redis 7 aborts the EXEC itself
 *   then (a watched key that expires, lazily or actively, counts as touched:
 *   isWatchedKeyExpired, and signalModifiedKey in deleteExpiredKeyAndPropagate), so this check,
 *   a second lookup of every key, runs only on older servers (redis.REDIS_VERSION_NUM is new in 7.0).
 * - SETSLOT MIGRATING must succeed before anything is deleted (a script's earlier writes are
 *   not undone by a later error). It is tried first, then undone (STABLE) while the keys are
 *   unlinked and set again: on a migrating slot the cluster looks every key of a command up to
 *   decide on ASK (getNodeByQuery), a second lookup of each (measured: a tenth of the source's
 *   time). Nothing else runs inside a script, so the second SETSLOT succeeds as the first did.
 * - Returns `OK <keys of the slot left>`.
 * The keys are not declared so that one transaction can hold the commits of several slots (a
 * transaction whose declared keys span slots is refused with CROSSSLOT); every command inside
 * still gets the cluster's checks (a key this node does not serve fails the script before it
 * deletes).
 */
const COMMIT_SCRIPT = `
if not redis.REDIS_VERSION_NUM or redis.REDIS_VERSION_NUM < 0x070000 then
  for i = 3, #ARGV, 1000 do
    local j = math.min(i + 999, #ARGV)
    if redis.call('EXISTS', unpack(ARGV, i, j)) ~= j - i + 1 then return 'CHANGED' end
  end
end
local s = redis.pcall('CLUSTER', 'SETSLOT', ARGV[1], 'MIGRATING', ARGV[2])
if type(s) == 'table' and s.err then return s end
redis.call('CLUSTER', 'SETSLOT', ARGV[1], 'STABLE')
for i = 3, #ARGV, 1000 do redis.call('UNLINK', unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('CLUSTER', 'SETSLOT', ARGV[1], 'MIGRATING', ARGV[2])
return 'OK ' .. redis.call('CLUSTER', 'COUNTKEYSINSLOT', ARGV[1])`;

/** A key's identity in `ours`: its wire form as a string (one char per byte; cheaper than hex). */
const keyId = (wire: Buffer): string => wire.toString('latin1');

/** `EVAL <COMMIT_SCRIPT> 0`, encoded once (the script is a few hundred bytes). */
const COMMIT_ARGS = encodeArgs('EVAL', COMMIT_SCRIPT, '0');

const nameText = (wire: Buffer): string => bulkPayload(wire).toString('utf8');

/**
 * The keys of `slots` on `link` (at most `max` + 1 each, so that "too many" shows), in one
 * round trip; an Error for a slot whose list failed.
 */
export async function listSlotKeys(link: WireLink, slots: readonly number[], max: number): Promise<(WireKeys | Error)[]> {
  const w = new WireWriter();
  for (const slot of slots) w.command('CLUSTER', 'GETKEYSINSLOT', slot, max + 1);
  const r = await link.send(w);
  return slots.map((_, i) => (r.isError(i) ? new Error(r.text(i)) : (r.items(i) ?? [])));
}

/** The text of one element of an EXEC reply (status, bulk or error). */
function itemText(item: Buffer): string {
  const eol = item.indexOf(13);
  if (item[0] === 0x24) return bulkPayload(item).toString('utf8');
  return item.toString('utf8', 1, eol);
}

/**
 * Deletes our copies of a slot's keys from the target (invisible while the source is stable).
 * 'fallback' when none is left, 'failed' (copies left) when some could not be deleted.
 */
export async function dropCopies(job: Omit<CopyJob, 'keys'>): Promise<CopyOutcome> {
  const gone: CopyOutcome = { kind: 'fallback', reason: 'copies deleted' };
  if (job.ours.size === 0) return gone;
  const keys = [...job.ours.values()];
  const w = new WireWriter();
  // ASKING before each: the slot is importing, and DEL is let in only with it.
  for (const k of keys) w.begin(ASKING).begin(DEL).raw(k);
  let problem: string | undefined;
  try {
    const r = await job.target.send(w);
    keys.forEach((k, i) => {
      if (r.isError(2 * i + 1)) problem ??= `DEL of ${nameText(k)}: ${r.text(2 * i + 1)}`;
      else job.ours.delete(k);
    });
  } catch (err) {
    problem = describeError(err);
  }
  if (problem === undefined) return gone;
  return { kind: 'failed', error: `could not delete the copies of slot ${job.slot} from the target: ${problem}`, copiesLeft: true };
}

/** A chunk copied to its targets, waiting for its hand-over on the link that WATCHes it. */
interface Prepared {
  readonly link: WireLink;
  readonly committing: readonly CopyJob[];
  readonly present: ReadonlyMap<CopyJob, readonly Buffer[]>;
}

/**
 * Copies chunks of slots (one source, any targets) on one source connection, which must be
 * theirs alone (WATCH is per connection), and hands each chunk over in one transaction. Per
 * chunk: WATCH + DUMP + PTTL on the source, RESTORE-ASKING on the targets, then MULTI + one
 * commit script per slot + EXEC on the source, sent in the same write as the next chunk's
 * WATCH (the EXEC ends the old WATCH set before the new one starts). The argument of the file
 * comment holds for each slot: the commit scripts are per slot and all-or-nothing per slot, and
 * the EXEC runs all of them or, if any watched key of the chunk was touched, none.
 *
 * `lane` gives the connection, a new one if the last was closed (a budget overrun closes it);
 * `chunks` may be shared by several lanes, each taking the next chunk when it is ready. Every
 * job gets an outcome.
 */
export async function copyChunks(
  lane: () => Promise<WireLink>,
  chunks: Iterator<readonly CopyJob[]>,
  limits: CopyLimits,
  ttls: TtlHint = { volatile: true },
): Promise<Map<number, ChunkOutcome>> {
  const out = new Map<number, ChunkOutcome>();
  const giveUp = giveUpInto(out);

  let pending: Prepared | undefined;
  // One more turn after the last chunk: its hand-over goes out alone.
  for (let more = true; more; ) {
    const next = chunks.next();
    more = next.done !== true;
    const jobs: readonly CopyJob[] = next.done === true ? [] : next.value;
    if (jobs.length === 0 && !pending) continue;
    let source: WireLink;
    try {
      source = await lane();
    } catch (err) {
      if (pending) await Promise.all(pending.committing.map((j) => giveUp(j, describeError(err))));
      pending = undefined;
      await Promise.all(jobs.map((j) => giveUp(j, describeError(err))));
      continue;
    }
    let handOver: Promise<ReplyBlock> | undefined;
    if (pending && pending.link !== source) {
      // The link that WATCHed the chunk closed before its hand-over was sent: the WATCH went
      // with it, nothing happened on the source, and the copies are still invisible.
      await Promise.all(pending.committing.map((j) => giveUp(j, 'the connection closed before the hand-over')));
      pending = undefined;
    }
    // The hand-over and the next snapshot in one write: the node runs them in this order.
    const withTtl = ttls.volatile;
    const sent = source.sendAll([...(pending ? [[commitWriter(pending)] as const] : []), ...(jobs.length > 0 ? [[snapshotWriter(jobs, withTtl), limits.maxBytes] as const] : [])]);
    if (pending) handOver = sent.shift();
    const snapshot = jobs.length > 0 ? sent.shift() : undefined;
    snapshot?.catch(() => undefined); // awaited below, after the hand-over
    if (pending && handOver) await settleHandOver(pending, handOver, out, giveUp);
    pending = undefined;
    if (snapshot) pending = await copyToTargets(source, jobs, snapshot, limits, giveUp, withTtl ? undefined : ttls);
  }
  return out;
}

/** A GiveUp that records its outcomes in `out`. */
function giveUpInto(out: Map<number, ChunkOutcome>): GiveUp {
  return async (job, reason, failed = false) => {
    const dropped = await dropCopies(job);
    if (dropped.kind === 'failed') out.set(job.slot, dropped);
    else if (failed) out.set(job.slot, { kind: 'failed', error: reason, copiesLeft: false });
    else out.set(job.slot, { kind: 'fallback', reason });
  };
}

/** The hand-over's replies: each slot committed, to retry, or given up. */
async function settleHandOver(p: Prepared, sent: Promise<ReplyBlock>, out: Map<number, ChunkOutcome>, giveUp: GiveUp): Promise<void> {
  let done: ReplyBlock;
  try {
    done = await sent;
  } catch (err) {
    // The hand-over's outcome is unknown (the EXEC may have run): the copies may be the
    // only ones now, so nothing is deleted; the slot is reported for `fix`.
    for (const job of p.committing) {
      out.set(job.slot, { kind: 'failed', error: `the hand-over of slot ${job.slot} failed (${describeError(err)}); its state is unknown`, copiesLeft: true });
    }
    return;
  }
  if (p.committing.length === 0) return; // an UNWATCH
  const exec = p.committing.length + 1;
  if (done.isError(exec)) {
    // EXECABORT: a command was refused while queued; nothing ran.
    let why = done.text(exec);
    for (let i = 1; i < exec; i++) if (done.isError(i)) why = done.text(i);
    await Promise.all(p.committing.map((job) => giveUp(job, `the hand-over was refused: ${why}`)));
    return;
  }
  const results = done.items(exec);
  await Promise.all(
    p.committing.map(async (job, i) => {
      const item = results?.[i];
      // No results: a watched key was touched and the EXEC did nothing. Copy again.
      if (item === undefined) return out.set(job.slot, { kind: 'retry' });
      const text = itemText(item);
      const ok = /^OK (\d+)$/.exec(text);
      if (ok) return out.set(job.slot, { kind: 'committed', keys: (p.present.get(job) as Buffer[]).length, left: Number(ok[1]) });
      if (text === 'CHANGED') return out.set(job.slot, { kind: 'retry' }); // a key expired
      // SETSLOT MIGRATING refused: nothing was deleted on the source.
      return giveUp(job, `SETSLOT MIGRATING: ${text}`, true);
    }),
  );
}

/**
 * WATCH every slot's keys, then DUMP (and PTTL) each: a change after the WATCH aborts the
 * commit, whatever DUMP saw. Without PTTL, INFO keyspace last: whether any key has a TTL.
 */
function snapshotWriter(jobs: readonly CopyJob[], withTtl: boolean): WireWriter {
  let size = 64;
  for (const job of jobs) for (const k of job.keys) size += 3 * k.length + 30;
  const w = new WireWriter(size);
  for (const job of jobs) {
    w.array(1 + job.keys.length).raw(WATCH_ARG);
    for (const k of job.keys) w.raw(k);
    if (withTtl) for (const k of job.keys) w.begin(DUMP).raw(k).begin(PTTL).raw(k);
    else for (const k of job.keys) w.begin(DUMP).raw(k);
  }
  if (!withTtl) w.begin(INFO_KEYSPACE);
  return w;
}

/** The `expires=` count of db0 in an INFO keyspace reply (0 without keys). */
function volatileKeys(info: string): number {
  return Number(/^db0:.*\bexpires=(\d+)/m.exec(info)?.[1] ?? 0);
}

/** The hand-over: every committing slot's script in one transaction; or UNWATCH when none commits. */
function commitWriter(p: Prepared): WireWriter {
  if (p.committing.length === 0) return new WireWriter(64).begin(UNWATCH);
  let size = 64;
  for (const job of p.committing) for (const k of p.present.get(job) as Buffer[]) size += k.length;
  const w = new WireWriter(size + p.committing.length * (COMMIT_ARGS.length + 80));
  w.begin(MULTI);
  // The target's ID encoded once per run of slots with the same target (usually the whole chunk).
  let id = '';
  let idArg = COMMIT_ARGS;
  for (const job of p.committing) {
    const keys = p.present.get(job) as Buffer[];
    if (job.targetId !== id) [id, idArg] = [job.targetId, encodeArgs(job.targetId)];
    w.array(5 + keys.length).raw(COMMIT_ARGS).bulkInt(job.slot).raw(idArg);
    for (const k of keys) w.raw(k);
  }
  return w.begin(EXEC);
}

/**
 * The snapshot's replies restored on the targets (RESTORE-ASKING, one block per target); the
 * slots ready for their hand-over. Replies over the byte budget closed the link (memory bound):
 * the chunk then goes the MIGRATE way.
 */
async function copyToTargets(
  source: WireLink,
  jobs: readonly CopyJob[],
  sent: Promise<ReplyBlock>,
  limits: CopyLimits,
  giveUp: GiveUp,
  /** Set when the snapshot has no PTTLs (it ends with INFO keyspace instead). */
  noTtl?: TtlHint,
): Promise<Prepared> {
  const snapshot = await readSnapshot(source, jobs, sent, limits, giveUp, noTtl);
  if (!snapshot) return { link: source, committing: [], present: new Map() };
  const { present, problems, byTarget } = restoreBatches(snapshot);
  await sendRestores(byTarget, problems);
  const committing: CopyJob[] = [];
  for (const job of snapshot.live) {
    const problem = problems.get(job);
    if (problem !== undefined) await giveUp(job, problem);
    // Every key vanished meanwhile: nothing to hand over, the MIGRATE way opens the slot.
    else if ((present.get(job) ?? []).length === 0) await giveUp(job, 'its keys were deleted meanwhile');
    else committing.push(job);
  }
  return { link: source, committing, present };
}

/** Ends a job before its commit: copies deleted, then the MIGRATE way (or failed). */
type GiveUp = (job: CopyJob, reason: string, failed?: boolean) => Promise<void>;

/** A chunk's snapshot as read: the replies, where each job's start, and the TTLs if they came apart. */
interface Snapshot {
  readonly snap: ReplyBlock;
  /** Jobs whose WATCH held. */
  readonly live: readonly CopyJob[];
  /** Each job's first DUMP reply in `snap`. */
  readonly firstReply: ReadonlyMap<CopyJob, number>;
  /** Replies per key in `snap`: DUMP, or DUMP and PTTL. */
  readonly perKey: 1 | 2;
  /** The PTTLs of the extra round trip (a snapshot without them found keys with a TTL), and each job's first. */
  readonly ttls: ReplyBlock | undefined;
  readonly ttlAt: ReadonlyMap<CopyJob, number>;
  /** When the values were read (ms): the copy's time here is taken off their TTLs. */
  readonly taken: number;
}

/** The snapshot's replies; jobs whose WATCH failed given up. Undefined when the whole chunk was given up. */
async function readSnapshot(
  source: WireLink,
  jobs: readonly CopyJob[],
  sent: Promise<ReplyBlock>,
  limits: CopyLimits,
  giveUp: GiveUp,
  noTtl: TtlHint | undefined,
): Promise<Snapshot | undefined> {
  let snap: ReplyBlock;
  try {
    snap = await sent;
  } catch (err) {
    const reason = err instanceof ReplyTooLargeError ? `more than ${limits.maxBytes} bytes` : describeError(err);
    await Promise.all(jobs.map((j) => giveUp(j, reason)));
    return undefined;
  }
  let taken = Date.now();
  const perKey = noTtl ? 1 : 2;
  const live: CopyJob[] = [];
  const firstReply = new Map<CopyJob, number>();
  let at = 0;
  for (const job of jobs) {
    const watchError = snap.isError(at) ? snap.text(at) : undefined;
    firstReply.set(job, at + 1);
    at += 1 + perKey * job.keys.length;
    if (watchError === undefined) live.push(job);
    else await giveUp(job, `WATCH: ${watchError}`);
  }
  // No PTTL in the snapshot: none is needed if no key of the node has a TTL now (the keys are
  // WATCHed already); otherwise they come now, in one more round trip, still under the WATCH.
  let ttls: ReplyBlock | undefined;
  const ttlAt = new Map<CopyJob, number>();
  if (noTtl && (snap.isError(at) || volatileKeys(snap.bulk(at)?.toString('latin1') ?? '') > 0)) {
    noTtl.volatile = true;
    const w = new WireWriter();
    let n = 0;
    for (const job of live) {
      ttlAt.set(job, n);
      for (const k of job.keys) w.begin(PTTL).raw(k);
      n += job.keys.length;
    }
    try {
      ttls = await source.send(w);
      taken = Date.now();
    } catch (err) {
      await Promise.all(live.map((j) => giveUp(j, describeError(err))));
      return undefined;
    }
  }
  return { snap, live, firstReply, perKey, ttls, ttlAt, taken };
}

/** One command sent to a target for a job's key, so that its reply can be read back. */
interface Op {
  readonly job: CopyJob;
  readonly key: Buffer;
  readonly kind: 'restore' | 'asking' | 'del';
}

/** Per target, the RESTORE-ASKINGs (and DELs of our stale copies) of the live jobs; the keys each job hands over. */
function restoreBatches(snapshot: Snapshot): {
  present: Map<CopyJob, Buffer[]>;
  problems: Map<CopyJob, string>;
  byTarget: Map<WireLink, { w: WireWriter; ops: Op[] }>;
} {
  const { snap, perKey, ttls } = snapshot;
  const present = new Map<CopyJob, Buffer[]>();
  const problems = new Map<CopyJob, string>();
  const byTarget = new Map<WireLink, { w: WireWriter; ops: Op[] }>();
  for (const job of snapshot.live) {
    let at = snapshot.firstReply.get(job) as number;
    let t = byTarget.get(job.target);
    // About the snapshot's size again: each DUMP reply plus its key and command head.
    if (!t) byTarget.set(job.target, (t = { w: new WireWriter(2 * snap.buf.length), ops: [] }));
    const here: Buffer[] = [];
    // Only a later attempt has copies of its own to look up (and to delete if gone).
    const seen = job.ours.size > 0 ? new Set<string>() : undefined;
    const elapsed = Date.now() - snapshot.taken;
    let ttlIndex = snapshot.ttlAt.get(job) ?? 0;
    for (const k of job.keys) {
      const dump = at;
      at += perKey;
      const ttlReply = ttlIndex++;
      if (snap.isError(dump)) {
        problems.set(job, `DUMP of ${nameText(k)}: ${snap.text(dump)}`);
        continue;
      }
      // PTTL from the snapshot, from the extra round trip, or none (the node has no TTL at all).
      const pttl = perKey === 2 ? snap.int(dump + 1) : ttls ? ttls.int(ttlReply) : -1;
      if (Number.isNaN(pttl)) {
        problems.set(job, `PTTL of ${nameText(k)} gave no number`);
        continue;
      }
      if (snap.isNil(dump) || pttl === -2) continue; // gone since the list was read
      seen?.add(keyId(k));
      here.push(k);
      // Relative TTL, less the time the copy spent here (MIGRATE's TTL is relative too).
      const ttl = pttl < 0 ? 0 : Math.max(1, pttl - elapsed);
      const replace = seen !== undefined && job.ours.has(k);
      t.w.begin(replace ? RESTORE_REPLACE : RESTORE).raw(k).bulkInt(ttl).reply(snap, dump);
      if (replace) t.w.raw(REPLACE_ARG);
      t.ops.push({ job, key: k, kind: 'restore' });
    }
    // Our copies of keys the source no longer has: deleted.
    if (seen) {
      for (const k of job.ours.values()) {
        if (seen.has(keyId(k))) continue;
        t.w.begin(ASKING).begin(DEL).raw(k);
        t.ops.push({ job, key: k, kind: 'asking' }, { job, key: k, kind: 'del' });
      }
    }
    present.set(job, here);
  }
  return { present, problems, byTarget };
}

/** Each target's batch in one write; `ours` follows what each reply says, `problems` gets the first failure per job. */
async function sendRestores(byTarget: ReadonlyMap<WireLink, { w: WireWriter; ops: Op[] }>, problems: Map<CopyJob, string>): Promise<void> {
  await Promise.all(
    [...byTarget].map(async ([target, { w: tw, ops }]) => {
      let r: ReplyBlock;
      try {
        r = await target.send(tw);
      } catch (err) {
        // The restore's outcome is unknown: every key sent may be a copy of ours now. None was
        // on the target before (precheck), and the source still serves them all.
        for (const op of ops) {
          if (op.kind === 'restore') op.job.ours.add(op.key);
          if (!problems.has(op.job)) problems.set(op.job, describeError(err));
        }
        return;
      }
      ops.forEach((op, i) => {
        if (op.kind === 'asking') return;
        if (r.isError(i)) {
          // A refused RESTORE (BUSYKEY: the target's own key) leaves nothing of ours.
          if (!problems.has(op.job)) problems.set(op.job, `${op.kind === 'del' ? 'DEL' : 'RESTORE'} of ${nameText(op.key)} on the target: ${r.text(i)}`);
        } else if (op.kind === 'restore') op.job.ours.add(op.key);
        else op.job.ours.delete(op.key);
      });
    }),
  );
}

/** copyChunks for one chunk on one connection. */
export function copyChunk(source: WireLink, jobs: readonly CopyJob[], limits: CopyLimits): Promise<Map<number, ChunkOutcome>> {
  return copyChunks(() => Promise.resolve(source), [jobs][Symbol.iterator](), limits);
}

/**
 * Copies one slot again and again (COPY_ATTEMPTS in all) until its hand-over holds: for a slot
 * whose keys changed during its chunk's copy. `source` must be a connection of this slot alone.
 */
export async function copySlot(
  source: WireLink,
  job: Omit<CopyJob, 'keys'>,
  limits: CopyLimits,
): Promise<CopyOutcome> {
  for (let attempt = 1; attempt <= COPY_ATTEMPTS; attempt++) {
    let listed: WireKeys | Error | undefined;
    try {
      [listed] = await listSlotKeys(source, [job.slot], limits.maxKeys);
    } catch (err) {
      listed = err instanceof Error ? err : new Error(String(err));
    }
    if (listed === undefined || listed instanceof Error) return last(`listing its keys failed (${listed?.message ?? 'no reply'})`);
    if (listed.length > limits.maxKeys) return last(`more than ${limits.maxKeys} keys`);
    if (listed.length === 0) return job.ours.size === 0 ? { kind: 'fallback', reason: 'no key' } : last('its keys were deleted meanwhile');
    const o = (await copyChunk(source, [{ ...job, keys: listed }], limits)).get(job.slot);
    if (o === undefined) return { kind: 'failed', error: `slot ${job.slot}: the copy gave no outcome`, copiesLeft: job.ours.size > 0 };
    if (o.kind !== 'retry') return o;
  }
  return last('a key kept changing');

  /** Ends with our copies deleted, then the MIGRATE way. */
  async function last(reason: string): Promise<CopyOutcome> {
    await source.send(new WireWriter(64).begin(UNWATCH)).catch(() => undefined);
    const dropped = await dropCopies(job);
    return dropped.kind === 'failed' ? dropped : { kind: 'fallback', reason };
  }
}
