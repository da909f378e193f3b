/**
 * The steps deploy prints, run as a user runs them: `deploy --name C` (1 replica per master by
 * default) then `create --cluster C --yes` forms masters with the replicas deploy was asked
 * for; `--replicas` still overrides. Then port-forward refuses a base whose ports run past 65535.
 * Real `bin/redis-swarm` processes on the local swarm (needs `npm run build`).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { TEST_IMAGE, runPrefix, sweep } from '../support/swarm';

function cli(args: readonly string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['bin/redis-swarm', ...args], { encoding: 'utf8', timeout: 240_000, env: { ...process.env, DOCKER_HOST: '' } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface CreateJson {
  nodes: { id: string; role: string; masterId?: string }[];
  check: { ok: boolean };
}

describe('create forms the layout deploy was asked for', { timeout: 600_000 }, () => {
  const prefix = runPrefix('k3c');
  after(async () => {
    await sweep(prefix);
  });

  it('deploy --name C then create --cluster C --yes gives 3 masters with 1 replica each', () => {
    const d = cli(['deploy', '--name', prefix, '--image', TEST_IMAGE, '--network', `${prefix}-net`, '--node-timeout', '2000']);
    assert.equal(d.status, 0, d.stderr);
    // One swarm node: deploy and create both say the replicas cannot survive losing it.
    const host = spawnSync('docker', ['info', '--format', '{{.Name}}'], { encoding: 'utf8', env: { ...process.env, DOCKER_HOST: '' } }).stdout.trim();
    assert.ok(d.stdout.includes(`swarm nodes: ${host} (6)`), d.stdout);
    assert.match(d.stdout, /\[WARNING\] Every node runs on one swarm node \(.+\): each replica will share its master's host, so losing that host stops the cluster/);
    const c = cli(['create', '--cluster', prefix, '--yes', '--json']);
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stderr, /1 replica\(s\) per master, as deploy was asked for/);
    assert.ok(
      `${c.stdout}${c.stderr}`.includes(`All 6 nodes run on one host (${host}), so every replica is on the same host as their master`),
      `create's plan names the one host and the consequence:\n${c.stderr}`,
    );
    const result = JSON.parse(c.stdout) as CreateJson;
    const masters = result.nodes.filter((n) => n.role === 'master');
    assert.equal(masters.length, 3, '3 masters, not 6');
    for (const m of masters) assert.equal(result.nodes.filter((n) => n.masterId === m.id).length, 1, `master ${m.id.slice(0, 8)} has its replica`);
    assert.ok(result.check.ok, 'the formed cluster checks ok');
  });

  it('port-forward --base 65535 is refused with one sentence naming the range', () => {
    const r = cli(['port-forward', '--cluster', prefix, '--base', '65535']);
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, /--base 65535 with 6 nodes runs past port 65535; use a base of at most 65530\./);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  });
});

describe('--replicas still overrides the deployed layout', { timeout: 600_000 }, () => {
  const prefix = runPrefix('k3o');
  after(async () => {
    await sweep(prefix);
  });

  it('create --replicas 0 on a cluster deployed with 1 replica gives 6 masters', () => {
    const d = cli(['deploy', '--name', prefix, '--image', TEST_IMAGE, '--network', `${prefix}-net`, '--node-timeout', '2000']);
    assert.equal(d.status, 0, d.stderr);
    const c = cli(['create', '--cluster', prefix, '--replicas', '0', '--yes', '--json']);
    assert.equal(c.status, 0, c.stderr);
    assert.doesNotMatch(c.stderr, /as deploy was asked for/);
    const result = JSON.parse(c.stdout) as CreateJson;
    assert.equal(result.nodes.filter((n) => n.role === 'master').length, 6);
  });
});
