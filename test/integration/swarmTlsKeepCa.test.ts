/**
 * `destroy --keep-ca` and a re-deploy on the real local swarm: the CA (certificate config and
 * key secret) outlives the cluster, a failed `deploy --tls` of the same name leaves it, the next
 * one signs its nodes with it (so clients that trust it keep working), and a plain destroy then
 * removes everything, the CA included. Three masters, no replicas: small and quick.
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { deployCluster } from '../../src/core/swarm/deploy';
import { DEPLOY_DEFAULTS } from '../../src/core/swarm/deployOptions';
import { TEST_IMAGE, leftovers, localEngine, runPrefix, sweep } from '../support/swarm';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
/** Bound for one CLI run. */
const RUN_TIMEOUT_MS = 180_000;
const ENV = { ...process.env, DOCKER_HOST: '' };

function ours(args: readonly string[]): { out: string; status: number | null } {
  const r = spawnSync('node', [BIN, ...args], { timeout: RUN_TIMEOUT_MS, encoding: 'utf8', env: ENV });
  return { out: `${r.stdout}${r.stderr}`, status: r.status };
}

function docker(args: readonly string[]): string {
  return spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();
}

function configText(name: string): string {
  return Buffer.from(docker(['config', 'inspect', '--format', '{{json .Spec.Data}}', name]).replace(/"/g, ''), 'base64').toString('utf8');
}

function names(kind: 'config' | 'secret', prefix: string): string[] {
  return docker([kind, 'ls', '--format', '{{.Name}}']).split('\n').filter((n) => n.startsWith(prefix)).sort();
}

describe('destroy --keep-ca, then deploy --tls of the same name reuses the CA', { timeout: 600_000 }, () => {
  const prefix = runPrefix('tlsca');
  const name = `${prefix}c`;
  const network = `${prefix}-net`;
  const deployArgs = ['deploy', '--name', name, '--nodes', '3', '--replicas', '0', '--image', TEST_IMAGE, '--network', network, '--node-timeout', '2000', '--tls'];
  let caConfig = '';
  let caPem = '';

  after(async () => {
    await sweep(prefix);
  });

  it('destroy --keep-ca keeps the CA certificate config and key secret, and nothing else', () => {
    const deployed = ours(deployArgs);
    assert.equal(deployed.status, 0, `deploy: ${deployed.out}`);
    assert.match(deployed.out, /a new CA signed/);
    const cas = names('config', `${name}-tls-ca-`);
    assert.equal(cas.length, 1, `one CA config: ${cas.join(', ')}`);
    caConfig = cas[0] ?? '';
    caPem = configText(caConfig);
    const destroyed = ours(['destroy', '--cluster', name, '--volumes', '--keep-ca']);
    assert.equal(destroyed.status, 0, `destroy: ${destroyed.out}`);
    assert.match(destroyed.out, /Kept the TLS CA/);
    assert.deepEqual(leftovers(prefix).sort(), [`config ${caConfig}`, `secret ${name}-tls-ca-key`].sort());
  });

  it('a deploy that fails after reading the kept CA removes what it made and leaves the CA', async () => {
    const failed = deployCluster(
      localEngine(),
      { ...DEPLOY_DEFAULTS, name, nodes: 3, replicas: 0, image: TEST_IMAGE, network, nodeTimeoutMs: 2000, tls: { source: 'generate' } },
      // Tasks cannot be running within 1 ms: deploy fails after creating its objects.
      { tasksTimeoutMs: 1 },
    );
    await assert.rejects(failed);
    assert.deepEqual(leftovers(prefix).sort(), [`config ${caConfig}`, `secret ${name}-tls-ca-key`].sort());
  });

  it('deploy --tls again signs the new nodes\' certificates with the kept CA; create forms the cluster', () => {
    const deployed = ours(deployArgs);
    assert.equal(deployed.status, 0, `deploy: ${deployed.out}`);
    assert.match(deployed.out, new RegExp(`the CA kept by destroy --keep-ca \\(${caConfig}\\)`));
    assert.deepEqual(names('config', `${name}-tls-ca-`), [caConfig], 'the same CA config, not a new one');
    assert.equal(configText(caConfig), caPem);
    const ca = new X509Certificate(caPem);
    const certs = names('config', `${name}-`).filter((c) => c.includes('-tls-cert-'));
    assert.equal(certs.length, 3, `one certificate per node: ${certs.join(', ')}`);
    for (const c of certs) assert.ok(new X509Certificate(configText(c)).verify(ca.publicKey), `${c} is signed by the kept CA`);
    const created = ours(['create', '--cluster', name, '--yes']);
    assert.equal(created.status, 0, `create: ${created.out}`);
  });

  it('a plain destroy then removes everything, the CA included', () => {
    const destroyed = ours(['destroy', '--cluster', name, '--volumes']);
    assert.equal(destroyed.status, 0, `destroy: ${destroyed.out}`);
    assert.deepEqual(leftovers(prefix), []);
  });
});
