/**
 * A check report as text laid out like `redis-cli --cluster check`: the node list, then each
 * check under its `>>>` heading with `[OK]`, `[WARNING]` and `[ERR]` lines.
 */
import { formatEndpoint } from '../routes/endpoint';
import { type CheckReport, type CheckSection, type Finding } from './check';
import { type ClusterNode, type ClusterTopology, countSlots, type SlotRange } from './topology';

const SECTION_HEADINGS: Record<CheckSection, string | undefined> = {
  reach: undefined,
  config: undefined,
  'open-slots': '>>> Check for open slots...',
  coverage: '>>> Check slots coverage...',
  health: '>>> Check replicas, links and failures...',
};

const SECTION_ORDER: readonly CheckSection[] = ['reach', 'config', 'open-slots', 'coverage', 'health'];

export function formatFinding(f: Finding): string {
  const tag = f.severity === 'error' ? '[ERR]' : f.severity === 'warning' ? '[WARNING]' : '[OK]';
  return `${tag} ${f.message}`;
}

/** redis-cli's slot list: `[0-5460],[5462]`. */
export function formatSlotList(ranges: readonly SlotRange[]): string {
  return ranges.map((r) => (r.start === r.end ? `[${r.start}]` : `[${r.start}-${r.end}]`)).join(',');
}

/** One node as redis-cli's clusterManagerNodeInfo prints it (M:/S:, slots, replicas). */
export function formatNodeBlock(n: ClusterNode, all: readonly ClusterNode[]): string {
  const flags = n.flags.raw.filter((f) => f !== 'myself').join(',');
  const sorted = [...n.slots].sort((a, b) => a.start - b.start);
  const lines = [
    `${n.role === 'master' ? 'M' : 'S'}: ${n.id} ${formatEndpoint(n.endpoint)}${n.hostname ? ` (${n.hostname})` : ''}`,
    `   slots:${formatSlotList(sorted)} (${countSlots(sorted)} slots) ${flags}`,
  ];
  if (n.role === 'replica' && n.masterId) lines.push(`   replicates ${n.masterId}`);
  else {
    const replicas = all.filter((r) => r.role === 'replica' && r.masterId === n.id).length;
    if (replicas > 0) lines.push(`   ${replicas} additional replica(s)`);
  }
  if (n.swarm) {
    const s = n.swarm;
    const where = s.swarmHost ?? s.swarmNode;
    lines.push(`   swarm: ${s.service}${where ? ` on node ${where}` : ''}${s.taskState ? ` (${s.taskState})` : ''}`);
  }
  return lines.join('\n');
}

/** Masters first (in slot order), each followed by its replicas; then anything left. */
export function orderNodes(nodes: readonly ClusterNode[]): ClusterNode[] {
  const masters = nodes
    .filter((n) => n.role === 'master')
    .sort((a, b) => (a.slots[0]?.start ?? Infinity) - (b.slots[0]?.start ?? Infinity));
  const out: ClusterNode[] = [];
  for (const m of masters) {
    out.push(m);
    out.push(...nodes.filter((r) => r.role === 'replica' && r.masterId === m.id));
  }
  out.push(...nodes.filter((n) => !out.includes(n)));
  return out;
}

export function formatCheck(topology: ClusterTopology, report: CheckReport): string {
  const lines: string[] = [];
  lines.push(`>>> Performing Cluster Check (using node ${report.using ?? '?'})`);
  for (const n of orderNodes(topology.nodes)) lines.push(formatNodeBlock(n, topology.nodes));
  for (const section of SECTION_ORDER) {
    const heading = SECTION_HEADINGS[section];
    if (heading) lines.push(heading);
    for (const f of report.findings) if (f.section === section) lines.push(formatFinding(f));
  }
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const warnings = report.findings.filter((f) => f.severity === 'warning').length;
  lines.push(report.ok && warnings === 0 ? '[OK] Cluster is healthy.' : `${errors} error(s), ${warnings} warning(s).`);
  return lines.join('\n') + '\n';
}
