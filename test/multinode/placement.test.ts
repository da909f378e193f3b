/**
 * Point 2 of issue 12 on the real 3-node bed: where masters and replicas land. create, heal and
 * add-node keep every master's replica on another swarm node (redis-cli's own anti-affinity
 * compares IPs only, and every task has its own IP); `check` flags a master whose replica
 * shares its host, by hostname. The layout is read from `check --json` (what the cluster says
 * about its nodes, joined with the swarm's tasks), never from our own planner.
 */
import { strict as assert } from 'node:assert';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runPrefix } from '../support/swarm';
import { cli, cliOk, dockerOn, nodeContainer, sweepBed } from '../support/multinode';
import { SETTLE_BOUND_MS, type NodeJson, checkJson as check, checkUntil as until, coveredSlots as covered, hostExposure, nodeLabel as label, liveNodes as live } from '../support/multinodeCheck';

const POLL_MS = 2000;

describe('multi-host: placement that survives losing a host', { timeout: 1_200_000 }, () => {
  const prefix = runPrefix('mnB');
  let deployOut = '';
  after(async () => {
    await sweepBed(prefix);
  });

  before(async () => {
    deployOut = await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1',
      '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', '2000']);
  });

  it('deploy says on which swarm nodes the tasks landed, and does not warn with three of them', () => {
    const line = deployOut.split('\n').find((l) => l.startsWith('swarm nodes: '));
    assert.ok(line, `deploy names the swarm nodes:\n${deployOut}`);
    assert.equal(line.split(', ').length, 3, `three hosts: ${line}`);
    assert.doesNotMatch(deployOut, /\[WARNING\]/);
  });

  it("create puts every master's replica on another swarm node", async () => {
    const out = await cliOk(['create', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.doesNotMatch(out, /same host/, 'no placement warning with three hosts');
    const c = await until(prefix, 'the formed cluster', (x) => (covered(x) === 16384 ? undefined : `${covered(x)} slots covered`));
    assert.deepEqual(hostExposure(c), []);
    assert.deepEqual(new Set(live(c).map((n) => n.swarm?.swarmHost)).size, 3, 'the hostnames of the three swarm nodes are known');
    assert.equal(c.findings.filter((f) => f.code === 'replica-same-placement').length, 0);
  });

  it('check flags, by hostname, a master whose replica was moved beside it; heal gives the master left without one that replica', async () => {
    const c = await check(prefix);
    const nodes = live(c);
    // A replica on the same host as a master it does not serve: make it serve that master.
    const pair = nodes
      .filter((r) => r.role === 'replica')
      .flatMap((r) => nodes.filter((m) => m.role === 'master' && m.slots.length > 0 && m.id !== r.masterId && m.swarm?.swarmNode === r.swarm?.swarmNode).map((m) => ({ r, m })))[0];
    assert.ok(pair, `some host runs a master and a replica of another master: ${nodes.map(label).join(', ')}`);
    const { r, m } = pair;
    await cliOk(['cli', '--cluster', prefix, '--node', `${r.swarm?.service}:${r.endpoint.port}`, 'CLUSTER', 'REPLICATE', m.id]);
    const flagged = await until(prefix, 'check to flag the shared host', (x) =>
      x.findings.some((f) => f.code === 'replica-same-placement' && f.nodeIds?.[0] === m.id) ? undefined : `no replica-same-placement finding for ${label(m)}`,
    );
    const f = flagged.findings.find((x) => x.code === 'replica-same-placement');
    assert.ok(f?.message.includes(`(${m.swarm?.swarmHost ?? '?'})`), `the warning names the host by its hostname: ${f?.message}`);
    assert.match(f?.message ?? '', /losing that node takes the master and this replica at once/);
    assert.ok(f?.nodeIds?.includes(r.id), 'and names the replica');
    assert.ok(flagged.findings.some((x) => x.code === 'no-replica'), "the master r served has none now");

    const healed = await cli(['heal', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.equal(healed.status, 0, `heal:\n${healed.stdout}\n${healed.stderr}`);
    const after_ = await until(prefix, 'every master with a replica on another host', (x) => {
      const exposed = hostExposure(x);
      return exposed.length > 0 ? exposed.join('; ') : x.findings.some((y) => y.code === 'replica-same-placement') ? 'still flagged' : undefined;
    });
    assert.equal(covered(after_), 16384);
  });

  it('heal places a node that came back empty beside a master so that it serves a master elsewhere', async () => {
    const c = await check(prefix);
    const nodes = live(c);
    // A replica on host Y of a master on host X, pinned onto X: its task restarts there, empty.
    const r = nodes.find((n) => n.role === 'replica' && nodes.some((m) => m.id === n.masterId && m.swarm?.swarmNode !== n.swarm?.swarmNode));
    const m = nodes.find((n) => n.id === r?.masterId);
    assert.ok(r?.swarm && m?.swarm?.swarmNode, 'a replica on another host than its master');
    const service = r.swarm.service;
    const host = m.swarm.swarmNode;
    dockerOn(1, ['service', 'update', '--detach', '--constraint-add', `node.id==${host}`, service]);
    for (const deadline = Date.now() + SETTLE_BOUND_MS; ; ) {
      const tasks = dockerOn(1, ['service', 'ps', '-q', '--filter', 'desired-state=running', service]).split('\n').filter(Boolean);
      const where = tasks.length > 0 ? dockerOn(1, ['inspect', '--format', '{{.NodeID}} {{.Status.State}}', ...tasks]) : '';
      if (where === `${host} running`) break;
      assert.ok(Date.now() < deadline, `${service} does not run on ${host}: ${where}`);
      await sleep(POLL_MS);
    }
    const healed = await cli(['heal', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.equal(healed.status, 0, `heal:\n${healed.stdout}\n${healed.stderr}`);
    const done = await until(prefix, 'every master with a replica on another host after heal', (x) => {
      const exposed = hostExposure(x);
      if (exposed.length > 0) return exposed.join('; ');
      return live(x).length < 6 ? `${live(x).length} live nodes` : undefined;
    });
    const back = live(done).find((n) => n.swarm?.service === r.swarm?.service);
    assert.ok(back && back.role === 'replica' && back.masterId !== m.id, `${service}, now on ${label(m)}'s host, does not replicate it there`);
  });

  it('add-node: the new replica serves a master on another swarm node', async () => {
    const out = await cliOk(['add-node', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.doesNotMatch(out, /same swarm node as its master/, out);
    const c = await until(prefix, 'the new node to replicate', (x) => {
      const n = live(x).find((y) => y.swarm?.service === `${prefix}-7`);
      return n?.role === 'replica' && n.masterId ? undefined : `${prefix}-7 is not a replica yet`;
    });
    const n = live(c).find((y) => y.swarm?.service === `${prefix}-7`) as NodeJson;
    const m = live(c).find((y) => y.id === n.masterId);
    assert.ok(m?.swarm?.swarmNode && n.swarm?.swarmNode, 'both placed');
    assert.notEqual(n.swarm.swarmNode, m.swarm.swarmNode, `${label(n)} replicates ${label(m)}`);
    assert.deepEqual(hostExposure(c), []);
  });
});

describe('multi-host: constraints pin the nodes, and too few hosts are said', { timeout: 600_000 }, () => {
  const prefix = runPrefix('mnB');
  after(async () => {
    await sweepBed(prefix);
  });

  it('deploy --constraint keeps every node on one swarm node; deploy and create say what that costs', async () => {
    const pinned = nodeContainer(2);
    const out = await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1', '--constraint', `node.hostname==${pinned}`,
      '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', '2000']);
    assert.ok(out.includes(`swarm nodes: ${pinned} (6)`), out);
    assert.match(out, /\[WARNING\] Every node runs on one swarm node \(.+\) \(3 swarm nodes take tasks; --constraint may have kept the others out\): each replica will share its master's host/);
    const created = await cliOk(['create', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.ok(created.includes(`All 6 nodes run on one host (${pinned}), so every replica is on the same host as their master`), created);
  });
});
