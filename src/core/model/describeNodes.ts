/**
 * The words and icons of the sidebar tree, as plain data: label, description, a Markdown
 * tooltip and a codicon with a theme color id. The extension turns these into TreeItems; being
 * free of `vscode`, they are unit-tested under plain Node.
 */
import { type Finding } from '../cluster/check';
import { formatRanges } from '../cluster/topology';
import { formatEndpoint } from '../routes/endpoint';
import { type SwarmRedisNode } from '../swarm/discover';
import { hostTrouble, type SwarmHost } from '../swarm/swarmHosts';
import { type ClusterModel, HEALTH_WORDS, type NodeModel, type ShardModel, TOTAL_SLOTS } from './clusterModel';
import { formatCount, formatLoadLines, formatLoadShort, formatMemory, type NodeLoad } from './nodeLoad';
import { formatBytes } from './units';

export { formatBytes } from './units';

/** A codicon id (`database`, `error`) and a theme color id (`testing.iconPassed`). */
export interface IconSpec {
  readonly id: string;
  readonly color?: string;
}

export interface ItemText {
  readonly label: string;
  readonly description: string;
  /** Markdown. */
  readonly tooltip: string;
  readonly icon: IconSpec;
}

const GREEN = 'testing.iconPassed';
const RED = 'testing.iconFailed';
const YELLOW = 'list.warningForeground';
const GREY = 'disabledForeground';

export function describeCluster(c: ClusterModel): ItemText {
  const nodes = c.swarm.nodes.length;
  const running = c.swarm.nodes.filter((n) => n.task?.state === 'running').length;
  const parts = [HEALTH_WORDS[c.health], `${nodes} node${nodes === 1 ? '' : 's'}`];
  if (c.health === 'ok' || c.health === 'degraded' || c.health === 'fail') parts.push(`${c.slotsCovered}/${TOTAL_SLOTS} slots`);
  if (running < nodes) parts.push(`${running} running`);
  if (c.swarm.roll) parts.push(`${c.swarm.roll.kind} unfinished`);
  const lines = [
    `**Redis cluster ${md(c.name)}**: ${HEALTH_WORDS[c.health]}${c.health === 'degraded' ? ' (Redis says cluster_state:ok; redundancy or upkeep is lacking)' : ''}`,
    `${c.shards.length} shard(s), ${nodes} node service(s), ${running} running`,
    `Slots covered: ${c.slotsCovered} of ${TOTAL_SLOTS}`,
    `Mode: ${c.swarm.mode}${c.swarm.managed ? '' : ' (made by hand: found by what it runs or named by the user, not deployed by redis-swarm)'}`,
    ...(c.swarm.operatorUser !== undefined
      ? [`ACL users: ${md(c.swarm.operatorUser)} (operator)${(c.swarm.appUsers ?? []).map((u) => `, ${md(u)}`).join('')}; passwords in secrets \`${c.swarm.authSecret ?? '?'}\` and \`${c.name}-user-*\``]
      : c.swarm.authSecret
        ? [`Password in secret \`${c.swarm.authSecret}\``]
        : []),
    ...(c.swarm.roll ? [`An unfinished ${c.swarm.roll.kind} (started ${c.swarm.roll.startedAt}): finish it with \`--resume\` or undo it with \`--rollback\``] : []),
    ...clusterTlsLines(c),
    ...(c.error ? [`Error: ${md(c.error)}`] : []),
    ...c.findings.map((f) => `${findingTag(f)} ${md(f.message)}`),
  ];
  return { label: c.name, description: parts.join(' · '), tooltip: lines.join('\n\n'), icon: clusterIcon(c) };
}

/** A TLS cluster: how, and the first of its nodes' certificates to expire. */
function clusterTlsLines(c: ClusterModel): string[] {
  const expiries = c.shards
    .flatMap((s) => [s.master, ...s.replicas])
    .flatMap((n) => (n.report?.certificateExpiresAt !== undefined ? [n.report.certificateExpiresAt] : []));
  if (!c.swarm.tls && expiries.length === 0) return [];
  const how = c.swarm.tls === 'generated' ? 'certificates from its own CA' : c.swarm.tls === 'files' ? 'your certificate' : 'TLS';
  const first = expiries.length > 0 ? `; the first certificate expires on ${day(Math.min(...expiries))}` : '';
  return [`TLS: ${how}${first}`];
}

