/**
 * A cluster deployed with ACL users on the real local swarm, end to end through the CLI: the
 * passwords only in Docker secrets (not in any service spec or label), every verb as the
 * operator user redis-swarm reads from the cluster's secret (create, status, check, cli -c,
 * add-node, failover, reshard through tunnels with MIGRATE AUTH2, heal, del-node, destroy),
 * an application user refused what its rules refuse, through `cli --cluster` and through
 * port-forward with the real redis-cli alike, and port-forward's listeners on 127.0.0.1.
 * Nodes are reached only through Docker API tunnels. Everything is swept afterwards.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, spawn } from 'node:child_process';
import { after, describe, it } from 'node:test';
import { readClusterCredentials } from '../../src/core/swarm/auth';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { localEngine, runPrefix, sweep, TEST_IMAGE } from '../support/swarm';
import { BIN, type Ran, runLogin } from '../support/runLogin';

const env: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: '' };
delete env['REDISCLI_AUTH'];
const BOUND_MS = 120_000;

function run(command: string, args: readonly string[], extraEnv: NodeJS.ProcessEnv = {}, input = ''): Ran {
  return runLogin(command, args, { env: extraEnv, input, boundMs: BOUND_MS });
}

function swarm(args: readonly string[], input = ''): Ran {
  const r = run(BIN, args, {}, input);
  assert.equal(r.status, 0, `redis-swarm ${args.join(' ')} failed:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** The replies of a piped `cli -c` session, without its redirect notes. */
function replies(out: string): string[] {
  return out.split('\n').filter((l) => l !== '' && !l.startsWith('-> Redirected'));
}

