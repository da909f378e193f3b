/** diagnose and planHeal on synthetic swarm clusters and CLUSTER NODES views. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { diagnose, type NodeObservation } from '../../src/core/heal/diagnose';
import { planHeal, splitRanges } from '../../src/core/heal/planHeal';
import { formatHealPlan } from '../../src/core/heal/formatHeal';
import { problemFindings } from '../../src/core/heal/healthFindings';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { verbs } from '../../src/cli/verbs';

const id = (n: number): string => String(n).repeat(40).slice(0, 40).replace(/[^0-9a-f]/g, 'a');
const NOW = 1_800_000_000_000;

interface NodeSpec {
  readonly n: number;
  readonly ip: string;
  readonly role: 'master' | 'slave';
  readonly master?: number;
  readonly slots?: string;
  readonly flags?: string;
  readonly pong?: number;
}

/** One CLUSTER NODES line as Redis 7 prints it, with the service name as announced hostname. */
function line(s: NodeSpec, self: boolean): string {
  const flags = [self ? 'myself' : '', s.role, s.flags ?? ''].filter(Boolean).join(',');
  return `${id(s.n)} ${s.ip}:6379@16379,r-${s.n} ${flags} ${s.master ? id(s.master) : '-'} 0 ${s.pong ?? NOW} ${s.n} connected${s.slots ? ` ${s.slots}` : ''}`;
}

function view(self: NodeSpec, peers: readonly NodeSpec[]): ReturnType<typeof parseClusterNodes> {
  return parseClusterNodes([line(self, true), ...peers.filter((p) => p.n !== self.n).map((p) => line(p, false))].join('\n'));
}

function swarm(ips: Record<number, string | undefined>, mode: 'cache' | 'persistent' = 'persistent', machines: Record<number, string> = {}): SwarmCluster {
  return {
    name: 'r',
    managed: true,
    mode,
    nodes: Object.entries(ips).map(([n, ip]) => ({
      service: `r-${n}`,
      serviceId: `s${n}`,
      index: Number(n),
      image: 'redis:7',
      port: 6379,
      task: ip
        ? { id: `t${n}`, state: 'running', desiredState: 'running', swarmNode: machines[Number(n)] ?? 'node-a', containerId: `c${n}`, ip }
        : { id: `t${n}`, state: 'pending', desiredState: 'running', swarmNode: machines[Number(n)] ?? 'node-a' },
    })),
  };
}

function obs(service: number, v: ReturnType<typeof parseClusterNodes>, state = 'ok', keys = 0): NodeObservation {
  return { service: `r-${service}`, endpoint: { host: `r-${service}`, port: 6379 }, view: v, clusterState: state, keys };
}

const SIX: readonly NodeSpec[] = [
  { n: 1, ip: '192.0.2.1', role: 'master', slots: '0-5460' },
  { n: 2, ip: '192.0.2.2', role: 'master', slots: '5461-10922' },
  { n: 3, ip: '192.0.2.3', role: 'master', slots: '10923-16383' },
  { n: 4, ip: '192.0.2.4', role: 'slave', master: 1 },
  { n: 5, ip: '192.0.2.5', role: 'slave', master: 2 },
  { n: 6, ip: '192.0.2.6', role: 'slave', master: 3 },
];
const IPS = Object.fromEntries(SIX.map((s) => [s.n, s.ip]));

test('a healthy cluster: no problem, nothing to do', () => {
  const d = diagnose({ cluster: swarm(IPS), observations: SIX.map((s) => obs(s.n, view(s, SIX))), now: NOW });
  assert.deepEqual(d.problems, []);
  assert.equal(d.healthy, true);
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.equal(plan.nothingToDo, true);
  assert.deepEqual(plan.actions, []);
  assert.match(formatHealPlan(d, plan), /nothing to do/);
});