function certificateLines(n: NodeModel): string[] {
  const at = n.report?.certificateExpiresAt;
  return at !== undefined ? [`TLS certificate valid until ${day(at)}`] : [];
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function clusterIcon(c: ClusterModel): IconSpec {
  switch (c.health) {
    case 'ok':
      return { id: 'server-environment', color: GREEN };
    case 'degraded':
      return { id: 'server-environment', color: YELLOW };
    case 'fail':
      return { id: 'server-environment', color: RED };
    case 'unformed':
      return { id: 'circle-large-outline', color: YELLOW };
    case 'unreachable':
      return { id: 'warning', color: YELLOW };
    case 'starting':
      return { id: 'loading~spin' };
  }
}

function findingTag(f: Finding): string {
  return f.severity === 'error' ? '[ERR]' : f.severity === 'warning' ? '[WARNING]' : '[OK]';
}

/** One finding of check (heal's diagnosis included), drawn under its cluster in the tree. */
export function describeFinding(f: Finding): ItemText {
  return {
    label: f.message,
    description: '',
    tooltip: `${findingTag(f)} ${md(f.message)}`,
    icon: f.severity === 'error' ? { id: 'error', color: RED } : { id: 'warning', color: YELLOW },
  };
}

/** A shard, drawn as its master: endpoint, slot ranges, slot count, keys, memory (and live load when polled). */
export function describeMaster(c: ClusterModel, shard: ShardModel, load?: NodeLoad): ItemText {
  const m = shard.master;
  const report = m.report;
  const parts = [formatRanges(shard.slots), `${shard.slotCount} slots`];
  if (report) parts.push(`${report.keys} key${report.keys === 1 ? '' : 's'}`);
  if (load) parts.push(formatMemory(load), formatLoadShort(load));
  else if (report?.usedMemoryBytes !== undefined) parts.push(formatBytes(report.usedMemoryBytes));
  if (shard.sharedHost) parts.unshift('replica on the same host');
  if (!m.healthy) parts.unshift(problemOf(m));
  parts.push(...versionNote(c, m));
  parts.push(...onHost(m));
  const lines = [
    `**Master ${md(endpointOf(m))}** of cluster ${md(c.name)}${m.healthy ? '' : ` (${problemOf(m)})`}`,
    ...(shard.sharedHost ? [`[WARNING] ${md(shard.sharedHost.message)}`] : []),
    `Node ID: \`${m.node.id}\``,
    `Slots: ${formatRanges(shard.slots)} (${shard.slotCount})`,
    ...(report ? [`Keys: ${report.keys}`] : []),
    ...(report?.usedMemoryBytes !== undefined ? [`Memory: ${formatBytes(report.usedMemoryBytes)}`] : []),
    `Replicas: ${shard.replicas.length}`,
    ...certificateLines(m),
    ...(load ? formatLoadLines(load) : []),
    ...swarmLines(m),
  ];
  return {
    label: endpointOf(m),
    description: parts.join(' · '),
    tooltip: lines.join('\n\n'),
    icon: { id: 'database', color: !m.healthy ? RED : shard.sharedHost ? YELLOW : GREEN },
  };
}

/** A replica: endpoint, link state, lag behind its master (and live load when polled). */
export function describeReplica(c: ClusterModel, shard: ShardModel, r: NodeModel, load?: NodeLoad, masterLoad?: NodeLoad): ItemText {
  const link = r.report?.masterLinkStatus;
  const parts = [link ? `link ${link}` : 'link unknown'];
  if (r.lagBytes !== undefined) parts.push(`lag ${formatBytes(r.lagBytes)}`);
  if (load) parts.push(`${formatCount(load.opsPerSec)} ops/s`);
  if (!r.healthy && link === 'up') parts.unshift(problemOf(r));
  parts.push(...versionNote(c, r));
  const beside = r.host !== undefined && r.host.id === shard.master.host?.id && shard.sharedHost !== undefined;
  if (beside) parts.push("on its master's host");
  parts.push(...onHost(r));
  const lines = [
    `**Replica ${md(endpointOf(r))}** of ${md(endpointOf(shard.master))} in cluster ${md(c.name)}${r.healthy ? '' : ` (${problemOf(r)})`}`,
    `Node ID: \`${r.node.id}\``,
    `Replicates: \`${shard.master.node.id}\` (slots ${formatRanges(shard.slots)})`,
    `Link to master: ${link ?? 'unknown'}`,
    ...(r.lagBytes !== undefined ? [`Lag: ${formatBytes(r.lagBytes)}`] : []),
    ...(r.report ? [`Keys: ${r.report.keys}`] : []),
    ...certificateLines(r),
    ...(load ? formatLoadLines(load, masterLoad?.replOffset) : []),
    ...swarmLines(r),
  ];
  const icon: IconSpec = r.healthy ? { id: 'mirror', color: GREEN } : link !== undefined && link !== 'up' ? { id: 'debug-disconnect', color: RED } : { id: 'mirror', color: RED };
  return { label: endpointOf(r), description: parts.join(' · '), tooltip: lines.join('\n\n'), icon };
}

/**
 * A node service of a cluster that is not formed (or a node the cluster knows outside every
 * shard): its service, task state and address.
 */
export function describeService(c: ClusterModel, service: SwarmRedisNode | undefined, node: NodeModel | undefined): ItemText {
  const s = service ?? node?.service;
  const label = s?.service ?? (node ? endpointOf(node) : '?');
  const state = s?.task?.state ?? 'no task';
  const parts = [state];
  if (s?.task?.ip) parts.push(s.task.ip);
  if (s?.publishedPort !== undefined) parts.push(`published ${s.publishedPort}`);
  if (node) parts.unshift(node.node.role === 'master' ? 'master, no slots' : 'replica, no master known');
  const host = node?.host ?? (s?.task?.swarmNode ? c.hosts?.find((h) => h.id === s.task?.swarmNode) : undefined);
  if (host) parts.push(...hostWords(host));
  const lines = [
    `**${md(label)}**: ${node ? 'a node outside every shard' : 'a node service, not in a cluster yet'} (cluster ${md(c.name)})`,
    ...(node ? [`Node ID: \`${node.node.id}\``] : []),
    ...serviceLines(s, host),
    ...(s?.task?.error ? [`Task error: ${md(s.task.error)}`] : []),
  ];
  const running = s?.task?.state === 'running';
  return {
    label,
    description: parts.join(' · '),
    tooltip: lines.join('\n\n'),
    icon: running ? { id: 'server-process', color: node ? YELLOW : GREY } : { id: 'error', color: RED },
  };
}

/** The endpoint a node announces, e.g. `redis-3:6379`. */
export function endpointOf(n: NodeModel): string {
  return n.node.hostname ? `${n.node.hostname}:${n.node.endpoint.port}` : formatEndpoint(n.node.endpoint);
}

function problemOf(n: NodeModel): string {
  if (n.node.flags.fail) return 'failed';
  if (n.node.flags.pfail) return 'possibly failed';
  if (!n.report) return 'unreachable';
  if (n.node.role === 'replica' && n.report.masterLinkStatus !== 'up') return 'link down';
  return 'unhealthy';
}

function swarmLines(n: NodeModel): string[] {
  if (n.service) return serviceLines(n.service, n.host);
  const p = n.node.swarm;
  if (!p) return ['Swarm service: none found (not a node service of this cluster?)'];
  return [
    `Swarm service: \`${p.service}\``,
    `Task state: ${p.taskState ?? 'unknown'}`,
    `Swarm node: ${swarmNodeText(p.swarmNode, n.host ?? p.swarmHost)}`,
    `IP: ${p.ip ?? 'unknown'}`,
  ];
}

/**
 * Which image and redis.conf version a node is on, for the description: only while the
 * cluster's nodes differ (a roll under way or stopped half-way), so a settled tree stays short.
 */
export function versionNote(c: ClusterModel, n: NodeModel): string[] {
  const s = n.service;
  if (!s) return [];
  const images = new Set(c.swarm.nodes.map((x) => x.image));
  const configs = new Set(c.swarm.nodes.map((x) => x.config ?? ''));
  return [...(images.size > 1 ? [s.image] : []), ...(configs.size > 1 && s.config !== undefined ? [s.config] : [])];
}

function serviceLines(s: SwarmRedisNode | undefined, host?: SwarmHost): string[] {
  if (!s) return ['Swarm service: none found'];
  return [
    `Swarm service: \`${s.service}\``,
    `Image: \`${s.image}\``,
    ...(s.config !== undefined ? [`redis.conf: Docker config \`${s.config}\``] : []),
    `Task state: ${s.task ? `${s.task.state}${s.task.desiredState !== s.task.state ? ` (desired ${s.task.desiredState})` : ''}` : 'no task'}`,
    `Swarm node: ${swarmNodeText(s.task?.swarmNode, host ?? s.task?.swarmHost)}`,
    `IP: ${s.task?.ip ?? 'unknown'}`,
    ...(s.publishedPort !== undefined ? [`Published on host port ${s.publishedPort}`] : []),
  ];
}

/** `**box-2** (\`id\`), Down: heartbeat failure`; the ID alone when the hostname is unknown. */
function swarmNodeText(id: string | undefined, host: SwarmHost | string | undefined): string {
  if (!id) return 'unknown';
  if (host === undefined) return `\`${id}\``;
  if (typeof host === 'string') return `**${md(host)}** (\`${id}\`)`;
  const trouble = hostTrouble(host);
  return `**${md(host.hostname)}** (\`${id}\`)${trouble ? `, ${trouble}${host.message ? `: ${md(host.message)}` : ''}` : ''}`;
}

/** What a node's description says about its machine: `on box-2`, and `box-2 Down` when it is. */
function hostWords(h: SwarmHost): string[] {
  const trouble = hostTrouble(h);
  return [`on ${h.hostname}${trouble ? ` (${trouble})` : ''}`];
}

function onHost(n: NodeModel): string[] {
  return n.host ? hostWords(n.host) : [];
}

/** A swarm node (machine) in the tree, under the engine: its role, state and availability. */
export function describeHost(h: SwarmHost, model: { readonly clusters: readonly ClusterModel[] }): ItemText {
  const trouble = hostTrouble(h);
  const tasks = model.clusters.flatMap((c) => c.swarm.nodes.filter((n) => n.task?.swarmNode === h.id && n.task.state === 'running').map((n) => n.service));
  const parts = [h.role, trouble ?? 'Ready', `${tasks.length} Redis node${tasks.length === 1 ? '' : 's'}`];
  const lines = [
    `**Swarm node ${md(h.hostname)}** (${h.role})`,
    `ID: \`${h.id}\``,
    `State: ${h.state}${h.message ? ` (${md(h.message)})` : ''}; availability: ${h.availability}`,
    ...(h.state === 'down' ? ['Its tasks are rescheduled on other nodes, with new addresses and, without their volumes, empty: run heal once they run.'] : []),
    ...(h.availability === 'drain' ? ['Drained: swarm moves its tasks away and starts none here.'] : []),
    `Redis nodes here: ${tasks.length > 0 ? tasks.map((t) => `\`${t}\``).join(', ') : 'none'}`,
  ];
  const icon: IconSpec =
    h.state !== 'ready' ? { id: 'vm-outline', color: RED } : trouble ? { id: 'vm-outline', color: YELLOW } : { id: 'vm', color: GREEN };
  return { label: h.hostname, description: parts.join(' · '), tooltip: lines.join('\n\n'), icon };
}

/** Escapes Markdown in text that comes from outside (error messages, names). */
function md(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+!|<>]/g, (c) => `\\${c}`);
}
