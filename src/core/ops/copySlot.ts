/**
 * The "copy" engine's first step for one slot: copy its keys from the source to the target
 * through this process, then hand them over in one atomic step on the source. It replaces the
 * slow part of redis-cli's way (MIGRATE, which blocks the source while the target answers and
 * reads each reply a byte at a time: ~5 µs per key on the source, measured) with work the two
 * nodes do in parallel: DUMP on the source, RESTORE on the target.
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
 *    MULTI / EVAL(commit) / EXEC on that connection: the commit script checks that every copied
 *    key still exists (a key that expired meanwhile counts as changed), sets the slot MIGRATING
 *    to the target, and only if that succeeded UNLINKs exactly the copied keys. EXEC runs it
 *    only if no watched key was touched since the WATCH (any write, delete, rename, expire or
 *    eviction touches it), so the keys it deletes hold the very values the target holds.
 *    From that instant on the source answers ASK for them and the target serves the same
 *    values: one atomic step on the source, as MIGRATE's delete is.
 * 3. A touched key aborts the EXEC: nothing happened on the source, the slot is still stable
 *    there and the target's copies are still invisible. The next attempt copies the slot again:
 *    a key we copied before is overwritten on the target only with our own newer copy
 *    (RESTORE … REPLACE only for keys this process restored), a key gone from the source has
 *    our copy deleted, any other key is restored without REPLACE. A BUSYKEY there means the
 *    target held the key before (an orphan): nothing is overwritten, our copies are deleted and
 *    the slot goes the MIGRATE way, which reports the conflict.
 * 4. Keys created on the source after the key list was read are not in the commit: they stay on
 *    the (now migrating) source and the MIGRATE drain that follows moves them. Keys created on
 *    the target after the commit are created there through ASK, as with MIGRATE.
 * 5. TTLs travel as PTTL measured in the DUMP script minus the time the copy spent in this
 *    process, like MIGRATE's relative TTL: the target's copy may outlive the source's by the
 *    network latency, never by more, because a key that expires before the commit aborts it.
 *
 * Whatever goes wrong before the commit (too many keys, too many bytes, BUSYKEY, an error, a
 * key that keeps changing) ends with our copies deleted from the target while the source is
 * still stable: the slot is then moved the MIGRATE way. A crash before the commit leaves the
 * slot importing on the target with invisible copies of keys the source still serves; `fix`
 * reports it (the keys exist on both sides) and overwrites nothing.
 */
import Redis from 'ioredis';
import { errText } from '../redis/adminConnection';
import { decodeArgs, EncodedArgs, encodeWithSegments, sendEncoded, sendWire, WireArg } from './wireCommand';

/** Attempts at the hand-over of one slot before it is left to MIGRATE (a key kept changing). */
export const COPY_ATTEMPTS = 3;

export interface CopyLimits {
  /** A slot with more keys goes the MIGRATE way (the commit handles all its keys at once). */
  readonly maxKeys: number;
  /** A slot whose DUMPs add up to more bytes goes the MIGRATE way (bounds this process's memory). */
  readonly maxBytes: number;
}

export type CopyOutcome =
  /** The slot is MIGRATING on the source; `keys` keys now live on the target only. */
  | { readonly kind: 'committed'; readonly keys: number }
  /** Nothing changed on the source, no copy is left on the target: move it with MIGRATE. */
  | { readonly kind: 'fallback'; readonly reason: string }
  /** The hand-over was refused or the copies could not be removed: report, run `fix`. */
  | { readonly kind: 'failed'; readonly error: string; readonly copiesLeft: boolean };

/**
 * KEYS: the slot's keys; ARGV[1]: byte budget. Returns PTTL and DUMP of each key (-2 and nil for
 * a key that is gone), or nil when the payloads exceed the budget.
 */
const SNAPSHOT_SCRIPT = `
local r, used, budget = {}, 0, tonumber(ARGV[1])
for i, k in ipairs(KEYS) do
  local d = redis.call('DUMP', k)
  if d then
    used = used + #d
    if used > budget then return false end
    r[2 * i - 1] = redis.call('PTTL', k)
    r[2 * i] = d
  else
    r[2 * i - 1] = -2
    r[2 * i] = false
  end
end
return r`;

