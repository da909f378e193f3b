import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkCluster } from '../../src/core/cluster/check';
import { formatCheck } from '../../src/core/cluster/formatCheck';
import { formatStatus } from '../../src/core/cluster/formatStatus';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterNode, type ClusterTopology, type ReportedView } from '../../src/core/cluster/topology';
import { FORMED_22190, OPEN_AND_FAILED_22190, OPEN_AND_FAILED_22191 } from './clusterNodesSamples';

function reported(reply: string, overrides: Partial<ReportedView> = {}): ReportedView {
  const view = parseClusterNodes(reply);
  return { endpoint: view.self.endpoint, view, clusterState: 'ok', keys: 0, ...overrides };
}
/** Every node of a CLUSTER NODES reply reporting that same view (but those in `down`, which do not answer). */
function everyNode(reply: string, overrides: Partial<ReportedView> = {}, down: readonly number[] = []): ReportedView[] {
  const view = parseClusterNodes(reply);
  return [view.self, ...view.nodes.filter((n) => n !== view.self)]
    .filter((n) => !down.includes(n.endpoint.port))
    .map((n) => ({ endpoint: n.endpoint, view: { self: n, nodes: view.nodes }, clusterState: 'ok', keys: 0, ...overrides }));
}
function topology(views: ReportedView[], unreachable: ClusterTopology['unreachable'] = []): ClusterTopology {
  const byId = new Map<string, ClusterNode>();
  for (const v of views) byId.set(v.view.self.id, v.view.self);
  for (const v of views) for (const n of v.view.nodes) if (!byId.has(n.id)) byId.set(n.id, n);
  return { views, nodes: [...byId.values()], unreachable };
}

test('a formed cluster, every node answering: agreement, full coverage, no error', () => {
  const r = checkCluster(topology(everyNode(FORMED_22190)));
  assert.equal(r.ok, true, r.findings.map((f) => f.message).join('\n'));
  // The sample runs on one host: that warning, and nothing else.
  assert.deepEqual(r.findings.filter((f) => f.severity !== 'info').map((f) => f.code), ['single-placement']);
  assert.equal(r.using, '127.0.0.1:22190');
});

