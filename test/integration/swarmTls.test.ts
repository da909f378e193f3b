/**
 * A TLS cluster on the real local swarm, end to end: `deploy --tls` (keys only in secrets),
 * `create`, `check` (certificate expiry), the REPL through a Docker API tunnel (TLS relayed end
 * to end, the node's name checked), `heal` after a task is killed, `reshard`, `add-node`, `rotate-certs`
 * under a bounded writer with zero refused commands, and `destroy` leaving nothing. The writer
 * reaches the nodes through ports published in this helper's block (26340-26346), which stay
 * put while tasks restart.
 */
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Cluster } from 'ioredis';
import { X509Certificate } from 'node:crypto';
import { deployCluster } from '../../src/core/swarm/deploy';
import { DEPLOY_DEFAULTS, type DeployOptions } from '../../src/core/swarm/deployOptions';
import { findSwarmCluster } from '../../src/core/swarm/discover';
import { readClusterTls } from '../../src/core/swarm/clusterTls';
import { SwarmModelReader } from '../../src/core/model/swarmModelReader';
import { SwarmRouter } from '../../src/core/swarm/swarmRouter';
import { describeCluster, describeMaster } from '../../src/core/model/describeNodes';
import { startWriter, verifyAcked } from '../support/opsWriter';
import { TEST_IMAGE, leftovers, localEngine, runPrefix, sweep } from '../support/swarm';
import { followMovedThroughNatMap } from '../support/natMapMoved';

const PUBLISH_BASE = 26340;
/** port-forward's local ports: 26350-26356. */
const FORWARD_BASE = 26350;
const NODES = 6;
const PASSWORD = 'tls-and-a-password';
const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
/** Bound for one CLI run (rotate-certs restarts six tasks one by one). */
const RUN_TIMEOUT_MS = 400_000;
const ENV = { ...process.env, DOCKER_HOST: '', REDISCLI_AUTH: PASSWORD };

function ours(args: readonly string[], input = ''): { out: string; stdout: string; status: number | null } {
  const r = spawnSync('node', [BIN, ...args], { input, timeout: RUN_TIMEOUT_MS, encoding: 'utf8', env: ENV });
  return { out: `${r.stdout}${r.stderr}`, stdout: r.stdout, status: r.status };
}

function docker(args: readonly string[]): string {
  const r = spawnSync('docker', args, { encoding: 'utf8' });
  return r.stdout.trim();
}

