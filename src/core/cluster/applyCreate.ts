/**
 * Applies a create plan to real nodes. The steps are redis-cli's (check the nodes, assign
 * slots, give each node its own config epoch, MEET, REPLICATE, wait until they agree), done
 * faster: every node in parallel, each node's commands pipelined, every pair met directly
 * (instead of all meeting one node and waiting for gossip), and no fixed sleeps: a quick poll
 * with one overall deadline.
 */
import { isIP } from 'node:net';
import { BadInputError, CancelledError, ConflictError, describeError, RedisError, TimeoutError } from '../errors';
import { type CancellationToken, type Logger, neverCancelled, nullLogger, type ProgressReporter, silentProgress, sleep } from '../lifecycle';
import { type AdminPool, type CommandArg, type PipelineResult, replyText } from '../redis/adminConnection';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { configSignature, infoField, parseClusterNodes } from './nodesParser';
import { type CreateNodeInput, type CreatePlan, type PlannedNode } from './planCreate';
import { type NodesView } from './topology';

/** Poll interval while waiting for the cluster to converge (ms). */
export const CONVERGE_POLL_MS = 25;
/** Overall deadline for convergence: a base plus a little per node (ms). */
export const CONVERGE_BASE_TIMEOUT_MS = 30_000;
export const CONVERGE_PER_NODE_TIMEOUT_MS = 500;

export interface ApplyOptions {
  readonly progress?: ProgressReporter;
  readonly token?: CancellationToken;
  /** Receives one debug line per status poll: what the nodes are still waiting for. */
  readonly logger?: Logger;
  /** Overrides the convergence deadline (ms). */
  readonly timeoutMs?: number;
  /**
   * Lets masters settle quickly, giving each its own settings back as soon as it is ready
   * (default true). Two Redis delays, not the cluster protocol, dominate forming a cluster:
   * - a new replica's first sync waits `repl-diskless-sync-delay` (5 s by default), though an
   *   empty master has nothing to send: masters get 0 while the cluster forms;
   * - a master that has just been "in a minority" (which a node with no slots always is) waits
   *   min(cluster-node-timeout, 5 s) before it says cluster_state:ok (cluster.c
   *   clusterUpdateState, rejoin_delay): masters get FORMING_NODE_TIMEOUT_MS meanwhile.
   */
  readonly fastSettle?: boolean;
}

/** cluster-node-timeout while a master forms: its rejoin delay becomes 1 s instead of 5 s. */
export const FORMING_NODE_TIMEOUT_MS = 1000;

/** Settings a master gets while the cluster forms (see ApplyOptions.fastSettle). */
const FORMING_SETTINGS: readonly { name: string; value: number }[] = [
  { name: 'repl-diskless-sync-delay', value: 0 },
  { name: 'cluster-node-timeout', value: FORMING_NODE_TIMEOUT_MS },
];

export interface ApplyResult {
  /** Node IDs by input index. */
  readonly ids: readonly string[];
  readonly elapsedMs: number;
  /** How many status polls it took to converge. */
  readonly polls: number;
}

/**
 * Checks that every node is a cluster node that knows no other node and holds no key, as
 * redis-cli does before it plans, and returns the node IDs by input index. All nodes are
 * checked (in parallel) and every problem is reported, not just the first.
 */