/**
 * On the target, after ASKING. ARGV[1]: milliseconds the copy spent in this process, taken off
 * every TTL (MIGRATE's relative TTL, less our transit); then (mode, key, ttl, payload)*; mode
 * 'n' restores without REPLACE, 'r' restores with REPLACE (only our own earlier copy), 'd'
 * deletes our copy; ttl 0 is none. Keys go in ARGV, not KEYS: a multi-key command on an
 * importing slot whose keys are missing is refused with TRYAGAIN, while each RESTORE inside is a
 * single-key command the ASKING flag lets in. Returns {index, error} pairs for the groups that
 * failed (index 1 is the first group).
 */
const RESTORE_SCRIPT = `
local bad, n, e = {}, 0, tonumber(ARGV[1])
for i = 2, #ARGV, 4 do
  local m, k, t, x = ARGV[i], ARGV[i + 1], ARGV[i + 2], nil
  if e > 0 and t ~= '0' then t = string.format('%d', math.max(1, tonumber(t) - e)) end
  if m == 'd' then x = redis.pcall('DEL', k)
  elseif m == 'r' then x = redis.pcall('RESTORE', k, t, ARGV[i + 3], 'REPLACE')
  else x = redis.pcall('RESTORE', k, t, ARGV[i + 3]) end
  if type(x) == 'table' and x.err then n = n + 1; bad[n] = (i + 2) / 4; n = n + 1; bad[n] = x.err end
end
return bad`;

/**
 * The slot's key names, RESP-encoded in one string (ARGV: slot, at most this many keys). The
 * node writes each name once; this process passes the string on to WATCH, the snapshot and the
 * commit as it is (wireCommand.ts's EncodedArgs) instead of handling every key.
 */
const KEYLIST_SCRIPT = `
local keys = redis.call('CLUSTER', 'GETKEYSINSLOT', ARGV[1], ARGV[2])
local p, n = {}, 0
for _, k in ipairs(keys) do
  p[n + 1] = '$'; p[n + 2] = #k; p[n + 3] = '\\r\\n'; p[n + 4] = k; p[n + 5] = '\\r\\n'
  n = n + 5
end
return {#keys, table.concat(p)}`;

/**
 * SNAPSHOT_SCRIPT's wire form, for the first attempt of a window: KEYS: the slot's keys;
 * ARGV[1]: byte budget. Returns {count, restore arguments, present keys}: the (mode 'n', key,
 * PTTL or 0, DUMP) groups RESTORE_SCRIPT takes, RESP-encoded in one string, for the `count`
 * keys that exist; the present keys RESP-encoded, or nil when every key of KEYS exists (KEYS is
 * then the list). nil instead of the whole reply when the payloads exceed the budget.
 */
const SNAPSHOT_WIRE_SCRIPT = `
local r, m, used, budget, np, here = {}, 0, 0, tonumber(ARGV[1]), 0, {}
for i, k in ipairs(KEYS) do
  local d = redis.call('DUMP', k)
  if d then
    used = used + #d
    if used > budget then return false end
    local t = redis.call('PTTL', k)
    local ts = '0'
    if t > 0 then ts = string.format('%d', t) end
    r[m + 1] = '$1\\r\\nn\\r\\n$'; r[m + 2] = #k; r[m + 3] = '\\r\\n'; r[m + 4] = k
    r[m + 5] = '\\r\\n$'; r[m + 6] = #ts; r[m + 7] = '\\r\\n'; r[m + 8] = ts
    r[m + 9] = '\\r\\n$'; r[m + 10] = #d; r[m + 11] = '\\r\\n'; r[m + 12] = d; r[m + 13] = '\\r\\n'
    m = m + 13
    np = np + 1
    here[i] = true
  end
end
local present = false
if np < #KEYS then
  local p, n = {}, 0
  for i, k in ipairs(KEYS) do
    if here[i] then p[n + 1] = '$'; p[n + 2] = #k; p[n + 3] = '\\r\\n'; p[n + 4] = k; p[n + 5] = '\\r\\n'; n = n + 5 end
  end
  present = table.concat(p)
end
return {np, table.concat(r), present}`;

