/**
 * Issue 13 items 5-7 on synthetic views: check reports what heal would fix in heal's words, the
 * model's state is Redis's own cluster_state plus "degraded", and heal's verdict and summary
 * are check's, a timeout naming what was not done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCluster } from '../../src/core/cluster/check';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterTopology, type ReportedView } from '../../src/core/cluster/topology';
import { diagnose, type NodeObservation } from '../../src/core/heal/diagnose';
import { formatHealOutcome, formatHealPlan, healSummary } from '../../src/core/heal/formatHeal';
import { type HealResult } from '../../src/core/heal/healCluster';
import { planHeal } from '../../src/core/heal/planHeal';
import { buildClusterModel, type SwarmModel } from '../../src/core/model/clusterModel';
import { describeCluster } from '../../src/core/model/describeNodes';
import { modelChanges } from '../../src/core/model/modelChanges';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { ENGINE } from './modelSamples';

const id = (n: number): string => String(n).repeat(40).slice(0, 40);
const NOW = 1_800_000_000_000;
const SHAPE = [
  { n: 1, role: 'master', slots: '0-5460' },
  { n: 2, role: 'master', slots: '5461-10922' },
  { n: 3, role: 'master', slots: '10923-16383' },
  { n: 4, role: 'slave', master: 1 },
  { n: 5, role: 'slave', master: 2 },
  { n: 6, role: 'slave', master: 3 },
] as const;

/** CLUSTER NODES of node `self`, which lists node k at `seen(k)`, with hostname c-k. */
function nodesText(self: number, seen: (k: number) => string, flags: (k: number) => string = () => ''): string {
  return SHAPE.map((s) => {
    const f = [s.n === self ? 'myself' : '', s.role, flags(s.n)].filter(Boolean).join(',');
    const master = 'master' in s ? id(s.master) : '-';
    const slots = 'slots' in s ? ` ${s.slots}` : '';
    return `${id(s.n)} ${seen(s.n)}:6379@16379,c-${s.n} ${f} ${master} 0 ${NOW} ${s.n} connected${slots}`;
  }).join('\n');
}

function swarm(ips: Record<number, string>, mode: 'cache' | 'persistent' = 'persistent'): SwarmCluster {
  return {
    name: 'c',
    managed: true,
    mode,
    nodes: SHAPE.map((s) => ({
      service: `c-${s.n}`,
      serviceId: `s${s.n}`,
      index: s.n,
      image: 'redis:7',
      port: 6379,
      task: { id: `t${s.n}`, state: 'running', desiredState: 'running', swarmNode: 'node-a', containerId: `k${s.n}`, ip: ips[s.n] ?? '' },
    })),
  };
}

/** Views as readTopology gathers them through a swarm router: each asked by service name. */
function topologyOf(texts: ReadonlyMap<number, string>, states: Record<number, string> = {}, unreachable: ClusterTopology['unreachable'] = []): ClusterTopology {
  const views: ReportedView[] = [...texts].map(([n, text]) => ({ endpoint: { host: `c-${n}`, port: 6379 }, view: parseClusterNodes(text), clusterState: states[n] ?? 'ok', keys: 0 }));
  const byId = new Map(views.map((v) => [v.view.self.id, v.view.self]));
  for (const v of views) for (const x of v.view.nodes) if (!byId.has(x.id)) byId.set(x.id, x);
  return { views, nodes: [...byId.values()], unreachable };
}

const IPS = { 1: '192.0.2.1', 2: '192.0.2.2', 3: '192.0.2.3', 4: '192.0.2.4', 5: '192.0.2.5', 6: '192.0.2.6' };
const at = (ips: Record<number, string>) => (k: number): string => ips[k] ?? '';