export async function inspectNodes(pool: AdminPool, nodes: readonly CreateNodeInput[]): Promise<string[]> {
  const results = await Promise.all(
    nodes.map(async (n) => {
      const ep = formatEndpoint(n.endpoint);
      let replies: PipelineResult[];
      try {
        replies = await pool.pipeline(n.endpoint, [['INFO', 'cluster'], ['INFO', 'keyspace'], ['CLUSTER', 'INFO'], ['CLUSTER', 'MYID']]);
      } catch (err) {
        return { problem: `[ERR] ${describeError(err)}`, kind: 'redis' as const };
      }
      const [clusterInfo, keyspace, cinfo, myid] = replies.map((r) => (r.ok ? replyText(r.value) : undefined));
      if (clusterInfo === undefined || infoField(clusterInfo, 'cluster_enabled') !== '1') {
        return { problem: `[ERR] Node ${ep} is not configured as a cluster node.`, kind: 'bad-input' as const };
      }
      const knownNodes = cinfo === undefined ? undefined : Number(infoField(cinfo, 'cluster_known_nodes'));
      if ((keyspace ?? '').includes('db0:') || knownNodes !== 1) {
        return {
          problem:
            `[ERR] Node ${ep} is not empty. Either the node already knows other nodes ` +
            `(check with CLUSTER NODES) or contains some key in database 0.`,
          kind: 'conflict' as const,
        };
      }
      if (myid === undefined || !/^[0-9a-f]{40}$/.test(myid)) return { problem: `[ERR] Node ${ep} did not tell its node ID.`, kind: 'redis' as const };
      return { id: myid };
    }),
  );
  const problems = results.flatMap((r) => ('problem' in r ? [r] : []));
  if (problems.length > 0) {
    const text = problems.map((p) => p.problem).join('\n');
    if (problems.every((p) => p.kind === 'bad-input')) throw new BadInputError(text);
    throw problems.some((p) => p.kind === 'conflict') ? new ConflictError(text) : new RedisError(text);
  }
  return results.map((r) => ('id' in r && r.id !== undefined ? r.id : ''));
}

interface MeetAddress {
  readonly ip: string;
  readonly port: number;
  readonly busPort?: number;
}

/** The IP others use in CLUSTER MEET to reach a node (MEET takes only an IP literal). */
function meetAddress(n: CreateNodeInput): MeetAddress {
  const ip = n.meetIp ?? n.endpoint.host;
  if (isIP(ip) === 0) {
    throw new BadInputError(
      `CLUSTER MEET needs an IP address and ${formatEndpoint(n.endpoint)} names a host; give the node as ip:port.`,
    );
  }
  return n.busPort !== undefined && n.busPort !== n.endpoint.port + 10000
    ? { ip, port: n.endpoint.port, busPort: n.busPort }
    : { ip, port: n.endpoint.port };
}

/**
 * Bus ports the input did not give, from each node's own `myself` line: a node started with
 * `cluster-port` (Redis 7) listens there, not on port + 10000, and MEET must name it.
 */
async function withOwnBusPorts(pool: AdminPool, meet: readonly MeetAddress[], inputs: readonly CreateNodeInput[]): Promise<MeetAddress[]> {
  return Promise.all(
    meet.map(async (m, i) => {
      const input = inputs[i] as CreateNodeInput;
      if (input.busPort !== undefined) return m;
      try {
        const self = parseClusterNodes(replyText(await pool.command(input.endpoint, ['CLUSTER', 'NODES']))).self;
        return self.busPort !== self.endpoint.port + 10000 && self.endpoint.port === m.port ? { ...m, busPort: self.busPort } : m;
      } catch {
        // The node answered CLUSTER NODES when it was inspected; if it cannot now, MEET says so.
        return m;
      }
    }),
  );
}

/** The slot map every node must end up holding: redis-cli's config signature of the plan. */
export function expectedSignature(plan: CreatePlan, ids: readonly string[]): string {
  return plan.masters
    .map((m) => {
      const s = (plan.nodes[m] as PlannedNode).slots;
      return `${ids[m] ?? ''}:${s ? `${s.start}-${s.end}` : ''}`;
    })
    .sort()
    .join('|');
}

interface NodeStatus {
  ready: boolean;
  stateOk: boolean;
  linkUp: boolean;
  reasons: string[];
  view?: NodesView;
}

export async function applyCreate(pool: AdminPool, plan: CreatePlan, ids: readonly string[], options: ApplyOptions = {}): Promise<ApplyResult> {
  const progress = options.progress ?? silentProgress;
  const token = options.token ?? neverCancelled;
  const logger = options.logger ?? nullLogger;
  const started = Date.now();
  const nodes = plan.nodes;
  const meet = await withOwnBusPorts(pool, nodes.map((n) => meetAddress(n.input)), nodes.map((n) => n.input));
  const noteCancel = cancelNoter(token, progress, logger);

  // 1. Slots for masters and a distinct config epoch for every node, as redis-cli does, so no
  // epoch collision has to be resolved later.
  if (token.isCancellationRequested) throw new CancelledError('Cluster creation was cancelled before any node was changed.');
  progress.report({ message: `Assigning slots to ${plan.masters.length} masters` });
  const saved = await assignSlotsAndEpochs(pool, plan, options.fastSettle !== false);
  const restore = (i: number): Promise<void> => restoreOwnSettings(pool, saved, i, (nodes[i] as PlannedNode).input.endpoint);

  try {
    // 2. Every pair meets directly: node i meets every node after it. Each node learns all the
    // others from its own handshakes instead of waiting for gossip to spread them.
    noteCancel();
    progress.report({ message: `Joining ${nodes.length} nodes (CLUSTER MEET)` });
    await meetEveryPair(pool, nodes, meet);

    // 3. Poll until the nodes agree.
    const polls = await waitUntilFormed({ pool, plan, ids, options, started, meet, noteCancel, restore });
    progress.report({ message: 'All nodes agree about the configuration' });
    return { ids, elapsedMs: Date.now() - started, polls };
  } finally {
    // Give the masters their own settings back, whatever happened.
    await Promise.all([...saved.keys()].map(restore));
  }
}

