/**
 * ACL users of a deployed cluster: one operator user (what redis-swarm itself logs in as, and
 * what replicas authenticate to their master as) and application users with the key patterns
 * and command categories the user gives. The default user is switched off when users exist.
 */
import { createHash, randomBytes } from 'node:crypto';
import { BadInputError } from '../errors';

/** The operator user's name unless the user picks another (`--operator-user`). */
export const DEFAULT_OPERATOR_USER = 'redis-swarm';

/**
 * Every command redis-swarm sends to a node, and nothing else. Each entry names where it is
 * sent from (`sentByRedis`: a node sends it to another node logged in as this user: MIGRATE's
 * SELECT, a replica's sync); `test/unit/aclUsers.test.ts` checks the sources send every other
 * one and no CLUSTER, CONFIG or CLIENT subcommand outside the list,
 * and `test/integration/aclLoopback.test.ts` runs every verb with only this user and an empty
 * ACL LOG afterwards.
 */
export const OPERATOR_COMMANDS: readonly { readonly command: string; readonly why: string; readonly sentByRedis?: true }[] = [
  { command: 'cluster|nodes', why: 'topology reads (readTopology, heal, failover, fix)' },
  { command: 'cluster|info', why: 'cluster_state and epochs (readTopology, create, fix)' },
  { command: 'cluster|myid', why: 'a node\'s ID (create, add-node)' },
  { command: 'cluster|meet', why: 'joining nodes (create, heal, add-node)' },
  { command: 'cluster|replicate', why: 'making replicas (create, heal, add-node, del-node)' },
  { command: 'cluster|forget', why: 'dropping dead or removed nodes (heal, del-node)' },
  { command: 'cluster|reset', why: 'a removed or failed new node leaves the cluster (add-node, del-node)' },
  { command: 'cluster|addslots', why: 'covering lost slots (fix)' },
  { command: 'cluster|addslotsrange', why: 'assigning slots (create, heal)' },
  { command: 'cluster|setslot', why: 'slot moves (reshard, rebalance, del-node, fix)' },
  { command: 'cluster|bumpepoch', why: 'claiming slots after a fix or heal' },
  { command: 'cluster|set-config-epoch', why: 'distinct epochs while forming (create)' },
  { command: 'cluster|failover', why: 'failover' },
  { command: 'cluster|countkeysinslot', why: 'keys per slot (moves, fix, the slot map)' },
  { command: 'cluster|getkeysinslot', why: 'the keys a slot move carries' },
  { command: 'config|get', why: 'settings read before they are changed (create, del-node, lock, check)' },
  { command: 'config|set', why: 'forming settings, cluster-require-full-coverage (mode, heal), replica migration (del-node)' },
  { command: 'client|list', why: 'the cluster lock: who holds it' },
  { command: 'client|setname', why: 'the cluster lock: naming the holder\'s connections' },
  { command: 'client|kill', why: 'the cluster lock: closing the connections of a holder whose process on this machine is gone' },
  { command: 'info', why: 'replication, memory, keyspace (status, create, failover, moves)' },
  { command: 'dbsize', why: 'keys per node (status)' },
  { command: 'dump', why: 'the copy engine reads keys' },
  { command: 'pttl', why: 'the copy engine keeps TTLs' },
  { command: 'restore-asking', why: 'the copy engine writes keys; MIGRATE sends it to its target' },
  { command: 'exists', why: 'no silent overwrite: keys present on both sides' },
  { command: 'del', why: 'undoing a copy that was not committed' },
  { command: 'unlink', why: 'dropping copies (fix) and the commit script' },
  { command: 'migrate', why: 'the migrate engine moves keys node to node' },
  { command: 'select', sentByRedis: true, why: 'MIGRATE selects the database on its target' },
  { command: 'asking', why: 'writes to a slot that is being imported' },
  { command: 'watch', why: 'the copy engine notices keys changed meanwhile' },
  { command: 'unwatch', why: 'the copy engine, after a batch' },
  { command: 'multi', why: 'the copy engine hands a slot over in one transaction' },
  { command: 'exec', why: 'the copy engine hands a slot over in one transaction' },
  { command: 'eval', why: 'the copy engine\'s commit script (it calls only commands above)' },
  { command: 'ping', sentByRedis: true, why: 'replicas log in to their master as this user' },
  { command: 'replconf', sentByRedis: true, why: 'replicas log in to their master as this user' },
  { command: 'psync', sentByRedis: true, why: 'replicas log in to their master as this user' },
];