test('open slot on both sides: one warning per node and an error listing the open slot', () => {
  const r = checkCluster(topology([reported(OPEN_AND_FAILED_22190), reported(OPEN_AND_FAILED_22191)]));
  assert.equal(r.ok, false);
  const mig = r.findings.find((f) => f.code === 'slot-migrating');
  assert.match(mig?.message ?? '', /Node 127\.0\.0\.1:22190 has slots in migrating state 100 \(to 127\.0\.0\.1:22191/);
  assert.ok(r.findings.some((f) => f.code === 'slot-importing'));
  assert.match(r.findings.find((f) => f.code === 'open-slots')?.message ?? '', /The following slots are open: 100\./);
});

test("a failed replica that cannot be reached is reported once, in heal's words, and its master as without replica", () => {
  const others = everyNode(OPEN_AND_FAILED_22190, {}, [22190, 22191, 22195]);
  const r = checkCluster(topology([reported(OPEN_AND_FAILED_22190), reported(OPEN_AND_FAILED_22191), ...others]));
  assert.equal(r.findings.filter((f) => f.code === 'failed-node').length, 0, 'not twice');
  const ghost = r.findings.find((f) => f.code === 'ghost');
  assert.equal(ghost?.severity, 'error');
  assert.equal(ghost?.message, '127.0.0.1:22195 (redis-6.example) (aafd8ac3) is failed and still known by 5 node(s)');
  const noReplica = r.findings.filter((f) => f.code === 'no-replica');
  assert.deepEqual(noReplica.map((f) => f.nodeIds), [['5e94149c4d6b48b142d3b719d00549e84e12164c']]);
  assert.equal(noReplica[0]?.message, 'master 127.0.0.1:22191 (5e94149c) has no replica');
});

test('a replica on the same swarm node as its master is a warning naming the swarm node', () => {
  const t = topology([reported(FORMED_22190)]);
  const place: Record<number, string> = { 22190: 'node-a', 22194: 'node-a', 22191: 'node-b', 22195: 'node-c', 22192: 'node-c', 22193: 'node-b' };
  for (const n of t.nodes) n.swarm = { service: `redis-${n.endpoint.port}`, swarmNode: place[n.endpoint.port] ?? '?' };
  const r = checkCluster(t);
  const f = r.findings.filter((x) => x.code === 'replica-same-placement');
  assert.equal(f.length, 1);
  assert.match(f[0]?.message ?? '', /Replica 127\.0\.0\.1:22194 .* of master 127\.0\.0\.1:22190 .* is on the same swarm node \(node-a\)/);
});

test('the shared-host warning names the swarm node by hostname and says what losing it does', () => {
  const t = topology([reported(FORMED_22190)]);
  const place: Record<number, string> = { 22190: 'id-a', 22194: 'id-a', 22191: 'id-b', 22195: 'id-c', 22192: 'id-c', 22193: 'id-b' };
  for (const n of t.nodes) n.swarm = { service: `redis-${n.endpoint.port}`, swarmNode: place[n.endpoint.port] ?? '?', swarmHost: `host-${(place[n.endpoint.port] ?? '?').slice(3)}` };
  const f = checkCluster(t).findings.find((x) => x.code === 'replica-same-placement');
  assert.match(f?.message ?? '', /is on the same swarm node \(host-a\): losing that node takes the master and this replica at once\. Its slots stop being served until it returns; run heal/);
  assert.deepEqual(f?.nodeIds?.length, 2, 'the master and its replica');
});

test('all nodes on one host: one warning (not [OK]), not a warning per master', () => {
  const r = checkCluster(topology([reported(FORMED_22190)]));
  assert.equal(r.findings.filter((f) => f.code === 'replica-same-placement').length, 0);
  const single = r.findings.filter((f) => f.code === 'single-placement');
  assert.equal(single.length, 1);
  assert.equal(single[0]?.severity, 'warning', 'losing the one host loses every replica: a warning, not an [OK] line');
});

test('slots nobody claims are an error with the uncovered ranges', () => {
  const reply = FORMED_22190.replace(' 10923-16383', ' 10923-16000');
  const r = checkCluster(topology([reported(reply)]));
  assert.match(r.findings.find((f) => f.code === 'coverage')?.message ?? '', /383 slot\(s\) have no owner \(16001-16383\)/);
});

test('nodes holding different slot maps are an error naming the odd one', () => {
  const a = reported(OPEN_AND_FAILED_22190);
  const b = reported(OPEN_AND_FAILED_22191.replace(' 5461-10922 [100', ' 5461-10921 [100'));
  const r = checkCluster(topology([a, b]));
  assert.match(r.findings.find((f) => f.code === 'config-disagree')?.message ?? '', /Nodes don't agree about configuration!/);
});

test('unreachable nodes, cluster_state:fail and a replica link down are errors', () => {
  const r = checkCluster(
    topology(everyNode(FORMED_22190, { clusterState: 'fail' }), [{ endpoint: { host: '127.0.0.1', port: 22199 }, reason: 'connect ECONNREFUSED' }]),
  );
  const codes = [...new Set(r.findings.filter((f) => f.severity === 'error').map((f) => f.code))].sort();
  assert.deepEqual(codes, ['cluster-state', 'unreachable']);
  const replicaView = parseClusterNodes(FORMED_22190.replace('myself,master', 'master').replace('127.0.0.1:22194@32194,redis-5.example slave', '127.0.0.1:22194@32194,redis-5.example myself,slave'));
  const r2 = checkCluster(topology([{ endpoint: replicaView.self.endpoint, view: replicaView, clusterState: 'ok', keys: 0, masterLinkStatus: 'down' }]));
  assert.ok(r2.findings.some((f) => f.code === 'replica-link-down'));
});

test('check and status text look like redis-cli: M:/S: blocks, [OK] lines, info-style master lines', () => {
  const t = topology(everyNode(FORMED_22190));
  const text = formatCheck(t, checkCluster(t));
  assert.match(text, /^>>> Performing Cluster Check \(using node 127\.0\.0\.1:22190\)\n/);
  assert.match(text, /M: e49484a0d7ed02ea2cf5a7a2fa8f583df8070f61 127\.0\.0\.1:22190 \(redis-1\.example\)\n   slots:\[0-5460\] \(5461 slots\) master\n   1 additional replica\(s\)/);
  assert.match(text, /\[OK\] All nodes agree about slots configuration\.\n>>> Check for open slots\.\.\.\n>>> Check slots coverage\.\.\.\n\[OK\] All 16384 slots covered\./);
  const status = formatStatus(t);
  assert.match(status, /127\.0\.0\.1:22190 \(e49484a0\.\.\.\) -> 0 keys \| 5461 slots \| 1 replica\(s\)\./);
  assert.match(status, /\[OK\] 0 keys in 3 masters\./);
});

test('TLS nodes: check says when certificates expire, warns within 30 days, fails on an expired one', () => {
  const day = 86_400_000;
  const now = Date.parse('2030-06-01T00:00:00Z');
  const views = (at: (i: number) => number): ReportedView[] => everyNode(FORMED_22190).map((v, i) => ({ ...v, certificateExpiresAt: at(i) }));
  const fine = checkCluster(topology(views(() => now + 200 * day)), { now });
  assert.equal(fine.ok, true);
  assert.ok(fine.findings.some((f) => f.code === 'certificates' && /valid until 2030-12-18 at the earliest/.test(f.message)));
  const soon = checkCluster(topology(views((i) => now + (i === 1 ? 10 : 200) * day)), { now });
  assert.equal(soon.ok, true, 'expiring soon is a warning');
  assert.match(soon.findings.find((f) => f.code === 'certificate-expiring')?.message ?? '', /expires on 2030-06-11 \(in 10 days\): run rotate-certs/);
  const expired = checkCluster(topology(views((i) => now - (i === 0 ? 1 : -200) * day)), { now });
  assert.equal(expired.ok, false, 'an expired certificate is an error');
  assert.ok(expired.findings.some((f) => f.code === 'certificate-expired'));
  const plain = checkCluster(topology(everyNode(FORMED_22190)), { now });
  assert.ok(!plain.findings.some((f) => f.code.startsWith('certificate')), 'a plain cluster says nothing of certificates');
});

test('all nodes on one host: the warning names the host by its hostname when the swarm gives it', () => {
  const t = topology([reported(FORMED_22190)]);
  for (const n of t.nodes) n.swarm = { service: `redis-${n.endpoint.port}`, swarmNode: 'id-a', swarmHost: 'box-a' };
  const single = checkCluster(t).findings.find((f) => f.code === 'single-placement');
  assert.match(single?.message ?? '', /All nodes run on one host \(box-a\)/);
});
