/**
 * Deploy and form a 6-node cluster on the real local swarm, reached once through published
 * ports and once through Docker API tunnels only; then destroy it and find nothing left.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { deployCluster } from '../../src/core/swarm/deploy';
import { destroyCluster } from '../../src/core/swarm/destroy';
import { DEPLOY_DEFAULTS, type DeployOptions } from '../../src/core/swarm/deployOptions';
import { openClusterAccess, type ClusterAccess } from '../../src/core/swarm/clusterAccess';
import { adminPoolFor, formSwarmCluster, planSwarmCreate } from '../../src/core/swarm/formCluster';
import { joinSwarm } from '../../src/core/swarm/joinTopology';
import { readTopology } from '../../src/core/cluster/readTopology';
import { checkCluster } from '../../src/core/cluster/check';
import { countSlots } from '../../src/core/cluster/topology';
import { replyText } from '../../src/core/redis/adminConnection';
import { applyReshard, planReshardOn } from '../../src/core/ops/reshard';
import { TEST_IMAGE, leftovers, localEngine, runPrefix, sweep } from '../support/swarm';

const PASSWORD = 'pw-Zq7#not-in-inspect';

/** 60000-range loopback ports are avoided: published host ports stay below the ephemeral range. */
const PUBLISH_BASE = 17_100 + (process.pid % 50) * 10;

async function deployAndForm(name: string, publish: boolean): Promise<ClusterAccess> {
  const options: DeployOptions = {
    ...DEPLOY_DEFAULTS,
    name,
    image: TEST_IMAGE,
    network: `${name}-net`,
    nodeTimeoutMs: 2000,
    password: PASSWORD,
    ...(publish ? { publishBase: PUBLISH_BASE } : {}),
  };
  await deployCluster(localEngine(), options);
  const access = await openClusterAccess(name, { env: { ...process.env, DOCKER_HOST: '' }, forceTunnel: !publish });
  assert.equal(access.credentials?.password, PASSWORD, 'the password is read back from the secret inside the node');
  const plan = planSwarmCreate(access, 1);
  assert.equal(plan.masters.length, 3);
  await formSwarmCluster(access, plan);
  return access;
}

async function verifyCluster(access: ClusterAccess, expectRoute: 'published' | 'tunnel'): Promise<void> {
  const seed = access.seeds[0];
  assert.ok(seed, 'a running node to start from');
  assert.equal((await access.router.resolve(seed)).kind, expectRoute, `nodes are reached by ${expectRoute}`);
  const pool = adminPoolFor(access);
  try {
    const topology = joinSwarm(await readTopology(access.router, access.seeds, { pool }), access.cluster);
    assert.equal(topology.views.length, 6, 'every node answered through its route');
    for (const v of topology.views) assert.equal(v.clusterState, 'ok', `${v.endpoint.host} says cluster_state:ok`);
    const masters = topology.nodes.filter((n) => n.role === 'master');
    assert.equal(masters.length, 3, '3 masters');
    for (const m of masters) {
      assert.equal(topology.nodes.filter((n) => n.masterId === m.id).length, 1, `master ${m.hostname} has 1 replica`);
    }
    assert.equal(masters.reduce((s, m) => s + countSlots(m.slots), 0), 16384, 'all slots covered');
    assert.ok(topology.nodes.every((n) => n.hostname?.startsWith(access.cluster.name)), 'nodes announce their service names');
    assert.ok(topology.nodes.every((n) => n.swarm?.service), 'every node is joined with its swarm service');
    const report = checkCluster(topology);
    assert.ok(report.ok, `check is clean: ${report.findings.map((f) => f.message).join('; ')}`);

    // Write through the slot's master, read through its replica (another node, another route).
    const key = 'greeting';
    const slot = calculateSlot(key);
    const owner = masters.find((m) => m.slots.some((r) => r.start <= slot && slot <= r.end));
    assert.ok(owner, 'some master owns the slot');
    const replica = topology.nodes.find((n) => n.masterId === owner.id);
    assert.ok(replica?.hostname && owner.hostname);
    const ownerEp = { host: owner.hostname, port: owner.endpoint.port };
    const replicaEp = { host: replica.hostname, port: replica.endpoint.port };
    assert.equal(replyText(await pool.command(ownerEp, ['SET', key, 'hello'])), 'OK');
    await pool.command(ownerEp, ['WAIT', 1, 5000]);
    const read = await pool.pipeline(replicaEp, [['READONLY'], ['GET', key]]);
    assert.equal(read[1]?.ok && replyText(read[1].value), 'hello', 'the replica serves the key written on its master');

    // Slots move through the same routes with the password: the copy engine's links
    // authenticate, and so does the source's MIGRATE to the target (node to node). 'auto'
    // copies over published ports and leaves tunnels to MIGRATE.
    for (const engine of ['copy', 'migrate', 'auto'] as const) {
      const t = joinSwarm(await readTopology(access.router, access.seeds, { pool }), access.cluster);
      const [from, to] = t.nodes.filter((n) => n.role === 'master' && n.slots.length > 0);
      assert.ok(from?.hostname && to?.hostname);
      const plan = planReshardOn(t, { from: [from.id], to: to.id, slots: 8 });
      const fromEp = { host: from.hostname, port: from.endpoint.port };
      const toEp = { host: to.hostname, port: to.endpoint.port };
      const keys = plan.moves.map((m) => `${tagFor(m.slot)}:${engine}`);
      for (const k of keys) assert.equal(replyText(await pool.command(fromEp, ['SET', k, `v-${k}`])), 'OK');
      const report = await applyReshard({ pool, settings: { engine } }, t, plan);
      assert.equal(report.moved.length, 8, `${engine}: every slot moved: ${JSON.stringify(report.failed)}`);
      assert.equal(report.keysMoved, keys.length, `${engine}: every key moved`);
      assert.equal(report.engine, engine !== 'auto' ? engine : expectRoute === 'tunnel' ? 'migrate' : 'copy', `${engine}: the engine that ran`);
      for (const k of keys) assert.equal(replyText(await pool.command(toEp, ['GET', k])), `v-${k}`, `${engine}: ${k} is served by the new owner`);
    }
  } finally {
    await pool.close();
  }
}

