/**
 * Point 1 of issue 12 on the real 3-node bed: every verb reaches every node through the one
 * engine the user connected to (the manager), wherever the swarm put the tasks. The cluster is
 * spread over the three nodes, so tunnels to tasks on the workers relay from a task container
 * on the manager over the overlay network.
 */
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { runPrefix } from '../support/swarm';
import { runProcess } from '../support/runProcess';
import { cli, cliOk, dockerOn, managerEngine, placement, sweepBed, swarmNodeId } from '../support/multinode';
import { SwarmModelReader } from '../../src/core/model/swarmModelReader';

interface CheckJson {
  ok: boolean;
  nodes: { id: string; role: string; hostname?: string; endpoint: { host: string; port: number } }[];
}

/** A running task container of the cluster on node i (through node i's own engine: the oracle's side). */
function containerOn(i: number, prefix: string): { id: string; service: string } {
  const out = dockerOn(i, ['ps', '--filter', `label=com.docker.swarm.service.name`, '--format', '{{.ID}} {{.Label "com.docker.swarm.service.name"}}']);
  const line = out.split('\n').find((l) => new RegExp(` ${prefix}-\\d+$`).test(l));
  assert.ok(line, `a task of ${prefix} runs on node ${i}`);
  const [id, service] = line.split(' ');
  return { id: id as string, service: service as string };
}

/** `redis-swarm cli -c` with a script on its standard input; its standard output. */
function pipeToCli(prefix: string, script: string, extra: readonly string[] = []): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const p = spawn(process.execPath, ['bin/redis-swarm', 'cli', '--cluster', prefix, '-c', ...extra], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => p.kill('SIGKILL'), 120_000);
    p.stdout.on('data', (d: Buffer) => (out += d.toString('latin1')));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`redis-swarm cli exited ${code}: ${err}`));
    });
    p.stdin.end(script);
  });
}

async function check(prefix: string): Promise<CheckJson> {
  return JSON.parse(await cliOk(['check', '--cluster', prefix, '--json'])) as CheckJson;
}