test('one node at a new IP that it and its peers do not know: MEET both ways, nothing else this round', () => {
  const moved = { ...IPS, 4: '192.0.2.40' };
  const d = diagnose({ cluster: swarm(moved), observations: SIX.map((s) => obs(s.n, view(s, SIX))), now: NOW });
  const p = d.problems.find((x) => x.kind === 'ip-changed');
  assert.ok(p && p.kind === 'ip-changed');
  assert.equal(p.node, id(4));
  assert.equal(p.ip, '192.0.2.40');
  assert.equal(p.staleIn.length, 6, 'itself and the 5 peers');
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.ok(plan.actions.every((a) => a.kind === 'meet'));
  const fromMoved = plan.actions.find((a) => a.kind === 'meet' && a.node.service === 'r-4');
  assert.equal(fromMoved?.kind === 'meet' && fromMoved.targets.length, 5, 'the moved node meets every peer');
  const toMoved = plan.actions.filter((a) => a.kind === 'meet' && a.targets.some((t) => t.ip === '192.0.2.40'));
  assert.equal(toMoved.length, 5, 'every peer meets the moved node at its new IP');
});

test('every node at a new IP: a full mesh of MEETs naming only the new IPs', () => {
  const moved = Object.fromEntries(SIX.map((s) => [s.n, `10.0.2.${s.n}`]));
  const d = diagnose({ cluster: swarm(moved), observations: SIX.map((s) => obs(s.n, view(s, SIX), 'fail'))	, now: NOW });
  assert.equal(d.problems.filter((p) => p.kind === 'ip-changed').length, 6);
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.equal(plan.actions.length, 6);
  for (const a of plan.actions) {
    assert.equal(a.kind, 'meet');
    if (a.kind === 'meet') {
      assert.equal(a.targets.length, 5);
      assert.ok(a.targets.every((t) => t.ip.startsWith('10.0.2.')), 'only current task IPs');
    }
  }
});

test('a node back without its data: forget the old ID everywhere, meet the stranger, make it the replica of the master that needs one', () => {
  // r-1 (a master) died; r-4 took over its slots; r-1 came back empty with a new ID (7).
  const after: NodeSpec[] = [
    { n: 1, ip: '192.0.2.1', role: 'master', flags: 'fail' },
    { n: 2, ip: '192.0.2.2', role: 'master', slots: '5461-10922' },
    { n: 3, ip: '192.0.2.3', role: 'master', slots: '10923-16383' },
    { n: 4, ip: '192.0.2.4', role: 'master', slots: '0-5460' },
    { n: 5, ip: '192.0.2.5', role: 'slave', master: 2 },
    { n: 6, ip: '192.0.2.6', role: 'slave', master: 3 },
  ];
  const members = after.filter((s) => s.n !== 1).map((s) => obs(s.n, view(s, after)));
  const stranger = parseClusterNodes(`${id(7)} :6379@16379 myself,master - 0 0 0 connected`);
  const d = diagnose({ cluster: swarm({ ...IPS, 1: '192.0.2.11' }), observations: [obs(1, stranger), ...members], now: NOW });
  const kinds = d.problems.map((p) => p.kind).sort();
  assert.deepEqual(kinds, ['ghost', 'no-replica', 'stranger']);
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.deepEqual(plan.actions.map((a) => a.kind), ['forget', 'meet', 'meet', 'replicate']);
  const [forget, , , replicate] = plan.actions;
  assert.ok(forget?.kind === 'forget' && forget.id === id(1) && forget.on.length === 5, 'forgotten on every member');
  assert.ok(replicate?.kind === 'replicate' && replicate.masterId === id(4) && replicate.node.service === 'r-1', 'the new node replicates the master without replica');
});