/** A hash tag whose keys land in `slot`. */
function tagFor(slot: number): string {
  for (let i = 0; ; i++) if (calculateSlot(`{t${i}}`) === slot) return `{t${i}}`;
}

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');

/**
 * `redis-swarm cli --cluster NAME -c` sets and gets one key on every master: the redirect lines
 * name the hostnames the cluster announces, and the values come back through the routes.
 */
function cliOnEveryMaster(name: string, extraArgs: string[] = []): void {
  // One key per master's slot range (0-5460, 5461-10922, 10923-16383).
  const keys = ['k:7', 'k:0', 'k:1'].map((k) => ({ k, slot: calculateSlot(k) }));
  const owners = new Set(keys.map(({ slot }) => (slot <= 5460 ? 0 : slot <= 10922 ? 1 : 2)));
  assert.equal(owners.size, 3, `test keys cover all three masters: ${JSON.stringify(keys)}`);
  const script = keys.map(({ k }) => `set ${k} v-${k}\nget ${k}\n`).join('');
  const out = execFileSync(BIN, ['cli', '--cluster', name, '-c', '--no-raw', ...extraArgs], { input: script, encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } });
  for (const { k } of keys) assert.ok(out.includes(`"v-${k}"`), `GET ${k} answered through the cluster:\n${out}`);
  const redirects = [...out.matchAll(/-> Redirected to slot \[(\d+)\] located at ([^:\s]+):6379/g)].map((m) => m[2]);
  assert.ok(redirects.length >= 2, `redirects were followed:\n${out}`);
  for (const host of redirects) assert.match(host ?? '', new RegExp(`^${name}-[1-6]$`), 'redirects name the announced service hostnames');
}

function inspectText(prefix: string): string {
  const services = execFileSync('docker', ['service', 'ls', '-q', '--filter', `name=${prefix}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  const configs = execFileSync('docker', ['config', 'ls', '-q', '--filter', `name=${prefix}`], { encoding: 'utf8' }).split('\n').filter(Boolean);
  return (
    execFileSync('docker', ['service', 'inspect', ...services], { encoding: 'utf8' }) +
    execFileSync('docker', ['config', 'inspect', ...configs], { encoding: 'utf8' }) +
    Buffer.from(JSON.parse(execFileSync('docker', ['config', 'inspect', ...configs], { encoding: 'utf8' }))[0].Spec.Data, 'base64').toString()
  );
}

describe('deploy and create on the real swarm', { timeout: 600_000 }, () => {
  const prefix = runPrefix('d');
  after(async () => {
    await sweep(prefix);
  });

  it('with published ports: cluster ok, 3 masters x 1 replica, password never in inspect, destroy leaves nothing', async () => {
    const name = `${prefix}p`;
    const access = await deployAndForm(name, true);
    try {
      await verifyCluster(access, 'published');
      cliOnEveryMaster(name);
      // The host port answers as plain Redis; the password is required.
      const ping = execFileSync('redis-cli', ['-p', String(PUBLISH_BASE), '-a', PASSWORD, '--no-auth-warning', 'ping'], { encoding: 'utf8' });
      assert.equal(ping.trim(), 'PONG');
      const text = inspectText(name);
      assert.ok(text.includes('include /run/secrets/'), 'the config includes the secret file');
      assert.ok(!text.includes(PASSWORD), 'docker service/config inspect never show the password');
    } finally {
      await access.dispose();
    }
    await destroyCluster(localEngine(), name, { volumes: true });
    assert.deepEqual(leftovers(name), [], 'destroy --volumes leaves no service, volume, config, secret or network');
  });

  it('with no published ports: everything goes through Docker API tunnels', async () => {
    const name = `${prefix}t`;
    const access = await deployAndForm(name, false);
    try {
      await verifyCluster(access, 'tunnel');
      cliOnEveryMaster(name);
    } finally {
      await access.dispose();
    }
    const removed = await destroyCluster(localEngine(), name, { volumes: false });
    assert.equal(removed.volumes.length, 0, 'volumes are kept without --volumes');
    assert.deepEqual(
      leftovers(name).filter((l) => !l.startsWith('volume ')),
      [],
      'destroy removes services, config, secret and network',
    );
    assert.equal(leftovers(name).filter((l) => l.startsWith('volume ')).length, 6, 'the 6 data volumes are kept');
  });
});