/**
 * On the source, inside MULTI/EXEC after WATCH. ARGV: slot, target id, the copied keys. Every
 * key must still exist (one that expired is a change); SETSLOT MIGRATING must succeed before
 * anything is deleted (a script's earlier writes are not undone by a later error). The keys are
 * not declared so that one transaction can hold the commits of several slots (a transaction
 * whose declared keys span slots is refused with CROSSSLOT); every command inside still gets
 * the cluster's checks (a key this node does not serve fails the script before it deletes).
 */
const COMMIT_SCRIPT = `
for i = 3, #ARGV, 1000 do
  local j = math.min(i + 999, #ARGV)
  if redis.call('EXISTS', unpack(ARGV, i, j)) ~= j - i + 1 then return 'CHANGED' end
end
local s = redis.pcall('CLUSTER', 'SETSLOT', ARGV[1], 'MIGRATING', ARGV[2])
if type(s) == 'table' and s.err then return s end
for i = 3, #ARGV, 1000 do redis.call('UNLINK', unpack(ARGV, i, math.min(i + 999, #ARGV))) end
return 'OK'`;

interface RestoreItem {
  readonly mode: 'n' | 'r' | 'd';
  readonly key: Buffer;
  readonly ttl: number;
  readonly payload: Buffer;
}

/** The snapshot reply: per key, its PTTL and payload. */
function unpackSnapshot(reply: unknown, count: number): { pttl: number; payload: Buffer | undefined }[] {
  const list = reply as (number | Buffer | null)[];
  const out: { pttl: number; payload: Buffer | undefined }[] = [];
  for (let i = 0; i < count; i++) {
    const p = list[2 * i + 1];
    out.push({ pttl: Number(list[2 * i]), payload: Buffer.isBuffer(p) ? p : undefined });
  }
  return out;
}

/** Runs the restore script; returns the first failure's text, if any, and applies `ok` to the rest. */
async function restoreOn(target: Redis, items: readonly RestoreItem[], ok: (it: RestoreItem) => void): Promise<string | undefined> {
  if (items.length === 0) return undefined;
  const args: WireArg[] = ['EVAL', RESTORE_SCRIPT, 0, 0];
  for (const it of items) args.push(it.mode, it.key, it.ttl, it.payload);
  const [, reply] = await Promise.all([sendEncoded(target, ['ASKING']), sendEncoded(target, args)]);
  const bad = restoreFailures(reply);
  let first: string | undefined;
  items.forEach((it, i) => {
    const e = bad.get(i);
    if (e === undefined) ok(it);
    else first ??= `${it.mode === 'd' ? 'DEL' : 'RESTORE'} of ${it.key.toString('utf8')} on the target: ${e}`;
  });
  return first;
}

/** RESTORE_SCRIPT's reply: group index (0-based) → error text. */
function restoreFailures(reply: unknown): Map<number, string> {
  const bad = new Map<number, string>();
  const list = reply as (number | Buffer)[];
  for (let i = 0; i + 1 < list.length; i += 2) bad.set(Number(list[i]) - 1, String(list[i + 1]));
  return bad;
}

const hex = (k: Buffer): string => k.toString('hex');
const EMPTY = Buffer.alloc(0);

/**
 * Copies one slot and hands it over. `source` must be a connection of this slot alone for the
 * duration (WATCH is per connection); `target` may be shared. `initialKeys` is the slot's key
 * list when the caller already has it (one GETKEYSINSLOT pipelined over many slots).
 */
