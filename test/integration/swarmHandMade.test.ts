/**
 * The blog's deployment, made by hand with the docker CLI (services NAME-1 … NAME-6 running
 * `redis-server --cluster-enabled yes`, no labels, no volumes, no published ports): redis-swarm
 * finds them by name and image, forms the cluster through Docker API tunnels, and
 * `port-forward` gives each node a local port that the real redis-cli can use.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { TEST_IMAGE, runPrefix, sweep } from '../support/swarm';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
const FORWARD_BASE = 17_700 + (process.pid % 40) * 10;
const env = { ...process.env, DOCKER_HOST: '' };

function run(args: string[]): string {
  return execFileSync(BIN, args, { encoding: 'utf8', env });
}

describe('a cluster deployed by hand, as the blog post did', { timeout: 300_000 }, () => {
  const name = runPrefix('h');
  after(async () => {
    await sweep(name);
  });

  it('is found by name and image, formed through tunnels, and reachable through port-forward', async () => {
    execFileSync('docker', ['network', 'create', '-d', 'overlay', '--attachable', `${name}-net`], { stdio: 'ignore' });
    for (let i = 1; i <= 6; i++) {
      execFileSync(
        'docker',
        ['service', 'create', '-q', '--detach', '--name', `${name}-${i}`, '--network', `${name}-net`, '--endpoint-mode', 'dnsrr',
          TEST_IMAGE, 'redis-server', '--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--protected-mode', 'no'],
        { stdio: 'ignore' },
      );
    }
    // Wait (bounded) for the six tasks to run.
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states = execFileSync('docker', ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', ...Array.from({ length: 6 }, (_, i) => `${name}-${i + 1}`)], { encoding: 'utf8' });
      if (states.split('\n').filter((l) => l.startsWith('Running')).length === 6) break;
      assert.ok(Date.now() < deadline, `the hand-made services run within 60 s:\n${states}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const created = run(['create', '--cluster', name, '--replicas', '1', '--yes']);
    assert.match(created, /\[OK\] All 16384 slots covered\./);
    const status = JSON.parse(run(['status', '--cluster', name, '--json'])) as { views: { clusterState: string }[]; nodes: { role: string; swarm?: { service: string } }[] };
    assert.equal(status.views.length, 6);
    assert.ok(status.views.every((v) => v.clusterState === 'ok'), 'every node says cluster_state:ok');
    assert.equal(status.nodes.filter((n) => n.role === 'master').length, 3);
    assert.ok(status.nodes.every((n) => n.swarm?.service.startsWith(`${name}-`)), 'nodes are joined with their hand-made services');

    const forward = spawn(BIN, ['port-forward', '--cluster', name, '--base', String(FORWARD_BASE)], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const mapping = await new Promise<string>((resolve, reject) => {
        let text = '';
        const timer = setTimeout(() => reject(new Error(`port-forward printed no mapping in 20 s:\n${text}`)), 20_000);
        forward.stdout.on('data', (c: Buffer) => {
          text += c.toString();
          if (text.split('\n').filter((l) => l.includes(' -> ')).length >= 6) {
            clearTimeout(timer);
            resolve(text);
          }
        });
        forward.on('exit', (code) => reject(new Error(`port-forward exited with ${String(code)}:\n${text}`)));
      });
      assert.ok(mapping.includes(`${name}-1:6379 -> 127.0.0.1:${FORWARD_BASE}`), `the mapping names node and local port:\n${mapping}`);
      for (let i = 0; i < 6; i++) {
        const info = execFileSync('redis-cli', ['-p', String(FORWARD_BASE + i), 'cluster', 'info'], { encoding: 'utf8' });
        assert.match(info, /cluster_state:ok/, `the real redis-cli reaches node ${i + 1} through the forwarded port`);
      }
    } finally {
      forward.kill('SIGINT');
      await new Promise((r) => forward.once('exit', r));
    }
  });
});
