/**
 * The pure part of the cluster lock (clusterLock.ts): who holds it, written as a Redis client
 * name and read back from CLIENT LIST, which contender wins, and the sentence a refused
 * operation prints. No I/O, so every rule here is unit-tested.
 *
 * A holder is `redis-swarm-lock:<operation>:<host>:<pid>:<sinceMs>:<nonce>`. Redis accepts only
 * the characters `!`..`~` in a client name (no spaces, no newlines), and the fields are split at
 * `:`, so the free-text fields (the operation, the host name) are percent-encoded:
 * encodeURIComponent leaves nothing outside that range and encodes `:`.
 */

export const LOCK_NAME_PREFIX = 'redis-swarm-lock';

export interface LockHolder {
  /** What runs: `reshard`, `heal`, a VS Code command's title. */
  readonly operation: string;
  /** The machine it runs on (os.hostname()). */
  readonly host: string;
  readonly pid: number;
  /** When it asked for the lock (ms since the epoch, its own clock). */
  readonly since: number;
  /** Random: two contenders with the same `since` still have an order, and a name is unique. */
  readonly nonce: string;
}

export function encodeLockName(h: LockHolder): string {
  return [LOCK_NAME_PREFIX, encodeURIComponent(h.operation), encodeURIComponent(h.host), String(h.pid), String(h.since), encodeURIComponent(h.nonce)].join(':');
}

/** The holder a client name stands for; undefined for any other name (or a malformed one). */
export function decodeLockName(name: string): LockHolder | undefined {
  const parts = name.split(':');
  if (parts.length !== 6 || parts[0] !== LOCK_NAME_PREFIX) return undefined;
  const [, op, host, pidText, sinceText, nonce] = parts;
  if (op === undefined || host === undefined || pidText === undefined || sinceText === undefined || nonce === undefined) return undefined;
  if (!/^\d+$/.test(pidText) || !/^\d+$/.test(sinceText) || nonce === '') return undefined;
  try {
    return { operation: decodeURIComponent(op), host: decodeURIComponent(host), pid: Number(pidText), since: Number(sinceText), nonce: decodeURIComponent(nonce) };
  } catch {
    // A bad %-escape: not one of ours.
    return undefined;
  }
}

/** The lock names in a CLIENT LIST reply (one client a line, `name=` among space-separated fields). */
export function lockNamesInClientList(text: string): string[] {
  const names: string[] = [];
  for (const line of text.split('\n')) {
    const m = / name=(\S*)/.exec(` ${line.trim()}`);
    const name = m?.[1];
    if (name !== undefined && name.startsWith(`${LOCK_NAME_PREFIX}:`)) names.push(name);
  }
  return names;
}

/** Contenders in order of precedence: the earlier `since` first, then the smaller nonce. */
export function compareHolders(a: LockHolder, b: LockHolder): number {
  if (a.since !== b.since) return a.since - b.since;
  return a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0;
}

export type LockVerdict =
  /** Nobody else is registered on any node we registered on: the lock is ours. */
  | { readonly kind: 'acquired' }
  /** Someone ahead of us is registered: we give up (drop our names). */
  | { readonly kind: 'lost'; readonly holder: LockHolder }
  /**
   * Only contenders behind us are registered. They give up when they see us, unless they did
   * not see us and so hold the lock (then they never leave): wait a moment for them to leave,
   * and give up if they stay.
   */
  | { readonly kind: 'wait'; readonly holder: LockHolder };

/**
 * The rule every contender applies after registering its name on every node and reading every
 * node's clients. Mutual exclusion: each node runs commands one at a time, so of two
 * contenders that both registered on a node, the one that checked that node later saw the
 * other; a contender acquires only after a check that saw nobody, so two never both acquire.
 * Progress: of two simultaneous contenders, the one behind gives up when it sees the other, and
 * the one ahead waits only until the other has left.
 */
export function judgeContenders(self: LockHolder, others: readonly LockHolder[]): LockVerdict {
  const rivals = others.filter((o) => compareHolders(o, self) !== 0);
  if (rivals.length === 0) return { kind: 'acquired' };
  const first = [...rivals].sort(compareHolders)[0] as LockHolder;
  return compareHolders(first, self) < 0 ? { kind: 'lost', holder: first } : { kind: 'wait', holder: first };
}

/** The one sentence an operation refused by the lock prints. */
export function busySentence(cluster: string, h: LockHolder): string {
  return `Cluster "${cluster}" is busy: ${h.operation} has held its lock since ${new Date(h.since).toISOString()} (pid ${h.pid} on ${h.host}); try again when it has finished.`;
}

/**
 * A holder that cannot be holding anything: it runs on this machine (same host name) and its
 * process is gone. Its names outlive it only where a relay between it and Redis outlives it: a
 * Docker API tunnel whose engine link was cut (not closed) keeps its exec, and so its Redis
 * connection, until the engine notices, which can take minutes. `alive` says whether a pid runs
 * here; a pid that runs (even reused by another program) keeps the holder, to be safe.
 */
export function isDeadLocalHolder(h: LockHolder, thisHost: string, alive: (pid: number) => boolean): boolean {
  return h.host === thisHost && !alive(h.pid);
}

/** The client ids (for CLIENT KILL ID) carrying a given name in a CLIENT LIST reply. */
export function clientIdsNamed(text: string, name: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    const fields = ` ${line.trim()}`;
    const id = / id=(\d+)/.exec(fields)?.[1];
    const n = / name=(\S*)/.exec(fields)?.[1];
    if (id !== undefined && n === name) ids.push(id);
  }
  return ids;
}