describe('a TLS cluster on the swarm: deploy, create, check, REPL, heal, reshard, add-node, rotate-certs, destroy', { timeout: 900_000 }, () => {
  const prefix = runPrefix('tls');
  const name = `${prefix}c`;

  before(async () => {
    const options: DeployOptions = {
      ...DEPLOY_DEFAULTS,
      name,
      nodes: NODES,
      replicas: 1,
      image: TEST_IMAGE,
      network: `${prefix}-net`,
      nodeTimeoutMs: 2000,
      password: PASSWORD,
      publishBase: PUBLISH_BASE,
      tls: { source: 'generate' },
    };
    await deployCluster(localEngine(), options);
  });

  after(async () => {
    await sweep(prefix);
  });

  it('deploy --tls keeps every private key in a secret and runs TLS only', () => {
    const configs = docker(['config', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix));
    for (const c of configs) {
      const data = Buffer.from(docker(['config', 'inspect', '--format', '{{json .Spec.Data}}', c]).replace(/"/g, ''), 'base64').toString('utf8');
      assert.doesNotMatch(data, /PRIVATE KEY/, `config ${c} must hold no private key`);
    }
    assert.ok(configs.filter((c) => c.includes('-tls-cert-')).length === NODES, 'one certificate config per node');
    const secrets = docker(['secret', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix));
    assert.equal(secrets.filter((s) => s.includes('-tls-key-')).length, NODES, 'one key secret per node');
    assert.ok(secrets.includes(`${name}-tls-ca-key`), 'the CA key is a secret');
    const mounted = docker(['service', 'inspect', '--format', '{{json .Spec.TaskTemplate.ContainerSpec.Secrets}}', `${name}-1`]);
    assert.doesNotMatch(mounted, /tls-ca-key/, 'no node mounts the CA key');
    // Plain text to a published port gets nowhere: the node listens for TLS only.
    const plain = spawnSync('redis-cli', ['-p', String(PUBLISH_BASE), '-a', PASSWORD, '--no-auth-warning', 'ping'], { encoding: 'utf8' });
    assert.notEqual(plain.stdout.trim(), 'PONG', 'a plain-text client must not get an answer');
  });

  it('create forms it over TLS; check and doctor report the certificates\' expiry', () => {
    const created = ours(['create', '--cluster', name, '--yes']);
    assert.equal(created.status, 0, `create: ${created.out}`);
    const checked = ours(['check', '--cluster', name]);
    assert.equal(checked.status, 0, `check: ${checked.out}`);
    assert.match(checked.out, new RegExp(`TLS certificates of ${NODES} node\\(s\\) valid until \\d{4}-\\d\\d-\\d\\d`));
 
    const doctor = ours(['doctor', '--json']);
    const certs = (JSON.parse(doctor.stdout) as { certificates: { cluster: string; kind: string; expiresAt: string }[] }).certificates.filter((c) => c.cluster === name);
    assert.equal(certs.filter((c) => c.kind === 'node').length, NODES, 'doctor lists every node certificate');
    assert.equal(certs.filter((c) => c.kind === 'ca').length, 1, 'doctor lists the CA');
    assert.ok(certs.every((c) => Date.parse(c.expiresAt) > Date.now()), 'with their expiry');
  });

  it('the VS Code model reads it over TLS: healthy, and the tooltips say when the certificates expire', async () => {
    const reader = new SwarmModelReader(localEngine(), { loginFor: async () => ({ password: PASSWORD }) });
    try {
      const model = await reader.read();
      const c = model.clusters.find((x) => x.name === name);
      assert.ok(c, 'the cluster is in the model');
      assert.equal(c.health, 'ok', `health: ${c.error ?? ''}`);
      assert.match(describeCluster(c).tooltip, /TLS: certificates from its own CA; the first certificate expires on \d{4}-\d\d-\d\d/);
      const shard = c.shards[0];
      assert.ok(shard);
      assert.match(describeMaster(c, shard).tooltip, /TLS certificate valid until \d{4}-\d\d-\d\d/);
    } finally {
      await reader.dispose();
    }
    // A long-lived router (the tree's) reads a cluster's TLS settings once, and again when the
    // cluster comes back with another CA (deployed again under the same name).
    const engine = localEngine();
    const cluster = await findSwarmCluster(engine.docker, name);
    assert.match(cluster.tlsCa ?? '', new RegExp(`^${name}-tls-ca-[0-9a-f]{10}$`), 'discovery names the CA config');
    const router = new SwarmRouter(engine, cluster);
    try {
      const first = router.tlsConfig();
      assert.equal(router.tlsConfig(), first, 'read once');
      router.update(cluster);
      assert.equal(router.tlsConfig(), first, 'the same CA keeps what was read');
      router.update({ ...cluster, tlsCa: `${name}-tls-ca-0000000000` });
      assert.notEqual(router.tlsConfig(), first, 'another CA is read anew');
      assert.ok((await router.tlsConfig())?.ca?.length, 'and read from a node');
    } finally {
      await router.dispose();
    }
  });

  it('the REPL works through Docker API tunnels, following redirects to nodes checked by their announced names', () => {
    const r = ours(['cli', '--cluster', name, '--tunnel', '-c'], 'set foo bar\nget foo\nset a 1\nget a\n');
    assert.equal(r.status, 0, r.out);
    assert.match(r.stdout, new RegExp(`-> Redirected to slot \\[\\d+\\] located at ${name}-\\d:6379`), 'a redirect to another node should be followed');
    assert.ok(r.stdout.endsWith('OK\nbar\nOK\n1\n') || /OK\n(?:-> .*\n)?bar\n(?:-> .*\n)?OK\n(?:-> .*\n)?1\n$/.test(r.stdout), `replies: ${JSON.stringify(r.stdout)}`);
  });

  it('port-forward relays TLS end to end: redis-cli --tls reaches a node under its own name', async () => {
    const engine = localEngine();
    const tls = await readClusterTls(engine, await findSwarmCluster(engine.docker, name));
    assert.ok(tls?.ca && tls.cert && tls.key);
    const dir = mkdtempSync(join(tmpdir(), 'redis-swarm-tls-pf-'));
    const forward = spawn('node', [BIN, 'port-forward', '--cluster', name, '--base', String(FORWARD_BASE), '--json'], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      writeFileSync(join(dir, 'ca.crt'), tls.ca.join(''));
      writeFileSync(join(dir, 'c.crt'), tls.cert);
      writeFileSync(join(dir, 'c.key'), tls.key, { mode: 0o600 });
      const line = await new Promise<string>((resolve, reject) => {
        let buf = '';
        const timer = setTimeout(() => reject(new Error(`port-forward printed no mapping: ${buf}`)), 60_000);
        forward.stdout.on('data', (c: Buffer) => {
          buf += c.toString();
          if (buf.includes('\n')) {
            clearTimeout(timer);
            resolve(buf);
          }
        });
      });
      assert.match(line, new RegExp(`127\\.0\\.0\\.1:${FORWARD_BASE}`));
      const tlsArgs = ['--tls', '--cacert', join(dir, 'ca.crt'), '--cert', join(dir, 'c.crt'), '--key', join(dir, 'c.key'), '-p', String(FORWARD_BASE), '-a', PASSWORD, '--no-auth-warning'];
      const pong = spawnSync('redis-cli', [...tlsArgs, '--sni', `${name}-1`, 'ping'], { encoding: 'utf8' });
      assert.equal(pong.stdout.trim(), 'PONG', `redis-cli --tls through the forward: ${pong.stdout}${pong.stderr}`);
      const ours1 = ours(['cli', ...tlsArgs.filter((a) => a !== '--no-auth-warning'), '--sni', `${name}-1`, '--no-auth-warning', 'ping']);
      assert.equal(ours1.stdout.trim(), 'PONG', `redis-swarm cli --tls --sni through the forward: ${ours1.out}`);
      const wrong = ours(['cli', ...tlsArgs, '--sni', `${name}-2`, 'ping']);
      assert.notEqual(wrong.stdout.trim(), 'PONG', 'a certificate is checked against the node\'s name: node 1 is not node 2');
    } finally {
      forward.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('heal brings a killed task back into the TLS cluster', () => {
    const container = docker(['ps', '-q', '--filter', `name=${name}-2.`]).split('\n')[0] ?? '';
    assert.notEqual(container, '', 'the task of node 2 should run');
    docker(['kill', container]);
    const healed = ours(['heal', '--cluster', name, '--yes']);
    assert.equal(healed.status, 0, `heal: ${healed.out}`);
    assert.equal(ours(['check', '--cluster', name]).status, 0, 'check after heal');
  });

  it('reshard moves slots over TLS', () => {
    const id = ours(['cli', '--cluster', name, '--node', '1', 'cluster', 'myid']).stdout.trim();
    assert.match(id, /^[0-9a-f]{40}$/);
    const r = ours(['reshard', '--cluster', name, '--to', id, '--slots', '50', '--yes']);
    assert.equal(r.status, 0, `reshard: ${r.out}`);
  });

  it('add-node gives the new node a certificate of its own, naming it', () => {
    const r = ours(['add-node', '--cluster', name, '--yes']);
    assert.equal(r.status, 0, `add-node: ${r.out}`);
    const certs = docker(['config', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(`${name}-${NODES + 1}-tls-cert-`));
    assert.equal(certs.length, 1, 'the new node has its own certificate config');
    const pem = Buffer.from(docker(['config', 'inspect', '--format', '{{json .Spec.Data}}', certs[0] as string]).replace(/"/g, ''), 'base64').toString('utf8');
    assert.equal(new X509Certificate(pem).checkHost(`${name}-${NODES + 1}`), `${name}-${NODES + 1}`);
    assert.equal(ours(['check', '--cluster', name]).status, 0, 'check after add-node (the new node is reached over TLS under its own name)');
  });

  it('rotate-certs gives every node a new certificate with no refused command from a writer meanwhile', async () => {
    const before = docker(['config', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(`${name}-`) && n.includes('-tls-cert-')).sort();
    const engine = localEngine();
    const tls = await readClusterTls(engine, await findSwarmCluster(engine.docker, name));
    assert.ok(tls?.ca && tls.cert && tls.key, 'the client certificate should be read from a node');
    const natMap = Object.fromEntries(Array.from({ length: NODES + 1 }, (_, i) => [`${name}-${i + 1}:6379`, { host: '127.0.0.1', port: PUBLISH_BASE + i }]));
    const client = followMovedThroughNatMap(new Cluster([{ host: '127.0.0.1', port: PUBLISH_BASE }], {
      natMap,
      scaleReads: 'master',
      redisOptions: {
        password: PASSWORD,
        // The chain is checked; the name is not (ioredis shares one TLS setting for every node).
        tls: { ca: [...tls.ca], cert: tls.cert, key: tls.key, checkServerIdentity: () => undefined },
        maxRetriesPerRequest: 20,
      },
    }));
    try {
      const writer = startWriter(client, { keys: 2000, workers: 4, maxOps: 200_000, prefix: 'rot' });
      const r = ours(['rotate-certs', '--cluster', name, '--yes']);
      const stats = await writer.stop();
      assert.equal(r.status, 0, `rotate-certs: ${r.out}`);
      assert.ok(stats.writes > 0, 'the writer should have written during the rotation');
      assert.deepEqual(stats.errors, [], 'no command may be refused while certificates rotate');
      assert.deepEqual(stats.staleReads, []);
      assert.deepEqual(await verifyAcked(client, writer.acked), [], 'every acknowledged write reads back');
    } finally {
      client.disconnect();
    }
    const after = docker(['config', 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(`${name}-`) && n.includes('-tls-cert-')).sort();
    assert.equal(after.length, NODES + 1, 'the old certificate configs are removed');
    assert.equal(after.filter((c) => before.includes(c)).length, 0, 'every node has a new certificate');
    assert.equal(ours(['check', '--cluster', name]).status, 0, 'check after rotation');
  });

  it('destroy removes the services, certificates, keys, network and volumes', () => {
    const r = ours(['destroy', '--cluster', name, '--volumes']);
    assert.equal(r.status, 0, r.out);
    assert.deepEqual(leftovers(prefix), []);
  });
});