/**
 * Once slots are assigned, stopping would leave nodes holding slots but not joined, which
 * neither create (the nodes are no longer empty) nor fix can take up again: a cancel from
 * then on lets the formation finish (bounded by its deadline) and says so, once.
 */
function cancelNoter(token: CancellationToken, progress: ProgressReporter, logger: Logger): () => void {
  let cancelNoted = false;
  return () => {
    if (!token.isCancellationRequested || cancelNoted) return;
    cancelNoted = true;
    logger.info('cancel requested while the nodes were being joined: finishing the formation, as stopping now would leave them half-joined');
    progress.report({ message: 'Cancel requested: finishing the formation (stopping now would leave the nodes half-joined)' });
  };
}

/**
 * Step 1 on every node in parallel: the master's slots, the node's config epoch and, with
 * fastSettle, the forming settings. SET-CONFIG-EPOCH errors are ignored like redis-cli ignores
 * them (a node that already has an epoch keeps it; Redis resolves clashes). Returns, per node
 * index, the settings to give back (name -> its own value) once it is ready.
 */
async function assignSlotsAndEpochs(pool: AdminPool, plan: CreatePlan, fast: boolean): Promise<Map<number, Map<string, string>>> {
  const saved = new Map<number, Map<string, string>>();
  await Promise.all(
    plan.nodes.map(async (n, i) => {
      const cmds: CommandArg[][] = [];
      if (n.role === 'master' && n.slots) cmds.push(['CLUSTER', 'ADDSLOTSRANGE', n.slots.start, n.slots.end]);
      cmds.push(['CLUSTER', 'SET-CONFIG-EPOCH', i + 1]);
      const tuned = !fast ? [] : n.role === 'master' ? FORMING_SETTINGS : FORMING_SETTINGS.filter((t) => t.name === 'cluster-node-timeout');
      for (const t of tuned) cmds.push(['CONFIG', 'GET', t.name]);
      const res = await pool.pipeline(n.input.endpoint, cmds);
      const slots = res[0];
      if (n.role === 'master' && slots && !slots.ok) {
        throw new RedisError(`${formatEndpoint(n.input.endpoint)} refused its slots (CLUSTER ADDSLOTSRANGE): ${slots.error.message}`);
      }
      // Only settings we could read (CONFIG may be renamed away) and that are slower are changed.
      const own = new Map<string, string>();
      tuned.forEach((t, k) => {
        const got = res[res.length - tuned.length + k];
        const value = got?.ok && Array.isArray(got.value) ? got.value[1] : undefined;
        if (value !== undefined && Number(replyText(value)) > t.value) own.set(t.name, replyText(value));
      });
      if (own.size === 0) return;
      const set = await pool.pipeline(n.input.endpoint, [...own.keys()].map((name) => ['CONFIG', 'SET', name, FORMING_SETTINGS.find((t) => t.name === name)?.value ?? 0]));
      if (set.every((r) => r.ok)) saved.set(i, own);
    }),
  );
  return saved;
}

/** Gives node `i` its own settings back, once; a failure to do so is not the formation's. */
async function restoreOwnSettings(pool: AdminPool, saved: Map<number, Map<string, string>>, i: number, endpoint: Endpoint): Promise<void> {
  const own = saved.get(i);
  if (!own) return;
  saved.delete(i);
  await pool.pipeline(endpoint, [...own].map(([name, value]) => ['CONFIG', 'SET', name, value])).catch(() => undefined);
}

