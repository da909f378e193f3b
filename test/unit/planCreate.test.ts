import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allocateSlots, antiAffinityScore, type CreateNodeInput, planCreate } from '../../src/core/cluster/planCreate';
import { formatPlan } from '../../src/core/cluster/formatPlan';
import { isBadInputError } from '../../src/core/errors';

function loopback(count: number, base = 22100, host = '127.0.0.1'): CreateNodeInput[] {
  return Array.from({ length: count }, (_, i) => ({ endpoint: { host, port: base + i }, placementKey: host }));
}
const ranges = (n: number): string[] => allocateSlots(n).map((r) => `${r.start}-${r.end}`);

// Every expected range below was read from real `redis-cli 7.0.15 --cluster create` output.
test('slot split for 3 masters matches redis-cli: 0-5460, 5461-10922, 10923-16383', () => {
  assert.deepEqual(ranges(3), ['0-5460', '5461-10922', '10923-16383']);
});

test('slot split for 4, 5, 6 and 7 masters matches redis-cli', () => {
  assert.deepEqual(ranges(4), ['0-4095', '4096-8191', '8192-12287', '12288-16383']);
  assert.deepEqual(ranges(5), ['0-3276', '3277-6553', '6554-9829', '9830-13106', '13107-16383']);
  assert.deepEqual(ranges(6), ['0-2730', '2731-5460', '5461-8191', '8192-10922', '10923-13652', '13653-16383']);
  assert.deepEqual(ranges(7), ['0-2340', '2341-4680', '4681-7021', '7022-9361', '9362-11702', '11703-14042', '14043-16383']);
});

test('slot split for 30 masters follows redis-cli float rounding (1638-2184 has 547 slots)', () => {
  const r = ranges(30);
  assert.equal(r.length, 30);
  assert.equal(r[0], '0-545');
  assert.equal(r[3], '1638-2184');
  assert.equal(r[11], '6007-6553');
  assert.equal(r[26], '14199-14745');
  assert.equal(r[29], '15838-16383');
});

test('every slot split covers 0..16383 exactly once, for 3 to 200 masters', () => {
  for (let n = 3; n <= 200; n++) {
    const rs = allocateSlots(n);
    assert.equal(rs[0]?.start, 0, `${n} masters: first slot`);
    assert.equal(rs[rs.length - 1]?.end, 16383, `${n} masters: last slot`);
    for (let i = 1; i < rs.length; i++) assert.equal(rs[i]?.start, (rs[i - 1]?.end ?? -2) + 1, `${n} masters: gap at ${i}`);
  }
});

test('6 loopback nodes, 1 replica: masters are the first 3 and replicas are assigned as redis-cli prints', () => {
  const plan = planCreate(loopback(6), 1);
  assert.deepEqual(plan.masters, [0, 1, 2]);
  // redis-cli: Adding replica :22104 to :22100, :22105 to :22101, :22103 to :22102
  assert.deepEqual(plan.initialAssignments.map((a) => [a.replica, a.master]), [[4, 0], [5, 1], [3, 2]]);
  assert.equal(plan.nodes[4]?.replicaOf, 0);
  assert.ok(plan.warnings.some((w) => /same host as their master/.test(w)), 'one host: warns replicas share the master host');
});

test('7 nodes with 1 replica: the extra node becomes an extra replica of the first master, as redis-cli does', () => {
  const plan = planCreate(loopback(7), 1);
  assert.deepEqual(
    plan.initialAssignments.map((a) => [a.replica, a.master, a.extra]),
    [[4, 0, false], [5, 1, false], [6, 2, false], [3, 0, true]],
  );
  assert.match(formatPlan(plan), /Adding extra replicas\.\.\.\nAdding replica 127\.0\.0\.1:22103 to 127\.0\.0\.1:22100/);
});

test('11 nodes with 2 replicas: extra replicas go one per master (redis-cli output)', () => {
  const plan = planCreate(loopback(11), 2);
  assert.deepEqual(
    plan.initialAssignments.map((a) => [a.replica, a.master]),
    [[4, 0], [5, 0], [6, 1], [7, 1], [8, 2], [9, 2], [10, 0], [3, 1]],
  );
});