export async function copySlot(
  source: Redis,
  target: Redis,
  move: { readonly slot: number; readonly targetId: string },
  limits: CopyLimits,
  initialKeys?: readonly Buffer[],
  /** Keys an earlier attempt (copyWindow's) restored on the target (hex → name). */
  ours: Map<string, Buffer> = new Map(),
): Promise<CopyOutcome> {
  let keys = initialKeys;
  let execSent = false;
  let last = 'a key kept changing';
  for (let attempt = 1; attempt <= COPY_ATTEMPTS; attempt++) {
    try {
      if (keys === undefined || attempt > 1) keys = (await source.callBuffer('CLUSTER', ['GETKEYSINSLOT', move.slot, limits.maxKeys + 1])) as Buffer[];
      if (keys.length > limits.maxKeys) return await giveUp(`more than ${limits.maxKeys} keys`);
      if (keys.length === 0) return ours.size === 0 ? { kind: 'fallback', reason: 'no key' } : await giveUp('its keys were deleted meanwhile');
      // WATCH first, then DUMP: a change after the WATCH aborts the commit, whatever DUMP saw.
      const [, snap] = await Promise.all([
        sendEncoded(source, ['WATCH', ...keys]),
        sendEncoded(source, ['EVAL', SNAPSHOT_SCRIPT, keys.length, ...keys, limits.maxBytes]),
      ]);
      const taken = Date.now();
      if (snap === null) return await giveUp(`more than ${limits.maxBytes} bytes`);
      const entries = unpackSnapshot(snap, keys.length);
      const present: Buffer[] = [];
      const items: RestoreItem[] = [];
      const seen = new Set<string>();
      keys.forEach((k, i) => {
        const e = entries[i];
        if (e === undefined || e.payload === undefined || e.pttl === -2) return;
        const h = hex(k);
        seen.add(h);
        present.push(k);
        // Relative TTL, less the time the copy spent here (MIGRATE does the same).
        const ttl = e.pttl < 0 ? 0 : Math.max(1, e.pttl - (Date.now() - taken));
        items.push({ mode: ours.has(h) ? 'r' : 'n', key: k, ttl, payload: e.payload });
      });
      // Our copies of keys the source no longer has (or no longer lists): delete them.
      for (const [h, k] of ours) if (!seen.has(h)) items.push({ mode: 'd', key: k, ttl: 0, payload: EMPTY });
      const problem = await restoreOn(target, items, (it) => {
        if (it.mode === 'd') ours.delete(hex(it.key));
        else ours.set(hex(it.key), it.key);
      });
      if (problem !== undefined) return await giveUp(problem);
      if (present.length === 0) {
        // Every key vanished meanwhile: nothing to hand over, the MIGRATE way opens the slot.
        return await giveUp('its keys were deleted meanwhile');
      }
      execSent = true;
      const [, , exec] = await Promise.all([
        sendEncoded(source, ['MULTI']),
        sendEncoded(source, ['EVAL', COMMIT_SCRIPT, 0, move.slot, move.targetId, ...present]),
        sendEncoded(source, ['EXEC']),
      ]);
      execSent = false;
      if (exec === null) {
        last = 'a key kept changing';
        continue; // a watched key was touched: nothing happened; copy again
      }
      const out = (exec as unknown[])[0];
      const text = out instanceof Error ? out.message : Buffer.isBuffer(out) ? out.toString('utf8') : String(out);
      if (text === 'OK') return { kind: 'committed', keys: present.length };
      if (text === 'CHANGED') {
        last = 'a key expired meanwhile';
        continue;
      }
      // SETSLOT MIGRATING refused: nothing was deleted on the source.
      const cleaned = await removeCopies();
      return cleaned ?? { kind: 'failed', error: `SETSLOT MIGRATING: ${text}`, copiesLeft: false };
    } catch (err) {
      // After the EXEC was sent its outcome is unknown: the copies may be the only ones now.
      if (execSent) return { kind: 'failed', error: `the hand-over of slot ${move.slot} failed (${errText(err)}); its state is unknown`, copiesLeft: true };
      return giveUp(errText(err));
    }
  }
  return giveUp(last);

  /** Deletes our copies (invisible: the source is still stable), then leaves the slot to MIGRATE. */
  async function giveUp(reason: string): Promise<CopyOutcome> {
    await source.call('UNWATCH', []).catch(() => undefined);
    const failed = await removeCopies();
    return failed ?? { kind: 'fallback', reason };
  }

  async function removeCopies(): Promise<CopyOutcome | undefined> {
    if (ours.size === 0) return undefined;
    try {
      const problem = await restoreOn(
        target,
        [...ours.values()].map((key) => ({ mode: 'd' as const, key, ttl: 0, payload: EMPTY })),
        (it) => ours.delete(hex(it.key)),
      );
      if (problem === undefined) return undefined;
      return { kind: 'failed', error: `could not delete the copies of slot ${move.slot} from the target: ${problem}`, copiesLeft: true };
    } catch (err) {
      return { kind: 'failed', error: `could not delete the copies of slot ${move.slot} from the target: ${errText(err)}`, copiesLeft: true };
    }
  }
}