test('a master without replica takes one from a master with two; impossible is said', () => {
  const nodes: NodeSpec[] = [...SIX.slice(0, 4), { n: 5, ip: '192.0.2.5', role: 'slave', master: 1 }, { n: 6, ip: '192.0.2.6', role: 'slave', master: 3 }];
  const d = diagnose({ cluster: swarm(IPS), observations: nodes.map((s) => obs(s.n, view(s, nodes))), now: NOW });
  assert.deepEqual(d.problems.map((p) => p.kind), ['no-replica']);
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.equal(plan.actions.length, 1);
  const a = plan.actions[0];
  assert.ok(a?.kind === 'replicate' && a.masterId === id(2) && (a.node.id === id(4) || a.node.id === id(5)));

  const three = SIX.slice(0, 3);
  const d3 = diagnose({ cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2', 3: '192.0.2.3' }), observations: three.map((s) => obs(s.n, view(s, three))), now: NOW });
  const p3 = planHeal(d3, { graceMs: 30_000 });
  assert.equal(p3.actions.length, 0);
  assert.equal(p3.unresolved.length, 3, 'each master without replica is named');
});

test('a dead master with a live replica: wait for the failover, plan nothing', () => {
  const dead = SIX.map((s) => (s.n === 1 ? { ...s, flags: 'fail' } : s));
  const d = diagnose({ cluster: swarm({ ...IPS, 1: undefined }), observations: dead.filter((s) => s.n !== 1).map((s) => obs(s.n, view(s, dead), 'fail')), now: NOW });
  assert.ok(d.problems.some((p) => p.kind === 'failover-pending'));
  const plan = planHeal(d, { graceMs: 30_000 });
  assert.deepEqual(plan.actions, []);
  assert.ok(plan.waits.some((w) => /take over/.test(w)));
});

test('lost slots: cache mode waits for the grace period, then forgets the owner and spreads its slots; persistent mode never does', () => {
  const three = SIX.slice(0, 3).map((s) => (s.n === 3 ? { ...s, flags: 'fail', pong: NOW - 10_000 } : s));
  const live = three.filter((s) => s.n !== 3);
  const input = (mode: 'cache' | 'persistent') => ({
    cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2' }, mode),
    observations: live.map((s) => obs(s.n, view(s, three), 'fail')),
    now: NOW,
  });
  const early = planHeal(diagnose(input('cache')), { graceMs: 30_000 });
  assert.deepEqual(early.actions, []);
  assert.ok(early.waits.some((w) => /grace period \(20 s left\)/.test(w)), early.waits.join('\n'));

  const due = planHeal(diagnose(input('cache')), { graceMs: 5_000 });
  assert.deepEqual(due.actions.map((a) => a.kind), ['forget', 'add-slots', 'bump-epoch', 'add-slots', 'bump-epoch']);
  assert.deepEqual(due.lostRanges, [{ start: 10923, end: 16383 }]);
  const added = due.actions.flatMap((a) => (a.kind === 'add-slots' ? a.ranges : []));
  assert.equal(added.reduce((k, r) => k + r.end - r.start + 1, 0), 5461, 'every lost slot is given out once');

  const persistent = planHeal(diagnose(input('persistent')), { graceMs: 0 });
  assert.ok(!persistent.actions.some((a) => a.kind === 'add-slots' || a.kind === 'forget'));
  assert.ok(persistent.unresolved.some((u) => u.includes('10923-16383') && /never reassigns/.test(u)));
});

test('open slots are an operation in progress: heal plans nothing', () => {
  const open = SIX.map((s) => (s.n === 1 ? { ...s, slots: '0-5460 [100->-' + id(2) + ']' } : s));
  const d = diagnose({ cluster: swarm({ ...IPS, 4: '192.0.2.99' }), observations: open.map((s) => obs(s.n, view(s, open))), now: NOW });
  const plan = planHeal(d, { graceMs: 0 });
  assert.deepEqual(plan.actions, []);
  assert.ok(plan.waits.some((w) => /in progress/.test(w)));
});

test('splitRanges gives near-equal shares in slot order', () => {
  assert.deepEqual(splitRanges([{ start: 10, end: 14 }, { start: 0, end: 1 }], 2), [
    [{ start: 0, end: 1 }, { start: 10, end: 11 }],
    [{ start: 12, end: 14 }],
  ]);
});

test('a node whose setting is not the recorded mode is set again', () => {
  const cov = (n: number, fullCoverage: boolean): NodeObservation => ({ ...obs(n, view(SIX[n - 1] as NodeSpec, SIX)), fullCoverage });
  // Cache mode: a node back on a fresh volume, with the deploy-time `yes`.
  const cache = diagnose({ cluster: swarm(IPS, 'cache'), observations: SIX.map((s) => cov(s.n, s.n === 4)), now: NOW });
  assert.deepEqual(cache.problems, [{ kind: 'coverage-setting', nodes: [id(4)], want: false }]);
  const cachePlan = planHeal(cache, { graceMs: 30_000 });
  assert.deepEqual(cachePlan.actions.map((a) => (a.kind === 'config-set' ? [a.value, a.nodes.map((x) => x.service)] : a.kind)), [['no', ['r-4']]]);

  // Persistent mode with every slot served: a node left at `no` goes back to `yes`.
  const persistent = diagnose({ cluster: swarm(IPS), observations: SIX.map((s) => cov(s.n, s.n !== 2)), now: NOW });
  assert.deepEqual(persistent.problems, [{ kind: 'coverage-setting', nodes: [id(2)], want: true }]);
  const plan = planHeal(persistent, { graceMs: 30_000 });
  assert.deepEqual(plan.actions.map((a) => (a.kind === 'config-set' ? [a.value, a.nodes.map((x) => x.service)] : a.kind)), [['yes', ['r-2']]]);
  assert.match(formatHealPlan(persistent, plan), /still have cluster-require-full-coverage no/);

  // But while slots are lost, `no` is what heal --serve-partial set: left alone.
  const three = SIX.slice(0, 3).map((s) => (s.n === 3 ? { ...s, flags: 'fail', pong: NOW - 10_000 } : s));
  const live = three.filter((s) => s.n !== 3);
  const d = diagnose({
    cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2' }),
    observations: live.map((s) => ({ ...obs(s.n, view(s, three), 'ok'), fullCoverage: false })),
    now: NOW,
  });
  assert.ok(!d.problems.some((p) => p.kind === 'coverage-setting'), JSON.stringify(d.problems));
  const strict = diagnose({
    cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2' }),
    observations: live.map((s) => ({ ...obs(s.n, view(s, three), 'fail'), fullCoverage: true })),
    now: NOW,
  });
  const partial = planHeal(strict, { graceMs: 0, servePartial: true });
  const set = partial.actions.find((a) => a.kind === 'config-set');
  assert.ok(set && set.kind === 'config-set' && set.value === 'no', JSON.stringify(partial.actions));
});

test('a spare node goes where the shared placement rule says: on a full tie, the master with the lowest ID, not the first listed', () => {
  const nodes: NodeSpec[] = [
    { n: 1, ip: '192.0.2.1', role: 'master', slots: '0-8191' },
    { n: 2, ip: '192.0.2.2', role: 'master', slots: '8192-16383' },
    { n: 3, ip: '192.0.2.3', role: 'master' },
  ];
  const listed = [nodes[1], nodes[0], nodes[2]] as NodeSpec[];
  const d = diagnose({ cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2', 3: '192.0.2.3' }), observations: listed.map((s) => obs(s.n, view(s, nodes))), now: NOW });
  const plan = planHeal(d, { graceMs: 30_000 });
  const replicate = plan.actions.find((a) => a.kind === 'replicate');
  assert.ok(replicate?.kind === 'replicate' && replicate.node.service === 'r-3', JSON.stringify(plan.actions));
  assert.equal(replicate.masterId, id(1), 'r-1 and r-2 tie on replicas, machine and slots: the lower ID wins');
});

test('a spare beside the one master without replica serves a master elsewhere, and that master\'s replica on a third machine moves over', () => {
  // r-3 (an empty master) runs on m1 beside r-1, which has no replica; r-2 (m2) has r-4 on m3.
  const nodes: NodeSpec[] = [
    { n: 1, ip: '192.0.2.1', role: 'master', slots: '0-8191' },
    { n: 2, ip: '192.0.2.2', role: 'master', slots: '8192-16383' },
    { n: 3, ip: '192.0.2.3', role: 'master' },
    { n: 4, ip: '192.0.2.4', role: 'slave', master: 2 },
  ];
  const cluster = swarm({ 1: '192.0.2.1', 2: '192.0.2.2', 3: '192.0.2.3', 4: '192.0.2.4' }, 'persistent', { 1: 'm1', 2: 'm2', 3: 'm1', 4: 'm3' });
  const d = diagnose({ cluster, observations: nodes.map((s) => obs(s.n, view(s, nodes))), now: NOW });
  const plan = planHeal(d, { graceMs: 30_000 });
  const replicas = plan.actions.flatMap((a) => (a.kind === 'replicate' ? [`${a.node.service}->${a.master}`] : []));
  assert.deepEqual(replicas, ['r-3->r-2', 'r-4->r-1'], `a replica beside its master protects nothing against losing m1: ${JSON.stringify(replicas)}`);
  assert.deepEqual(plan.unresolved, []);
});

test("a master's second replica beside it goes to the master left without one, not its replica on another machine", () => {
  // r-6 (on m1, replica of r-2) was made to replicate r-1 (on m1): r-1 has r-4 (m3) and r-6 (m1), r-2 none.
  const nodes: NodeSpec[] = [
    ...SIX.slice(0, 3),
    { n: 4, ip: '192.0.2.4', role: 'slave', master: 1 },
    { n: 5, ip: '192.0.2.5', role: 'slave', master: 3 },
    { n: 6, ip: '192.0.2.6', role: 'slave', master: 1 },
  ];
  const cluster = swarm(IPS, 'persistent', { 1: 'm1', 2: 'm2', 3: 'm3', 4: 'm3', 5: 'm2', 6: 'm1' });
  const plan = planHeal(diagnose({ cluster, observations: nodes.map((s) => obs(s.n, view(s, nodes))), now: NOW }), { graceMs: 30_000 });
  const replicas = plan.actions.flatMap((a) => (a.kind === 'replicate' ? [`${a.node.service}->${a.master}`] : []));
  assert.deepEqual(replicas, ['r-6->r-2'], 'r-4 on m3 stays with r-1; r-6 (beside r-1) serves r-2 from m1');
});

test('a master whose only replica runs beside it swaps it with a replica elsewhere; on one machine nothing moves', () => {
  const nodes: NodeSpec[] = [...SIX];
  const shared = swarm(IPS, 'persistent', { 1: 'm1', 2: 'm2', 3: 'm3', 4: 'm1', 5: 'm3', 6: 'm2' });
  const d = diagnose({ cluster: shared, observations: nodes.map((s) => obs(s.n, view(s, nodes))), now: NOW });
  assert.equal(d.healthy, true, 'nothing is broken: only the layout protects less than it could');
  const plan = planHeal(d, { graceMs: 30_000 });
  const replicas = plan.actions.flatMap((a) => (a.kind === 'replicate' ? [`${a.node.service}->${a.master}`] : []));
  assert.deepEqual(replicas, ['r-5->r-1', 'r-4->r-2'], 'r-1 gets r-5 (m3), r-2 gets r-4 (m1): every master has a replica on another machine');
  assert.equal(plan.nothingToDo, false);
  const one = swarm(IPS);
  const single = planHeal(diagnose({ cluster: one, observations: nodes.map((s) => obs(s.n, view(s, nodes))), now: NOW }), { graceMs: 30_000 });
  assert.deepEqual(single.actions, [], 'one machine: no swap helps');
  assert.equal(single.nothingToDo, true);
});

test('what heal cannot fix names only verbs the CLI has', () => {
  const three = SIX.slice(0, 3);
  const d = diagnose({ cluster: swarm({ 1: '192.0.2.1', 2: '192.0.2.2', 3: '192.0.2.3' }), observations: three.map((s) => obs(s.n, view(s, three))), now: NOW });
  const plan = planHeal(d, { graceMs: 30_000 });
  const names = new Set(verbs.map((v) => v.name));
  const said = plan.unresolved.flatMap((u) => [...u.matchAll(/redis-swarm ([a-z-]+)/g)].map((m) => m[1] ?? ''));
  assert.ok(said.length > 0, 'the way out is a command');
  for (const verb of said) assert.ok(names.has(verb), `"redis-swarm ${verb}" is not a verb`);
  assert.match(plan.unresolved[0] ?? '', /"redis-swarm add-node --cluster r --replica-of r-1"/);
});

/**
 * Masters 1 and 2 of 3 are down (their tasks still say running, as when their machine is cut
 * off): Redis cannot elect their replicas. Node 7 is a second replica of 1, further ahead than 4.
 */
function twoMastersDown(grace: { pong?: number; cluster?: SwarmCluster } = {}) {
  const seven: readonly NodeSpec[] = [
    ...SIX.map((s) => (s.n <= 2 ? { ...s, flags: 'fail?', pong: grace.pong ?? NOW - 10_000 } : s)),
    { n: 7, ip: '192.0.2.7', role: 'slave', master: 1 },
  ];
  const offsets: Record<number, number> = { 3: 900, 4: 500, 5: 800, 6: 900, 7: 700 };
  const observations = seven
    .filter((s) => s.n > 2)
    .map((s): NodeObservation => ({ ...obs(s.n, view(s, seven), 'fail'), replOffset: offsets[s.n] ?? 0 }));
  const cluster = grace.cluster ?? swarm({ ...IPS, 7: '192.0.2.7' });
  return diagnose({ cluster, observations: [...observations, ...[1, 2].map((n): NodeObservation => ({ service: `r-${n}`, endpoint: { host: `r-${n}`, port: 6379 }, error: 'connect ETIMEDOUT' }))], now: NOW });
}

test('two of three masters down: failover-stuck with the numbers; heal waits out the grace period, then the best replica of each takes over', () => {
  const d = twoMastersDown();
  const stuck = d.problems.filter((p) => p.kind === 'failover-stuck');
  assert.equal(stuck.length, 2);
  assert.ok(!d.problems.some((p) => p.kind === 'failover-pending'));
  const first = stuck.find((p) => p.kind === 'failover-stuck' && p.id === id(1));
  assert.ok(first && first.kind === 'failover-stuck');
  assert.deepEqual(first.replicas, [id(7), id(4)], 'highest replication offset first');
  assert.equal(first.down, 2);
  assert.equal(first.total, 3);
  assert.equal(first.taskGone, false);
  assert.equal(first.since, NOW - 10_000);
  assert.match(formatHealPlan(d, planHeal(d, { graceMs: 30_000 })), /is down; 2 of 3 masters are down: no majority can elect its replica r-7 \(7+\), r-4/);
  const findings = problemFindings(d).filter((f) => f.code === 'failover-stuck');
  assert.deepEqual(findings.map((f) => f.severity), ['error', 'error']);

  const early = planHeal(d, { graceMs: 30_000 });
  assert.deepEqual(early.actions, []);
  assert.ok(early.waits.some((w) => /r-7 takes over after the grace period \(20 s left\)/.test(w)), early.waits.join('\n'));

  const due = planHeal(d, { graceMs: 5_000 });
  assert.deepEqual(
    due.actions.map((a) => (a.kind === 'takeover' ? `${a.node.service}>${a.masterId}` : a.kind)),
    [`r-7>${id(1)}`, `r-5>${id(2)}`],
  );
  const text = formatHealPlan(d, due);
  assert.match(text, /r-7: CLUSTER FAILOVER TAKEOVER/);
  assert.match(text, /writes those masters acknowledged but had not yet replicated are lost/);
});

test('a stuck master whose task the swarm says is gone, or whose swarm node is down, is taken over without waiting for the grace period', () => {
  const pending = swarm({ ...IPS, 1: undefined, 7: '192.0.2.7' });
  const gone = planHeal(twoMastersDown({ cluster: pending }), { graceMs: 30_000 });
  assert.deepEqual(gone.actions.map((a) => (a.kind === 'takeover' ? a.masterId : a.kind)), [id(1)], 'master 2 still waits: its task says running');
  assert.ok(gone.waits.some((w) => /grace period/.test(w)));

  const base = swarm({ ...IPS, 7: '192.0.2.7' }, 'persistent', { 1: 'node-b', 2: 'node-b' });
  const hostDown: SwarmCluster = {
    ...base,
    hosts: [
      { id: 'node-a', hostname: 'a', state: 'ready', availability: 'active', role: 'manager' },
      { id: 'node-b', hostname: 'b', state: 'down', availability: 'active', role: 'worker', message: 'heartbeat failure' },
    ],
  };
  const down = planHeal(twoMastersDown({ cluster: hostDown }), { graceMs: 30_000 });
  assert.deepEqual(down.actions.map((a) => (a.kind === 'takeover' ? a.masterId : a.kind)), [id(1), id(2)]);
});

test('one of three masters down: a majority can elect its replica, so heal only waits (no takeover, even past the grace period)', () => {
  const dead = SIX.map((s) => (s.n === 1 ? { ...s, flags: 'fail?', pong: NOW - 60_000 } : s));
  const d = diagnose({ cluster: swarm(IPS), observations: dead.filter((s) => s.n !== 1).map((s) => obs(s.n, view(s, dead), 'fail')), now: NOW });
  assert.ok(d.problems.some((p) => p.kind === 'failover-pending'));
  assert.ok(!d.problems.some((p) => p.kind === 'failover-stuck'));
  assert.deepEqual(planHeal(d, { graceMs: 0 }).actions, []);
});