test('two hosts given in input order A A A B B B: masters interleave hosts and replicas avoid their master host', () => {
  const nodes: CreateNodeInput[] = [
    ...loopback(3, 22100, 'localhost'),
    ...loopback(3, 22103, '127.0.0.1'),
  ];
  const plan = planCreate(nodes, 1);
  // redis-cli: masters localhost:22100, 127.0.0.1:22103, localhost:22101;
  // Adding replica 127.0.0.1:22105 to localhost:22100, localhost:22102 to 127.0.0.1:22103,
  // 127.0.0.1:22104 to localhost:22101
  assert.deepEqual(plan.masters, [0, 3, 1]);
  assert.deepEqual(plan.initialAssignments.map((a) => [a.replica, a.master]), [[5, 0], [2, 3], [4, 1]]);
  assert.equal(plan.antiAffinity.finalScore, 0);
  assert.deepEqual(plan.warnings, []);
});

test('anti-affinity optimizer fixes a layout the first assignment leaves on the master host', () => {
  // Three swarm nodes; with this order redis-cli's first pass gives the extra replica (node 6,
  // on n2) to the master on n2, and a swap of two replicas' masters fixes it.
  const keys = ['n1', 'n2', 'n3', 'n1', 'n2', 'n3', 'n2'];
  const nodes: CreateNodeInput[] = keys.map((k, i) => ({ endpoint: { host: '127.0.0.1', port: 22100 + i }, placementKey: k }));
  const plan = planCreate(nodes, 1);
  assert.equal(plan.antiAffinity.initialScore, 10000, 'the first pass leaves one replica on its master host');
  assert.equal(plan.antiAffinity.optimized, true);
  for (const n of plan.nodes) {
    if (n.replicaOf === undefined) continue;
    assert.notEqual(n.input.placementKey, nodes[n.replicaOf]?.placementKey, `replica ${n.index} is on its master's swarm node`);
  }
  assert.equal(plan.antiAffinity.finalScore, 0);
});

test('planning is deterministic: the same input gives the same plan', () => {
  const keys = ['a', 'a', 'a', 'a', 'b', 'b', 'c', 'c'];
  const nodes: CreateNodeInput[] = keys.map((k, i) => ({ endpoint: { host: '127.0.0.1', port: 22100 + i }, placementKey: k }));
  assert.deepEqual(planCreate(nodes, 1), planCreate(nodes, 1));
});

test('fewer than 3 masters is refused with a sentence saying how many nodes are needed', () => {
  assert.throws(() => planCreate(loopback(5), 1), (e: unknown) => isBadInputError(e) && /at least 3 masters.*at least 6 nodes/.test(e.message));
  assert.throws(() => planCreate(loopback(2), 0), (e: unknown) => isBadInputError(e) && /only 2/.test(e.message));
});

test('a negative or fractional replica count and a duplicated node are refused', () => {
  assert.throws(() => planCreate(loopback(6), -1), isBadInputError);
  assert.throws(() => planCreate(loopback(6), 0.5), isBadInputError);
  const dup = [...loopback(5), { endpoint: { host: '127.0.0.1', port: 22100 }, placementKey: '127.0.0.1' }];
  assert.throws(() => planCreate(dup, 1), (e: unknown) => isBadInputError(e) && /127\.0\.0\.1:22100 is listed twice/.test(e.message));
});

test('formatted plan reads like redis-cli: allocation header, Master[k] lines, M:/S: blocks', () => {
  const text = formatPlan(planCreate(loopback(6), 1), new Map([[0, 'a'.repeat(40)]]));
  assert.match(text, /^>>> Performing hash slots allocation on 6 nodes\.\.\.\n/);
  assert.match(text, /Master\[0\] -> Slots 0 - 5460\nMaster\[1\] -> Slots 5461 - 10922\nMaster\[2\] -> Slots 10923 - 16383\n/);
  assert.match(text, /Adding replica 127\.0\.0\.1:22104 to 127\.0\.0\.1:22100\n/);
  assert.match(text, new RegExp(`M: ${'a'.repeat(40)} 127\\.0\\.0\\.1:22100\\n   slots:\\[0-5460\\] \\(5461 slots\\) master\\n   1 additional replica\\(s\\)`));
  assert.match(text, new RegExp(`S: 127\\.0\\.0\\.1:22104\\n   replicates ${'a'.repeat(40)}`));
});

/**
 * The best layout there is, by brute force over every choice of masters and every assignment of
 * replicas (each master r to r + ceil(extra / masters) replicas): what the planner must reach.
 */
