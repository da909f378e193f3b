/**
 * Issue 12, points 1 and 5 on the real 3-node bed: a cluster that runs on the workers only is
 * reached through a relay on the manager (its password read there too), published ports are
 * dialled at the address of the node running the task, a missing image is refused before
 * anything is made, and destroy --volumes removes the volumes on every node it can reach and
 * names the node it cannot.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { runPrefix } from '../support/swarm';
import { openClusterAccess } from '../../src/core/swarm/clusterAccess';
import { runProcess } from '../support/runProcess';
import { bed, cli, cliOk, dockerOn, nodeAddress, nodeContainer, nodeHost, sweepBed, volumesOn, waitNodesReady } from '../support/multinode';

const IMAGE = process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local';
/** A tag of the test image on every node, so one node can lose it (`allTag(prefix)`). */
const allTag = (prefix: string): string => `${prefix.toLowerCase()}-all:1`;
const PASSWORD = 'mn-secret';

function hostDocker(args: readonly string[]): string {
  return execFileSync('docker', [...args], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } }).trim();
}

/** Bed node index (1-based) of each service's running task. */
function nodeIndexOf(prefix: string): Map<string, number> {
  const names = new Map<string, number>();
  for (let i = 1; i <= bed().nodes; i++) names.set(`${bed().prefix}-${i}`, i);
  const out = dockerOn(1, ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Name}} {{.Node}}',
    ...dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((s) => new RegExp(`^${prefix}-\\d+$`).test(s))]);
  return new Map(out.split('\n').map((l) => {
    const [task, node] = l.split(' ');
    return [(task ?? '').replace(/\.\d+$/, ''), names.get(node ?? '') ?? 0];
  }));
}