/** The operator's ACL rules: every key (slot moves carry them all), no channels, only the commands above. */
export function operatorAclRules(): string[] {
  return ['resetkeys', '~*', 'resetchannels', '-@all', ...OPERATOR_COMMANDS.map((c) => `+${c.command}`)];
}

/** An application user as the user gives it: `NAME:KEYPATTERNS:CATEGORIES`. */
export interface AppUser {
  readonly name: string;
  /** ACL key patterns, each `~pattern` (or `%R~` / `%W~`). */
  readonly keyPatterns: readonly string[];
  /** ACL command rules, each `+@category`, `-@category`, `+command` or `-command`. */
  readonly commandRules: readonly string[];
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/;
const COMMAND_RULE = /^[+-]@?[a-z][a-z0-9_|-]*$/;

/** Names a Docker secret, so the same rule as secret names: letters, digits, `_ . -`. */
export function validateUserName(name: string, what: string): void {
  if (!USER_NAME.test(name)) {
    throw new BadInputError(`${what} "${name}" is not valid: use letters, digits, "_", "." and "-" (at most 40, starting with a letter or digit).`);
  }
  if (name === 'default') throw new BadInputError(`${what} may not be "default": the default user is switched off when a cluster has users.`);
}

/**
 * `NAME:KEYPATTERNS:CATEGORIES`, e.g. `app:app:*,session:*:+@read,+@write`: the name up to the
 * first colon, the categories after the last (they never hold one), the key patterns between
 * (they often do). Patterns and categories are comma-separated; a category without a sign is
 * added (`read` is `+@read`).
 */
export function parseUserSpec(spec: string): AppUser {
  const first = spec.indexOf(':');
  const last = spec.lastIndexOf(':');
  if (first < 0 || last === first) {
    throw new BadInputError(`--user "${spec}" is not NAME:KEYPATTERNS:CATEGORIES (for example app:app:*:+@read,+@write).`);
  }
  const name = spec.slice(0, first);
  validateUserName(name, 'User name');
  const keyPatterns = spec
    .slice(first + 1, last)
    .split(',')
    .filter((p) => p !== '')
    .map((p) => (p.startsWith('~') || p.startsWith('%') ? p : `~${p}`));
  if (keyPatterns.length === 0) throw new BadInputError(`--user ${name}: give at least one key pattern (e.g. ${name}:*).`);
  for (const p of keyPatterns) {
    // Quotes and backslashes would be read as quoting in redis.conf (sdssplitargs), not as part of the pattern.
    if (/[\s"'\\]/.test(p) || !/^(?:~|%R~|%W~|%RW~)./.test(p)) {
      throw new BadInputError(`--user ${name}: "${p}" is not a key pattern (~pattern, %R~pattern or %W~pattern, without spaces, quotes or backslashes).`);
    }
  }
  const commandRules = spec
    .slice(last + 1)
    .split(',')
    .filter((c) => c !== '')
    .map((c) => (/^[+-]/.test(c) ? c : `+@${c}`).toLowerCase());
  if (commandRules.length === 0) throw new BadInputError(`--user ${name}: give at least one command category (e.g. +@read,+@write).`);
  for (const c of commandRules) {
    if (!COMMAND_RULE.test(c)) throw new BadInputError(`--user ${name}: "${c}" is not a command rule (+@category, -@category, +command or -command).`);
  }
  // Key patterns do not bind commands without keys: +@write alone grants FLUSHALL, +@read KEYS
  // over every key. Dangerous commands stay refused unless the rules name the category.
  if (!commandRules.some((c) => c.endsWith('@dangerous'))) commandRules.push('-@dangerous');
  return { name, keyPatterns, commandRules };
}

/** Checks a set of users for a deploy: distinct names, none the operator's. */
export function validateUsers(operator: string, users: readonly AppUser[]): void {
  validateUserName(operator, 'Operator user name');
  const seen = new Set<string>([operator]);
  for (const u of users) {
    if (seen.has(u.name)) {
      throw new BadInputError(u.name === operator ? `User "${u.name}" is the operator user's name; choose another.` : `User "${u.name}" is given twice.`);
    }
    seen.add(u.name);
  }
}

/** A random password: 32 bytes, base64url (no quoting trouble in redis.conf or a shell). */
export function generatePassword(): string {
  return randomBytes(32).toString('base64url');
}

/** `#<sha256>`: the ACL stores a hash, so the config holds no application password in clear. */
export function passwordHashRule(password: string): string {
  return `#${createHash('sha256').update(password).digest('hex')}`;
}

/** The Docker secret holding one application user's password (and nothing else), for its services to mount. */
export function userSecretName(cluster: string, user: string): string {
  return `${cluster}-user-${user}`;
}