describe('multi-host: every verb reaches every node through the manager', { timeout: 900_000 }, () => {
  const prefix = runPrefix('mnA');
  after(async () => {
    await sweepBed(prefix);
  });

  before(async () => {
    await cliOk(['deploy', '--name', prefix, '--network', `${prefix}-net`, '--nodes', '6', '--replicas', '1',
      '--image', process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local', '--node-timeout', '2000']);
  });

  it('create forms the cluster although its tasks run on three hosts', async () => {
    const hosts = new Set(placement(prefix).values());
    assert.equal(hosts.size, 3, `the swarm spread the six tasks over the three nodes (${[...hosts].join(', ')})`);
    const out = await cliOk(['create', '--cluster', prefix, '--yes']);
    assert.match(out, /\[OK\] All 16384 slots covered\./);
  });

  it('status and check see all six nodes', async () => {
    const status = await cliOk(['status', '--cluster', prefix]);
    assert.match(status, /cluster_state: ok on 6 node\(s\)/);
    assert.doesNotMatch(status, /unreachable/);
    const c = await check(prefix);
    assert.equal(c.ok, true, 'check finds no error');
    assert.equal(c.nodes.length, 6);
  });

  it('the model the VS Code views read sees every node of the cluster, on every host', async () => {
    const reader = new SwarmModelReader(managerEngine());
    try {
      const model = (await reader.read()).clusters.find((c) => c.name === prefix);
      assert.ok(model, 'the cluster is in the model');
      assert.equal(model.error, undefined);
      assert.equal(model.health, 'ok');
      assert.equal(model.topology?.views.length, 6, 'every node answered');
      assert.equal(model.shards.length, 3);
      assert.ok(model.shards.every((sh) => sh.replicas.length === 1), 'each master with its replica');
    } finally {
      await reader.dispose();
    }
  });

  it('cli -c follows redirects to nodes on other hosts exactly as redis-cli does inside the swarm', async () => {
    const script = ['SET {a}k 1', 'SET {b}k 2', 'SET {c}k 3', 'GET {a}k', 'GET {b}k', 'GET {c}k', 'INCR {b}k', 'DEL {a}k {a}k2', 'GET {c}k'].join('\n') + '\n';
    const seed = `${prefix}-1`;
    const ours = await pipeToCli(prefix, script, ['-h', seed, '-p', '6379']);
    // Undo the writes, then the oracle runs the same script inside a task container on the manager.
    await cliOk(['cli', '--cluster', prefix, '-c', 'DEL', '{a}k']);
    await cliOk(['cli', '--cluster', prefix, '-c', 'DEL', '{b}k']);
    await cliOk(['cli', '--cluster', prefix, '-c', 'DEL', '{c}k']);
    const local = containerOn(1, prefix);
    const theirs = dockerOn(1, ['exec', '-i', local.id, 'redis-cli', '-c', '-h', seed, '-p', '6379'], script);
    assert.equal(ours.trimEnd(), theirs, 'byte for byte the output of redis-cli -c run inside the swarm');
    assert.match(ours, /Redirected|^1$/m);
  });

  it('port-forward opens a local port to a node on a worker', async () => {
    const worker = containerOn(2, prefix);
    const expected = dockerOn(2, ['exec', worker.id, 'redis-cli', 'CLUSTER', 'MYID']);
    const child = spawn(process.execPath, ['bin/redis-swarm', 'port-forward', '--cluster', prefix, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const mapping = await new Promise<{ forwards: { node: string; local: string }[] }>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const nl = out.indexOf('\n');
          if (nl >= 0) resolve(JSON.parse(out.slice(0, nl)) as { forwards: { node: string; local: string }[] });
        });
        child.on('close', (code) => reject(new Error(`port-forward exited ${code} before printing its mapping`)));
      });
      const forward = mapping.forwards.find((f) => f.node === `${worker.service}:6379`);
      assert.ok(forward, `a forward for ${worker.service}`);
      const port = forward.local.split(':')[1] as string;
      const run = await runProcess('redis-cli', ['-p', port, 'CLUSTER', 'MYID'], { boundMs: 30_000 });
      assert.equal(run.stdout.trim(), expected, 'the forwarded port reaches the node on the worker');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('reshard moves slots between masters on different hosts, and fix finds nothing to do', async () => {
    const masters = (await check(prefix)).nodes.filter((n) => n.role === 'master');
    const place = placement(prefix);
    const a = masters[0];
    const b = masters.find((m) => place.get(m.hostname ?? '') !== place.get(a?.hostname ?? ''));
    assert.ok(a && b, 'two masters on different hosts');
    await pipeToCli(prefix, Array.from({ length: 50 }, (_, i) => `SET key:${i} v${i}`).join('\n') + '\n');
    const out = await cliOk(['reshard', '--cluster', prefix, '--from', a.id, '--to', b.id, '--slots', '100', '--yes']);
    assert.match(out, /100/);
    const fix = await cli(['fix', '--cluster', prefix, '--yes']);
    assert.equal(fix.status, 0, fix.stdout + fix.stderr);
    assert.equal((await check(prefix)).ok, true);
    for (let i = 0; i < 50; i += 7) assert.equal((await cliOk(['cli', '--cluster', prefix, '-c', 'GET', `key:${i}`])).trim(), `v${i}`);
    const rebalance = await cli(['rebalance', '--cluster', prefix, '--yes']);
    assert.equal(rebalance.status, 0, rebalance.stdout + rebalance.stderr);
  });

  it('failover promotes a replica on another host', async () => {
    const nodes = (await check(prefix)).nodes;
    const manager = swarmNodeId(1);
    const place = placement(prefix);
    // A replica away from the manager, so the command's own connection is relayed.
    const ids = dockerOn(1, ['node', 'ls', '--format', '{{.ID}} {{.Hostname}}']).split('\n').map((l) => l.split(' '));
    const managerName = ids.find(([id]) => id === manager)?.[1];
    const replica = nodes.find((n) => n.role === 'replica' && place.get(n.hostname ?? '') !== managerName) ?? nodes.find((n) => n.role === 'replica');
    assert.ok(replica);
    await cliOk(['failover', '--cluster', prefix, replica.id]);
    const after = (await check(prefix)).nodes.find((n) => n.id === replica.id);
    assert.equal(after?.role, 'master');
  });

  it('add-node and del-node scale out and in across hosts', async () => {
    await cliOk(['add-node', '--cluster', prefix, '--yes'], { boundMs: 300_000 });
    assert.equal((await check(prefix)).nodes.length, 7);
    await cliOk(['del-node', '--cluster', prefix, `${prefix}-7`, '--volumes', '--yes'], { boundMs: 300_000 });
    const c = await check(prefix);
    assert.equal(c.nodes.length, 6);
    assert.equal(c.ok, true);
  });

  it('heal finds nothing to do on a healthy spread cluster', async () => {
    const run = await cli(['heal', '--cluster', prefix, '--yes']);
    assert.equal(run.status, 0, run.stdout + run.stderr);
  });
});