describe('multi-host: relays, published ports, images and volumes on every node', { timeout: 900_000 }, () => {
  const prefix = runPrefix('mnA');
  const killed: string[] = [];
  after(async () => {
    for (const c of killed) hostDocker(['start', c]);
    await waitNodesReady();
    await sweepBed(prefix);
    for (let i = 1; i <= bed().nodes; i++) {
      for (const tag of [`${prefix.toLowerCase()}-only:1`, allTag(prefix)]) {
        try {
          dockerOn(i, ['rmi', tag]);
        } catch {
          // Never tagged, or already removed.
        }
      }
    }
  });

  it('deploy refuses an image some nodes lack, naming them, before creating anything, and doctor names them too', async () => {
    await waitNodesReady();
    dockerOn(1, ['tag', IMAGE, `${prefix.toLowerCase()}-only:1`]);
    const run = await cli(['deploy', '--name', `${prefix}x`, '--network', `${prefix}x-net`, '--nodes', '3', '--replicas', '0', '--image', `${prefix.toLowerCase()}-only:1`, '--insecure-no-password']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, new RegExp(`not on swarm node\\(s\\) ${bed().prefix}-2, ${bed().prefix}-3`));
    assert.match(run.stderr, /Nothing was created/);
    assert.deepEqual(dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((s) => s.startsWith(prefix)), [], 'no service, not even the probe, is left');
    const doctor = await cli(['doctor', '--image', `${prefix.toLowerCase()}-only:1`]);
    assert.match(doctor.stdout, new RegExp(`${prefix.toLowerCase()}-only:1.*\\n\\s+MISSING on swarm node\\(s\\) ${bed().prefix}-2, ${bed().prefix}-3`), doctor.stdout);
    assert.match(doctor.stdout, new RegExp(`${IMAGE.replace(/[/.]/g, '\\$&')}.*\\n\\s+on every swarm node \\(3\\)`), doctor.stdout);
    dockerOn(1, ['rmi', `${prefix.toLowerCase()}-only:1`]);
  });

  it('a cluster on the workers only is formed and used through a relay on the manager, with its password', async () => {
    for (let i = 1; i <= bed().nodes; i++) dockerOn(i, ['tag', IMAGE, allTag(prefix)]);
    await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '3', '--replicas', '0', '--image', allTag(prefix),
      '--node-timeout', '2000', '--constraint', 'node.role==worker', '--publish', '26010'], { env: { REDIS_SWARM_PASSWORD: PASSWORD } });
    assert.ok([...nodeIndexOf(prefix).values()].every((i) => i !== 1), 'no task on the manager');
    await cliOk(['create', '--cluster', prefix, '--yes', '--tunnel']);
    const status = await cliOk(['status', '--cluster', prefix, '--tunnel']);
    assert.match(status, /cluster_state: ok on 3 node\(s\)/);
    const relays = dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((s) => s.startsWith(`${prefix}-relay-`));
    assert.equal(relays.length, 1, 'one relay service, on the manager');
    assert.equal((await cliOk(['cli', '--cluster', prefix, '-c', 'SET', 'k', 'v'])).trim(), 'OK');
    assert.equal((await cliOk(['cli', '--cluster', prefix, '-c', 'GET', 'k'])).trim(), 'v');
  });

  it('add-node refuses, before creating anything, when a node that may run the new task lacks the image', async () => {
    dockerOn(3, ['rmi', allTag(prefix)]);
    const servicesBefore = dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix)).sort();
    const run = await cli(['add-node', '--cluster', prefix, '--yes']);
    assert.notEqual(run.status, 0);
    assert.match(run.stderr, new RegExp(`not on swarm node\\(s\\) ${bed().prefix}-3 .*Nothing was created`));
    const servicesAfter = dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix)).sort();
    assert.deepEqual(servicesAfter, servicesBefore, 'no service was created');
    dockerOn(3, ['tag', IMAGE, allTag(prefix)]);
  });

  it('published ports are dialled at the address of the node that runs the task', async () => {
    const where = nodeIndexOf(prefix);
    const [service, index] = [...where.entries()][0] as [string, number];
    const port = 26010 + Number(service.split('-').pop()) - 1;
    // The oracle: the node's own address on the bed answers; the manager's does not.
    const direct = await runProcess('redis-cli', ['-h', nodeAddress(index), '-p', String(port), '--no-auth-warning', '-a', PASSWORD, 'PING'], { boundMs: 30_000 });
    assert.equal(direct.stdout.trim(), 'PONG');
    // The route the core picks: the published port at that node's address, not a tunnel.
    const access = await openClusterAccess(prefix, { env: { ...process.env, DOCKER_HOST: bed().managerHost } });
    try {
      const route = await access.router.resolve({ host: service, port: 6379 });
      assert.deepEqual(route, { kind: 'published', target: { host: nodeAddress(index), port } });
    } finally {
      await access.dispose();
    }
    const out = await cliOk(['status', '--cluster', prefix, '--json']);
    assert.match(out, /"host": "10\./, 'status read the cluster');
    const got = await cliOk(['cli', '--cluster', prefix, '-c', 'GET', 'k']);
    assert.equal(got.trim(), 'v', 'the published route works without --tunnel');
  });

  it('destroy --volumes removes the volumes on every node it reaches and names the node it cannot', async () => {
    const where = nodeIndexOf(prefix);
    const downIndex = [...where.values()].find((i) => i !== 1) as number;
    const upIndex = [2, 3].find((i) => i !== downIndex) as number;
    const downName = `${bed().prefix}-${downIndex}`;
    assert.ok(volumesOn(downIndex, prefix).length > 0, `volumes on ${downName} before`);
    // A whole host lost: its engine and tasks die at once.
    hostDocker(['kill', nodeContainer(downIndex)]);
    killed.push(nodeContainer(downIndex));
    const run = await cli(['destroy', '--cluster', prefix, '--volumes',
      '--node-engine', `${bed().prefix}-2=${nodeHost(2)}`, '--node-engine', `${bed().prefix}-3=${nodeHost(3)}`]);
    assert.equal(run.status, 1, `destroy says it left volumes: ${run.stdout}${run.stderr}`);
    assert.match(run.stdout, new RegExp(`on ${downName}: NOT removed ${prefix}-\\d-data`));
    if ([...where.values()].includes(upIndex)) assert.match(run.stdout, new RegExp(`on ${bed().prefix}-${upIndex}: removed ${prefix}-\\d-data`));
    assert.deepEqual(volumesOn(upIndex, prefix), [], `nothing left on ${bed().prefix}-${upIndex}`);
    assert.deepEqual(dockerOn(1, ['service', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix)), [], 'no service left, the relay included');
    hostDocker(['start', nodeContainer(downIndex)]);
    killed.pop();
    // Back up: its engine answers again, and its volumes are still there to be removed by hand.
    await waitNodesReady();
    assert.ok(volumesOn(downIndex, prefix).length > 0, `${downName}'s volumes were named, not silently dropped`);
  });
});