/** Step 2: node i meets every node after it, its MEETs pipelined, all nodes in parallel. */
async function meetEveryPair(pool: AdminPool, nodes: readonly PlannedNode[], meet: readonly MeetAddress[]): Promise<void> {
  await Promise.all(
    nodes.map(async (n, i) => {
      const cmds: CommandArg[][] = [];
      for (let j = i + 1; j < nodes.length; j++) {
        const m = meet[j] as MeetAddress;
        cmds.push(m.busPort !== undefined ? ['CLUSTER', 'MEET', m.ip, m.port, m.busPort] : ['CLUSTER', 'MEET', m.ip, m.port]);
      }
      if (cmds.length === 0) return;
      const res = await pool.pipeline(n.input.endpoint, cmds);
      const bad = res.find((r): r is { ok: false; error: Error } => !r.ok);
      if (bad) throw new RedisError(`${formatEndpoint(n.input.endpoint)} refused CLUSTER MEET: ${bad.error.message}`);
    }),
  );
}

interface FormingRun {
  readonly pool: AdminPool;
  readonly plan: CreatePlan;
  readonly ids: readonly string[];
  readonly options: ApplyOptions;
  readonly started: number;
  readonly meet: readonly MeetAddress[];
  readonly noteCancel: () => void;
  readonly restore: (i: number) => Promise<void>;
}

/**
 * Step 3, a poll: replicas REPLICATE as soon as they know their master; done when every node
 * holds the planned slot map, knows every node, says cluster_state:ok, and every replica's link
 * is up. Returns how many polls it took.
 */
async function waitUntilFormed(run: FormingRun): Promise<number> {
  const { pool, plan, ids, options, started, meet } = run;
  const progress = options.progress ?? silentProgress;
  const logger = options.logger ?? nullLogger;
  const nodes = plan.nodes;
  const expected = expectedSignature(plan, ids);
  const replicated = new Set<number>();
  const timeoutMs = options.timeoutMs ?? CONVERGE_BASE_TIMEOUT_MS + CONVERGE_PER_NODE_TIMEOUT_MS * nodes.length;
  const deadline = started + timeoutMs;
  let polls = 0;
  let statuses: NodeStatus[] = [];
  for (;;) {
    run.noteCancel();
    polls++;
    statuses = await Promise.all(nodes.map((n, i) => pollNode(pool, n, i, ids, expected, nodes.length, replicated)));
    // A node that is ready (and, for a master, whose replicas have synced) gets its own settings back.
    await Promise.all(statuses.map((st, i) => (st.ready && allReplicasUp(plan, statuses, i) ? run.restore(i) : Promise.resolve())));
    const ready = statuses.filter((s) => s.ready).length;
    logger.debug(`poll ${polls} at ${Date.now() - started} ms: ${ready}/${nodes.length} ready${summarizeReasons(statuses)}`);
    if (ready === nodes.length) return polls;
    progress.report({ message: `Waiting for the cluster to join (${ready}/${nodes.length} nodes ready)` });
    if (Date.now() > deadline) throw new TimeoutError(timeoutMessage(nodes, statuses, meet, timeoutMs));
    // Not cut short by a cancel: the formation finishes (see noteCancel).
    await sleep(CONVERGE_POLL_MS);
  }
}