describe('ACL users on the swarm', { timeout: 420_000 }, () => {
  const name = runPrefix('acl');
  after(() => sweep(name));

  it('deploys users into secrets only, runs every verb as the operator, keeps the application user in its patterns', async () => {
    const deployed = JSON.parse(
      swarm([
        'deploy', '--name', name, '--nodes', '3', '--replicas', '0', '--image', TEST_IMAGE, '--network', `${name}-net`, '--node-timeout', '2000',
        '--user', 'app:app:*:+@read,+@write',
        // An auditor for the test to read ACL LOG with: every command, dangerous ones named.
        '--user', 'audit:*:+@all,+@dangerous',
        '--json',
      ]).stdout,
    ) as { operatorUser?: string; secret?: string; userSecrets?: { user: string; secret: string }[] };
    assert.equal(deployed.operatorUser, 'redis-swarm');
    assert.deepEqual(deployed.userSecrets?.map((u) => u.secret), [`${name}-user-app`, `${name}-user-audit`]);

    const engine = localEngine();
    const cluster = await findSwarmCluster(engine.docker, name);
    const op = await readClusterCredentials(engine, cluster);
    const app = await readClusterCredentials(engine, cluster, 'app');
    assert.equal(op?.username, 'redis-swarm');
    assert.ok(op && app && op.password.length >= 40 && app.password.length >= 40);
    const specs = execFileSync('docker', ['service', 'inspect', ...cluster.nodes.map((n) => n.service)], { encoding: 'utf8' });
    assert.ok(!specs.includes(op.password) && !specs.includes(app.password), 'a password is in a service spec or label');

    swarm(['create', '--cluster', name, '--yes', '--tunnel']);
    swarm(['status', '--cluster', name, '--tunnel']);
    swarm(['check', '--cluster', name, '--tunnel']);

    // The application user, its password read from its secret: its keys yes, the rest no.
    const asApp = (args: readonly string[], input = ''): string => swarm(['cli', '--cluster', name, '--user', 'app', ...args], input).stdout;
    const keys = Array.from({ length: 50 }, (_, i) => `app:${i}`);
    assert.deepEqual(replies(asApp(['-c'], keys.map((k) => `SET ${k} v-${k}\n`).join(''))), keys.map(() => 'OK'));
    for (const cmd of [['CLUSTER', 'INFO'], ['CONFIG', 'GET', 'maxmemory'], ['FLUSHALL'], ['-c', 'GET', 'other:1']]) {
      assert.match(asApp(cmd), /^NOPERM /, `the application user ran ${cmd.join(' ')}`);
    }
    // The operator follows redirects through the tunnels (EXISTS is one of its commands).
    const exists = swarm(['cli', '--cluster', name, '-c'], keys.map((k) => `EXISTS ${k}\n`).join('')).stdout;
    assert.deepEqual(replies(exists), keys.map(() => '1'), 'cli -c as the operator found every key');

    // port-forward listens on loopback only, and the real redis-cli through it is refused as ours is.
    const forward = spawn(BIN, ['port-forward', '--cluster', name, '--json'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let out = '';
        const timer = setTimeout(() => reject(new Error(`port-forward printed no mapping: ${out}`)), BOUND_MS);
        forward.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (out.includes('\n')) {
            clearTimeout(timer);
            resolve(out.split('\n')[0] as string);
          }
        });
      });
      const forwards = (JSON.parse(line) as { forwards: { local: string }[] }).forwards;
      assert.equal(forwards.length, 3);
      const listening = execFileSync('ss', ['-ltnH'], { encoding: 'utf8' });
      for (const f of forwards) {
        assert.match(f.local, /^127\.0\.0\.1:\d+$/);
        const port = f.local.split(':')[1] as string;
        const sockets = listening.split('\n').filter((l) => new RegExp(`:${port}\\s`).test(l));
        assert.deepEqual(sockets.map((l) => (l.trim().split(/\s+/)[3] as string)), [f.local], `port ${port} listens on ${sockets.join('; ')}`);
      }
      const port = (forwards[0]?.local ?? '').split(':')[1] as string;
      for (const cmd of [['CONFIG', 'GET', 'maxmemory'], ['FLUSHALL']]) {
        const args = ['--user', 'app', '-a', app.password, ...cmd];
        const theirs = run('redis-cli', ['-p', port, ...args]);
        const ours = run(BIN, ['cli', '--cluster', name, '--node', '1', ...args]);
        assert.match(theirs.stdout, /^NOPERM /);
        assert.equal(ours.stdout, theirs.stdout, `${cmd.join(' ')}: our cli differs from redis-cli`);
        assert.equal(ours.stderr, theirs.stderr, `${cmd.join(' ')}: our -a warning differs from redis-cli's`);
      }
    } finally {
      forward.kill('SIGINT');
      await new Promise((resolve) => forward.once('close', resolve));
    }

    // Scale out with a replica: it syncs with its master, logged in as the operator (masteruser).
    swarm(['add-node', '--cluster', name, '--yes']);
    const nodesText = (): string => swarm(['cli', '--cluster', name, '--user', 'audit', 'CLUSTER', 'NODES']).stdout;
    const replicaLine = nodesText().split('\n').find((l) => /\bslave\b/.test(l));
    assert.ok(replicaLine, `add-node made no replica:\n${nodesText()}`);
    const replicaId = replicaLine.split(' ')[0] as string;
    const oldMaster = replicaLine.split(' ')[3] as string;
    swarm(['failover', '--cluster', name, replicaId]);
    swarm(['reshard', '--cluster', name, '--to', replicaId, '--slots', '200', '--yes']);
    swarm(['heal', '--cluster', name, '--yes']);
    swarm(['del-node', '--cluster', name, oldMaster, '--yes']);
    swarm(['check', '--cluster', name]);
    assert.deepEqual(replies(asApp(['-c'], keys.map((k) => `GET ${k}\n`).join(''))), keys.map((k) => `v-${k}`), 'the keys survived the moves');

    const denied = [1, 2, 3].flatMap((node) => {
      const log = swarm(['cli', '--cluster', name, '--node', String(node), '--user', 'audit', 'ACL', 'LOG']).stdout;
      return log.includes('redis-swarm') ? [log] : [];
    });
    assert.deepEqual(denied, [], 'a node denied the operator a command');

    swarm(['destroy', '--cluster', name, '--volumes']);
    const secrets = execFileSync('docker', ['secret', 'ls', '--format', '{{.Name}}'], { encoding: 'utf8' }).split('\n').filter((s) => s.startsWith(name));
    assert.deepEqual(secrets, [], 'destroy left secrets');
  });
});