test("a replica back at a new IP, known to its peers but not to itself: check reports heal's finding in the plan's words", () => {
  const moved = { ...IPS, 6: '192.0.2.9' };
  // Peers learned the new address from its packets; the node keeps its old one for itself.
  const texts = new Map(SHAPE.map((s) => [s.n, nodesText(s.n, s.n === 6 ? (k) => (k === 6 ? IPS[6] : at(moved)(k)) : at(moved))] as [number, string]));
  const topology = topologyOf(texts);
  const cluster = swarm(moved);

  // Heal's own path: its observations, diagnose, plan text.
  const observations: NodeObservation[] = [...texts].map(([n, t]) => ({ service: `c-${n}`, endpoint: { host: `c-${n}`, port: 6379 }, view: parseClusterNodes(t), clusterState: 'ok', keys: 0 }));
  const d = diagnose({ cluster, observations, now: NOW });
  const planText = formatHealPlan(d, planHeal(d, { graceMs: 30_000 }));
  assert.match(planText, /\[WARN\] c-6 \(66666666\) runs at 192\.0\.2\.9, unknown to itself/);

  const report = checkCluster(topology, { cluster, now: NOW });
  const f = report.findings.find((x) => x.code === 'ip-changed');
  assert.ok(f, `check does not report the moved node: ${report.findings.map((x) => x.message).join(' | ')}`);
  assert.ok(planText.includes(`[WARN] ${f.message}\n`), `check's words "${f.message}" are not heal's:\n${planText}`);
  assert.equal(report.ok, false, 'a node announcing an address it no longer has is an error');

  const model = buildClusterModel(cluster, topology);
  assert.equal(model.health, 'degraded', 'Redis says ok everywhere: degraded, not fail');
  assert.ok(model.findings.some((x) => x.message === f.message), 'the model (and so the tree) carries the same finding');
  assert.match(describeCluster(model).tooltip, /runs at 192\.0\.2\.9, unknown to itself/);
});

test('one replica lost, Redis still ok everywhere: the state is degraded with a yellow icon, and the warning does not say fail', () => {
  const texts = new Map(SHAPE.map((s) => [s.n, nodesText(s.n, at(IPS))] as [number, string]));
  const healthy = buildClusterModel(swarm(IPS), topologyOf(texts));
  assert.equal(healthy.health, 'ok', healthy.findings.map((f) => f.message).join(' | '));
  assert.deepEqual(healthy.findings, []);

  // c-6's container is gone: peers flag it fail, the swarm has no running task for it yet.
  const down = new Map([...texts].filter(([n]) => n !== 6).map(([n]) => [n, nodesText(n, at(IPS), (k) => (k === 6 ? 'fail' : ''))] as [number, string]));
  const cluster: SwarmCluster = { ...swarm(IPS), nodes: swarm(IPS).nodes.map((s) => (s.service === 'c-6' ? { ...s, task: { id: 't6', state: 'starting', desiredState: 'running', swarmNode: 'node-a' } } : s)) };
  const lost = buildClusterModel(cluster, topologyOf(down, {}, [{ endpoint: { host: '192.0.2.6', port: 6379 }, id: id(6), reason: 'No route to 192.0.2.6:6379' }]));
  assert.equal(lost.health, 'degraded');
  const words = lost.findings.map((f) => f.message);
  assert.ok(words.some((w) => /is failed and still known by 5 node\(s\)/.test(w)), words.join(' | '));
  assert.ok(words.some((w) => /master c-3 \(33333333\) has no replica/.test(w)), words.join(' | '));
  const text = describeCluster(lost);
  assert.match(text.description, /^degraded · /);
  assert.deepEqual(text.icon, { id: 'server-environment', color: 'list.warningForeground' });

  const m = (c: typeof lost): SwarmModel => ({ engine: ENGINE, clusters: [c], readAt: 0 });
  const changes = modelChanges(m(healthy), m(lost));
  assert.deepEqual(changes.map((c) => [c.kind, c.severity]), [['cluster-degraded', 'warning']]);
  assert.doesNotMatch(changes[0]?.message ?? '', /fail\b/, 'a lost replica is not a failed cluster');
  assert.match(changes[0]?.message ?? '', /"c" is degraded: Redis still says cluster_state:ok, but .*is failed and still known by 5 node\(s\)/);
  assert.deepEqual(modelChanges(m(lost), m(healthy)).map((c) => c.kind), ['cluster-recovered']);

  // Redis's own state decides fail: one node saying cluster_state:fail.
  const failing = buildClusterModel(cluster, topologyOf(down, { 1: 'fail' }));
  assert.equal(failing.health, 'fail');
  assert.match(modelChanges(m(lost), m(failing))[0]?.message ?? '', /went from degraded to fail/);
});

