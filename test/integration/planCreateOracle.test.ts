/**
 * Our planner against the reference: real `redis-cli --cluster create` prints its plan for the
 * same nodes (answered "no", so nothing changes) and the slot ranges, masters and replica
 * assignment must match. Ports 22100-22129.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { formatEndpoint } from '../../src/core/routes/endpoint';
import { type CreateNodeInput, planCreate } from '../../src/core/cluster/planCreate';
import { type LoopbackNodes, startRedisNodes } from '../support/loopbackCluster';

let servers: LoopbackNodes | undefined;
before(async () => {
  servers = await startRedisNodes(22100, 30);
});
after(async () => {
  await servers?.stop();
});

/** The plan redis-cli prints: `Master[k] -> Slots a - b` and `Adding replica X to Y` lines. */
function redisCliPlan(addresses: readonly string[], replicas: number): { masters: string[]; replicas: string[] } {
  const run = spawnSync('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', String(replicas)], {
    input: 'no\n',
    encoding: 'utf8',
    timeout: 30_000,
  });
  // Strip the color escapes redis-cli uses even when not on a terminal.
  const out = run.stdout.replace(/\x1b\[[0-9;]*m/g, '');
  return {
    masters: out.split('\n').filter((l) => l.startsWith('Master[')),
    replicas: out.split('\n').filter((l) => l.startsWith('Adding replica')),
  };
}

function ourPlan(addresses: readonly string[], replicas: number): { masters: string[]; replicas: string[] } {
  const inputs: CreateNodeInput[] = addresses.map((a) => {
    const [host = '', port = '0'] = a.split(':');
    return { endpoint: { host, port: Number(port) }, placementKey: host };
  });
  const plan = planCreate(inputs, replicas);
  const ep = (i: number): string => formatEndpoint((inputs[i] as CreateNodeInput).endpoint);
  return {
    masters: plan.masters.map((m, k) => `Master[${k}] -> Slots ${plan.nodes[m]?.slots?.start} - ${plan.nodes[m]?.slots?.end}`),
    replicas: plan.initialAssignments.map((a) => `Adding replica ${ep(a.replica)} to ${ep(a.master)}`),
  };
}

const loopback = (count: number): string[] => Array.from({ length: count }, (_, i) => `127.0.0.1:${22100 + i}`);

for (const [count, replicas] of [[6, 1], [8, 1], [7, 1], [9, 2], [11, 2], [5, 0], [7, 0], [30, 0], [30, 1], [20, 3]] as const) {
  test(`${count} loopback nodes with ${replicas} replica(s): same slot ranges and replica assignment as redis-cli`, () => {
    const addresses = loopback(count);
    const theirs = redisCliPlan(addresses, replicas);
    assert.ok(theirs.masters.length >= 3, 'redis-cli printed a plan');
    assert.deepEqual(ourPlan(addresses, replicas), theirs);
  });
}

test('nodes given under two host names (localhost, 127.0.0.1): same interleaved masters and anti-affine replicas as redis-cli', () => {
  const addresses = [
    'localhost:22100', 'localhost:22101', 'localhost:22102', 'localhost:22103',
    '127.0.0.1:22104', '127.0.0.1:22105', '127.0.0.1:22106', '127.0.0.1:22107',
  ];
  assert.deepEqual(ourPlan(addresses, 1), redisCliPlan(addresses, 1));
});