async function pollNode(
  pool: AdminPool,
  n: PlannedNode,
  i: number,
  ids: readonly string[],
  expected: string,
  total: number,
  replicated: Set<number>,
): Promise<NodeStatus> {
  const cmds: CommandArg[][] = [['CLUSTER', 'NODES'], ['CLUSTER', 'INFO']];
  const masterId = n.replicaOf !== undefined ? ids[n.replicaOf] : undefined;
  const wantsReplicate = masterId !== undefined && !replicated.has(i);
  if (wantsReplicate) cmds.push(['CLUSTER', 'REPLICATE', masterId]);
  if (masterId !== undefined) cmds.push(['INFO', 'replication']);
  let res: PipelineResult[];
  try {
    res = await pool.pipeline(n.input.endpoint, cmds);
  } catch (err) {
    return { ready: false, stateOk: false, linkUp: false, reasons: [describeError(err)] };
  }
  const reasons: string[] = [];
  const [nodesReply, infoReply] = res;
  let view: NodesView | undefined;
  if (nodesReply?.ok) view = parseClusterNodes(replyText(nodesReply.value));
  else reasons.push(`CLUSTER NODES failed: ${nodesReply && !nodesReply.ok ? nodesReply.error.message : 'no reply'}`);
  if (wantsReplicate) {
    const r = res[2];
    // "Unknown node" until the handshake with the master completed: try again next poll.
    if (r?.ok) replicated.add(i);
    else reasons.push(`does not know its master ${masterId ?? ''} yet (${r && !r.ok ? r.error.message : 'no reply'})`);
  }
  if (view) {
    const known = view.nodes.filter((x) => !x.flags.handshake && !x.flags.noaddr).length;
    if (known < total) reasons.push(`knows ${known} of ${total} nodes`);
    if (configSignature(view) !== expected) reasons.push('does not yet hold the planned slot map');
  }
  const state = infoReply?.ok ? infoField(replyText(infoReply.value), 'cluster_state') : undefined;
  if (state !== 'ok') reasons.push(`cluster_state:${state ?? 'unknown'}`);
  let linkUp = false;
  if (masterId !== undefined) {
    const repl = res[res.length - 1];
    const link = repl?.ok ? infoField(replyText(repl.value), 'master_link_status') : undefined;
    linkUp = link === 'up';
    if (!linkUp) reasons.push(`master_link_status:${link ?? 'not replicating yet'}`);
  }
  return { ready: reasons.length === 0, stateOk: state === 'ok', linkUp, reasons, ...(view ? { view } : {}) };
}

/** `; 12 x cluster_state:fail, 3 x knows 40 of 60 nodes` (numbers folded so like reasons group). */
function summarizeReasons(statuses: readonly NodeStatus[]): string {
  const counts = new Map<string, number>();
  for (const s of statuses) for (const r of s.reasons) {
    const key = r.replace(/[0-9a-f]{40}/g, '<id>').replace(/knows \d+ of/, 'knows N of');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts.size === 0 ? '' : `; ${[...counts].map(([r, c]) => `${c} x ${r}`).join(', ')}`;
}

/** True when every replica planned for master `i` reports its link up. */
function allReplicasUp(plan: CreatePlan, statuses: readonly NodeStatus[], i: number): boolean {
  return plan.nodes.every((n) => n.replicaOf !== i || statuses[n.index]?.linkUp === true);
}

/** Names every node that did not converge and why, and which bus ports look unreachable. */
function timeoutMessage(
  nodes: readonly PlannedNode[],
  statuses: readonly NodeStatus[],
  meet: readonly { ip: string; port: number; busPort?: number }[],
  timeoutMs: number,
): string {
  const lines = [`The cluster did not converge within ${Math.round(timeoutMs / 1000)} s. Nodes not ready:`];
  statuses.forEach((s, i) => {
    if (!s.ready) lines.push(`  ${formatEndpoint((nodes[i] as PlannedNode).input.endpoint)}: ${s.reasons.join('; ')}`);
  });
  // A node whose handshake never completes (or whose link stays down) in the others' views is
  // the classic sign of a cluster bus port that peers cannot reach.
  const unreachableFrom = new Map<number, string[]>();
  statuses.forEach((s, i) => {
    for (const seen of s.view?.nodes ?? []) {
      if (seen.flags.myself || (!seen.flags.handshake && seen.linkState === 'connected')) continue;
      const j = meet.findIndex((m) => m.ip === seen.endpoint.host && m.port === seen.endpoint.port);
      if (j < 0 || j === i) continue;
      const list = unreachableFrom.get(j) ?? [];
      list.push(formatEndpoint((nodes[i] as PlannedNode).input.endpoint));
      unreachableFrom.set(j, list);
    }
  });
  for (const [j, from] of unreachableFrom) {
    const m = meet[j] as { ip: string; port: number; busPort?: number };
    lines.push(`  The cluster bus port ${m.busPort ?? m.port + 10000} of ${m.ip} may be unreachable from: ${from.join(', ')}.`);
  }
  if (unreachableFrom.size > 0) lines.push('Cluster bus ports must be reachable by every node (port + 10000 unless announced otherwise).');
  return lines.join('\n');
}