function bestScore(keys: readonly string[], replicas: number): number {
  const nodes = keys.map((k, i): CreateNodeInput => ({ endpoint: { host: '192.0.2.1', port: 7000 + i }, placementKey: k }));
  const n = keys.length;
  const m = Math.floor(n / (replicas + 1));
  const cap = replicas + Math.ceil((n - m * (replicas + 1)) / m);
  let best = Infinity;
  const choose = (start: number, picked: number[]): void => {
    if (picked.length === m) {
      const rest = [...Array(n).keys()].filter((i) => !picked.includes(i));
      const counts = picked.map(() => 0);
      const map = new Map<number, number>();
      const assign = (at: number): void => {
        if (at === rest.length) {
          if (counts.every((c) => c >= replicas)) best = Math.min(best, antiAffinityScore(nodes, map).score);
          return;
        }
        for (let k = 0; k < m; k++) {
          if ((counts[k] as number) >= cap) continue;
          counts[k] = (counts[k] as number) + 1;
          map.set(rest[at] as number, picked[k] as number);
          assign(at + 1);
          counts[k] = (counts[k] as number) - 1;
        }
        map.delete(rest[at] as number);
      };
      assign(0);
      return;
    }
    for (let i = start; i < n; i++) choose(i + 1, [...picked, i]);
  };
  choose(0, []);
  return best;
}

const SHAPES: readonly (readonly [string, number])[] = [
  ['aaaaaa', 1], // one host
  ['aaabbb', 1], // two even hosts
  ['abcabc', 1], // three even hosts
  ['aabbcc', 1],
  ['aaabbbccc', 2],
  ['aaaabb', 1], // two uneven hosts: one replica must share
  ['aaabbbc', 1],
  ['abbacba', 1],
  ['aaaaabbbc', 1], // uneven: redis-cli's fixed masters force a replica beside its master
  ['abababaca', 1],
  ['aaaaabbbc', 2],
  ['aaaabbbbc', 1],
  ['aaaaaabbb', 1],
  ['bbbaaaaaa', 2],
  ['cccccbbaa', 1],
  ['aabbccdd', 1],
];

for (const [hosts, replicas] of SHAPES) {
  test(`hosts ${hosts} with ${replicas} replica(s): the layout is as good as the best there is (brute force)`, () => {
    const nodes = hosts.split('').map((k, i): CreateNodeInput => ({ endpoint: { host: '192.0.2.1', port: 7000 + i }, placementKey: k, placementName: `host-${k}` }));
    const plan = planCreate(nodes, replicas);
    const replicaOf = new Map(plan.nodes.flatMap((n) => (n.replicaOf !== undefined ? [[n.index, n.replicaOf] as const] : [])));
    assert.equal(antiAffinityScore(nodes, replicaOf).score, plan.antiAffinity.finalScore, 'the score reported is the layout planned');
    assert.equal(plan.antiAffinity.finalScore, bestScore(hosts.split(''), replicas));
    assert.equal(plan.masters.length, Math.floor(nodes.length / (replicas + 1)));
    const counts = plan.masters.map((m) => plan.nodes.filter((n) => n.replicaOf === m).length);
    assert.ok(counts.every((c) => c >= replicas), `every master has at least ${replicas} replica(s): ${counts.join(',')}`);
    const beside = plan.nodes.some((n) => n.replicaOf !== undefined && n.input.placementKey === nodes[n.replicaOf]?.placementKey);
    assert.equal(plan.warnings.some((w) => /same host as their master/.test(w)), beside, 'warned exactly when a replica shares its master host');
  });
}

test('too few hosts: the warning names the pairs by host name and says what losing the host does', () => {
  const nodes = 'aaaabb'.split('').map((k, i): CreateNodeInput => ({ endpoint: { host: `redis-${i + 1}`, port: 6379 }, placementKey: `id-${k}`, placementName: `host-${k}` }));
  const w = planCreate(nodes, 1).warnings.join('\n');
  assert.match(w, /1 replica\(s\) are on the same host as their master \(redis-\d:6379 with redis-\d:6379 on host-a\): 2 hosts are too few/);
  assert.match(w, /Losing such a host takes the master and its replica at once, and its slots stop being served/);
  const one = planCreate(loopback(6), 1).warnings.join('\n');
  assert.match(one, /All 6 nodes run on one host \(127\.0\.0\.1\).*losing that host, which stops the whole cluster/);
});

test('uneven hosts: masters are chosen again by host, and the plan says so', () => {
  const nodes = 'aaaaabbbc'.split('').map((k, i): CreateNodeInput => ({ endpoint: { host: '192.0.2.1', port: 7000 + i }, placementKey: k }));
  const plan = planCreate(nodes, 1);
  assert.equal(plan.antiAffinity.regrouped, true);
  assert.match(formatPlan(plan), /Choosing masters again by host/);
  const slots = plan.masters.map((m) => plan.nodes[m]?.slots);
  assert.deepEqual(slots, allocateSlots(plan.masters.length), 'Master[k] still takes the k-th slot range');
});
