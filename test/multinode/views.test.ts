/**
 * Point 6 of issue 12 on the real 3-node bed, at the model the views draw from: the swarm's
 * nodes with their state, a drained node and a dead one (`docker kill` of its container) as the
 * tree describes them, and each Redis node's swarm node by hostname. Node 3 is drained, then
 * killed, and always made active and started again (after waits until swarm sees it Ready).
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type SwarmModel } from '../../src/core/model/clusterModel';
import { describeHost, describeService } from '../../src/core/model/describeNodes';
import { SwarmModelReader } from '../../src/core/model/swarmModelReader';
import { runPrefix } from '../support/swarm';
import { cliOk, dockerOn, managerEngine, nodeContainer, sweepBed } from '../support/multinode';

/** Bounds, not measures: swarm marks a dead node Down after a few heartbeats (2-5 s each on the bed). */
const DOWN_BOUND_MS = 90_000;
const POLL_MS = 1000;

/** The host's own engine, where the bed's node containers are. */
function hostDocker(args: readonly string[]): string {
  return execFileSync('docker', [...args], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } }).trim();
}

async function readUntil(reader: SwarmModelReader, what: string, done: (m: SwarmModel) => boolean): Promise<SwarmModel> {
  const deadline = Date.now() + DOWN_BOUND_MS;
  for (;;) {
    const m = await reader.read();
    if (done(m)) return m;
    assert.ok(Date.now() < deadline, `${what}: hosts are ${JSON.stringify(m.hosts)}`);
    await sleep(POLL_MS);
  }
}

describe('multi-host views: swarm nodes, drained and Down, and where each Redis node runs', { timeout: 600_000 }, () => {
  const prefix = runPrefix('mnB');
  const engine = managerEngine();
  const reader = new SwarmModelReader(engine);
  const third = nodeContainer(3);

  after(async () => {
    // Leave the bed as found: node 3 running, Ready and active.
    try {
      hostDocker(['start', third]);
    } catch {
      // Already running.
    }
    for (let i = 0; i < 90; i++) {
      try {
        dockerOn(1, ['node', 'update', '--availability', 'active', third]);
        if (dockerOn(1, ['node', 'inspect', '-f', '{{.Status.State}}', third]) === 'ready') break;
      } catch {
        // The manager has not heard from it yet.
      }
      await sleep(POLL_MS);
    }
    await reader.dispose();
    await sweepBed(prefix);
  });

  it('the model lists the three swarm nodes by hostname, and each Redis node says which one it runs on', async () => {
    await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '3', '--replicas', '0',
      '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', '2000']);
    const m = await reader.read();
    assert.deepEqual((m.hosts ?? []).map((h) => h.hostname), [nodeContainer(1), nodeContainer(2), third]);
    assert.deepEqual((m.hosts ?? []).map((h) => describeHost(h, m).description.split(' · ').slice(0, 2).join(' · ')), ['manager · Ready', 'worker · Ready', 'worker · Ready']);
    const cluster = m.clusters.find((c) => c.name === prefix);
    assert.ok(cluster, 'the deployed cluster is in the model');
    const where = cluster.swarm.nodes.map((s) => describeService(cluster, s, undefined).description);
    for (const d of where) assert.match(d, new RegExp(`^running · \\S+ · on (${[1, 2, 3].map(nodeContainer).join('|')})$`), d);
    const counted = (m.hosts ?? []).reduce((k, h) => k + Number(/(\d+) Redis node/.exec(describeHost(h, m).description)?.[1] ?? 0), 0);
    assert.ok(counted >= 3, `the swarm nodes count the cluster's Redis nodes (${counted})`);
  });

  it('a drained swarm node shows as drained', async () => {
    dockerOn(1, ['node', 'update', '--availability', 'drain', third]);
    const m = await readUntil(reader, `${third} drained`, (x) => x.hosts?.find((h) => h.hostname === third)?.availability === 'drain');
    const h = m.hosts?.find((x) => x.hostname === third);
    assert.ok(h);
    const t = describeHost(h, m);
    assert.match(t.description, /^worker · drained · /);
    assert.deepEqual(t.icon, { id: 'vm-outline', color: 'list.warningForeground' });
    dockerOn(1, ['node', 'update', '--availability', 'active', third]);
  });

  it('a swarm node whose machine died shows as Down, in red, with what happens to its tasks', async () => {
    hostDocker(['kill', third]);
    const m = await readUntil(reader, `${third} Down`, (x) => x.hosts?.find((h) => h.hostname === third)?.state === 'down');
    const h = m.hosts?.find((x) => x.hostname === third);
    assert.ok(h);
    const t = describeHost(h, m);
    assert.match(t.description, /^worker · Down · /);
    assert.deepEqual(t.icon, { id: 'vm-outline', color: 'testing.iconFailed' });
    assert.match(t.tooltip, /rescheduled on other nodes/);
  });
});