test('a cluster deployed without replicas is ok, its masters\' missing replicas still named', () => {
  const masters = SHAPE.filter((s) => s.role === 'master');
  const texts = new Map(masters.map((s) => [s.n, nodesText(s.n, at(IPS)).split('\n').filter((l) => !/ slave /.test(l)).join('\n')] as [number, string]));
  const cluster: SwarmCluster = { ...swarm(IPS), nodes: swarm(IPS).nodes.filter((n) => n.index <= 3) };
  const model = buildClusterModel(cluster, topologyOf(texts));
  assert.equal(model.health, 'ok', model.findings.map((f) => f.message).join(' | '));
  assert.equal(model.findings.filter((f) => f.code === 'no-replica').length, 3);
});

function result(over: Partial<HealResult>): HealResult {
  const d = diagnose({ cluster: swarm(IPS), observations: [], now: NOW });
  const finalPlan = planHeal(d, { graceMs: 0 });
  return { plans: [], final: d, finalPlan, applied: 5, lostRanges: [], ok: true, remaining: [], nothingToDo: false, declined: false, timedOut: false, elapsedMs: 1000, ...over };
}

test("heal's verdict is check's: errors left mean no [OK], and they are named", () => {
  const remaining = [{ severity: 'error' as const, code: 'ghost', section: 'health' as const, message: '192.0.2.4:6379 (c-4) (44444444) is failed and still known by 4 node(s)' }];
  const text = formatHealOutcome(result({ ok: false, remaining }));
  assert.doesNotMatch(text, /\[OK\]/);
  assert.match(text, /\[ERR\] 192\.0\.2\.4:6379 \(c-4\) \(44444444\) is failed and still known by 4 node\(s\)\n\[ERR\] The cluster is not ok after 5 action\(s\): check finds 1 error\(s\)/);
  assert.equal(healSummary('c', result({ ok: false, remaining })).severity, 'warning');
  assert.match(formatHealOutcome(result({})), /\[OK\] Cluster ok after 5 action\(s\) in 1000 ms: check finds no error\./);
});

test('a heal that ran out of time says so and names what it did not do', () => {
  const moved = { ...IPS, 6: '192.0.2.9' };
  const texts = new Map(SHAPE.map((s) => [s.n, nodesText(s.n, at(IPS))] as [number, string]));
  const observations: NodeObservation[] = [...texts].map(([n, t]) => ({ service: `c-${n}`, endpoint: { host: `c-${n}`, port: 6379 }, view: parseClusterNodes(t), clusterState: 'ok', keys: 0 }));
  const d = diagnose({ cluster: swarm(moved), observations, now: NOW });
  const finalPlan = planHeal(d, { graceMs: 0 });
  const r = result({ final: d, finalPlan, applied: 0, timedOut: true, elapsedMs: 180_000 });
  const s = healSummary('c', r);
  assert.equal(s.severity, 'warning');
  assert.match(s.text, /^Heal of c stopped after 180 s without finishing \(0 step\(s\) applied\); not done: .*c-6: CLUSTER MEET 192\.0\.2\.1 /);
  assert.doesNotMatch(s.text, /healed/);
  assert.match(formatHealOutcome(r), /\[WARN\] Heal stopped after 180 s without finishing; not done: .*c-6: CLUSTER MEET/);
});