/**
 * The key lists of `slots` on `conn` (at most `max` + 1 keys each, so that "too many" shows),
 * each as one pre-encoded string, in one round trip; an Error for a slot whose list failed.
 */
export async function listSlotKeys(conn: Redis, slots: readonly number[], max: number): Promise<(EncodedArgs | Error)[]> {
  return Promise.all(
    slots.map((slot) =>
      sendEncoded(conn, ['EVAL', KEYLIST_SCRIPT, 0, slot, max + 1]).then(
        (reply): EncodedArgs => {
          const [count, wire] = reply as [number, Buffer];
          return { count: Number(count), wire: Buffer.isBuffer(wire) ? wire : EMPTY };
        },
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
    ),
  );
}

export interface WindowSlot {
  readonly slot: number;
  readonly targetId: string;
  /** The slot's keys, pre-encoded (listSlotKeys). */
  readonly keys: EncodedArgs;
  readonly target: Redis;
}

export type WindowOutcome = CopyOutcome | { readonly kind: 'retry'; readonly ours: Map<string, Buffer> };

/**
 * The first attempt for a whole window of slots of one source, in four round trips however many
 * slots: WATCH + DUMP of every slot, RESTORE on the targets, then one MULTI/EXEC holding every
 * slot's commit script. The same argument as copySlot's holds for each slot (the scripts are
 * per slot and all-or-nothing per slot; the EXEC runs all of them or, if any watched key of the
 * window was touched, none). Slots that need another attempt come back as 'retry' with the
 * copies already on the target, for copySlot.
 *
 * Keys and payloads stay in wire form from node to node: the key list, the snapshot's RESTORE
 * arguments and the present keys are strings the source builds (KEYLIST_SCRIPT,
 * SNAPSHOT_WIRE_SCRIPT) and this process splices into WATCH, RESTORE_SCRIPT and COMMIT_SCRIPT
 * commands; only a slot that fails or needs another attempt has its keys decoded.
 */
export async function copyWindow(source: Redis, slots: readonly WindowSlot[], limits: CopyLimits): Promise<Map<number, WindowOutcome>> {
  const out = new Map<number, WindowOutcome>();
  if (slots.length === 0) return out;
  const ours = new Map<number, Map<string, Buffer>>(slots.map((w) => [w.slot, new Map()]));
  const oursOf = (slot: number): Map<string, Buffer> => ours.get(slot) as Map<string, Buffer>;
  const dropCopies = async (w: WindowSlot, reason: string, failed = false): Promise<void> => {
    const mine = oursOf(w.slot);
    let problem: string | undefined;
    if (mine.size > 0) {
      problem = await restoreOn(
        w.target,
        [...mine.values()].map((key) => ({ mode: 'd' as const, key, ttl: 0, payload: EMPTY })),
        (it) => mine.delete(hex(it.key)),
      ).catch((err: unknown) => errText(err));
    }
    if (problem !== undefined) out.set(w.slot, { kind: 'failed', error: `could not delete the copies of slot ${w.slot} from the target: ${problem}`, copiesLeft: true });
    else if (failed) out.set(w.slot, { kind: 'failed', error: reason, copiesLeft: false });
    else out.set(w.slot, { kind: 'fallback', reason });
  };
  try {
    const snaps = await Promise.all(
      slots.map((w) =>
        Promise.all([
          sendWire(source, 'WATCH', encodeWithSegments(['WATCH'], [w.keys])),
          sendWire(source, 'EVAL', encodeWithSegments(['EVAL', SNAPSHOT_WIRE_SCRIPT, w.keys.count], [w.keys], [limits.maxBytes])),
        ]).then(
          ([, snap]) => ({ ok: true as const, snap, taken: Date.now() }),
          (err: unknown) => ({ ok: false as const, err: errText(err) }),
        ),
      ),
    );
    const committing: { w: WindowSlot; present: EncodedArgs }[] = [];
    await Promise.all(
      slots.map(async (w, i) => {
        const r = snaps[i];
        if (!r || !r.ok) return out.set(w.slot, { kind: 'fallback', reason: r ? r.err : 'no reply' });
        if (r.snap === null) return out.set(w.slot, { kind: 'fallback', reason: `more than ${limits.maxBytes} bytes` });
        const [count, restoreWire, presentWire] = r.snap as [number, Buffer, Buffer | null];
        const n = Number(count);
        if (n === 0) return out.set(w.slot, { kind: 'fallback', reason: 'its keys were deleted meanwhile' });
        const present: EncodedArgs = Buffer.isBuffer(presentWire) ? { count: n, wire: presentWire } : w.keys;
        // Relative TTLs, less the time the copy spent here (MIGRATE's are relative too).
        const elapsed = Date.now() - r.taken;
        const wire = encodeWithSegments(['EVAL', RESTORE_SCRIPT, 0, elapsed], [{ count: 4 * n, wire: restoreWire }]);
        const mine = oursOf(w.slot);
        let problem: string | undefined;
        try {
          const [, reply] = await Promise.all([sendEncoded(w.target, ['ASKING']), sendWire(w.target, 'EVAL', wire)]);
          const bad = restoreFailures(reply);
          const names = decodeOnFailure(present, bad.size > 0);
          if (names !== undefined) {
            // Only the keys restored by us are ours: a BUSYKEY key is the target's own.
            names.forEach((k, j) => {
              if (!bad.has(j)) mine.set(hex(k), k);
            });
            const [j, e] = [...bad][0] as [number, string];
            problem = `RESTORE of ${names[j]?.toString('utf8') ?? '?'} on the target: ${e}`;
          }
        } catch (err) {
          // The restore's outcome is unknown: every present key may be a copy of ours. None was
          // on the target before (precheck), and the source still serves them all.
          for (const k of decodeArgs(present)) mine.set(hex(k), k);
          problem = errText(err);
        }
        if (problem !== undefined) return dropCopies(w, problem);
        committing.push({ w, present });
        return undefined;
      }),
    );
    if (committing.length === 0) {
      await sendEncoded(source, ['UNWATCH']);
      return out;
    }
    const [, , exec] = await Promise.all([
      sendEncoded(source, ['MULTI']),
      Promise.all(
        committing.map(({ w, present }) => sendWire(source, 'EVAL', encodeWithSegments(['EVAL', COMMIT_SCRIPT, 0, w.slot, w.targetId], [present]))),
      ),
      sendEncoded(source, ['EXEC']),
    ]);
    const results = exec === null ? undefined : (exec as unknown[]);
    await Promise.all(
      committing.map(async ({ w, present }, i) => {
        const r = results === undefined ? 'CHANGED' : results[i];
        const text = r instanceof Error ? r.message : Buffer.isBuffer(r) ? r.toString('utf8') : String(r);
        if (text === 'OK') return out.set(w.slot, { kind: 'committed', keys: present.count });
        // Every present key was restored by us (the restore reported no failure).
        const mine = oursOf(w.slot);
        for (const k of decodeArgs(present)) mine.set(hex(k), k);
        if (text !== 'CHANGED') return dropCopies(w, `SETSLOT MIGRATING: ${text}`, true);
        // A watched key was touched (the EXEC did nothing) or one expired: copy again.
        return out.set(w.slot, { kind: 'retry', ours: mine });
      }),
    );
    return out;
  } catch (err) {
    // The hand-over's outcome is unknown (the EXEC may have run): the copies may be the only
    // ones now, so nothing is deleted; the slot is reported for `fix`.
    for (const w of slots) {
      if (!out.has(w.slot)) out.set(w.slot, { kind: 'failed', error: `the hand-over of slot ${w.slot} failed (${errText(err)}); its state is unknown`, copiesLeft: true });
    }
    return out;
  }
}

/** The key names of `present` when a restore failed (to know which copies are ours), else undefined. */
function decodeOnFailure(present: EncodedArgs, failed: boolean): Buffer[] | undefined {
  return failed ? decodeArgs(present) : undefined;
}
