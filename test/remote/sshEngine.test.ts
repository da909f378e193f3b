/**
 * DOCKER_HOST=ssh://… for real: a test sshd on 127.0.0.1:26522 (Debian's openssh-server, own
 * config and host key) lets a key-only user reach this machine's engine with
 * `docker system dial-stdio`; every verb runs through it, through a Docker context too, and
 * each way ssh can fail says so in one sentence. Swarm objects are named with the run's prefix.
 * Needs `npm run build` (dist/cli.js) and root (the sshd and its user).
 */
import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type SshBed, startSshBed } from '../support/sshBed';
import { cli, countKeys, deployFilled, exerciseEngine, nodeId, ok, oneSentence, start } from '../support/remoteScenario';
import { TEST_IMAGE, leftovers, runPrefix, sweep } from '../support/swarm';

const SSH_PORT = 26522;

describe('a swarm manager reached over ssh (DOCKER_HOST=ssh://, a Docker context)', { timeout: 600_000 }, () => {
  let bed: SshBed | undefined;
  const prefix = runPrefix('rem');
  const dockerConfig = mkdtempSync(join(tmpdir(), 'rs-ssh-dockercfg-'));
  before(async () => {
    bed = await startSshBed(SSH_PORT);
  });
  after(async () => {
    await sweep(prefix);
    bed?.stop();
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  it('runs doctor, deploy, create, status, the REPL, port-forward, a reshard, heal and destroy over ssh', async () => {
    const env = bed!.env();
    const name = `${prefix}a`;
    await exerciseEngine(name, TEST_IMAGE, env, /ssh:\/\/rsremote@127\.0\.0\.1:26522 \(from DOCKER_HOST\)/);
    await ok(['destroy', '--cluster', name, '--volumes'], env);
    assert.deepEqual(leftovers(name), []);
  });

  it('finds the engine through a Docker context whose endpoint is ssh://', async () => {
    const id = createHash('sha256').update('rs-over-ssh').digest('hex');
    const meta = join(dockerConfig, 'contexts', 'meta', id);
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: 'rs-over-ssh', Metadata: {}, Endpoints: { docker: { Host: bed!.dockerHost, SkipTLSVerify: false } } }));
    const env = bed!.env({ DOCKER_HOST: '', DOCKER_CONFIG: dockerConfig, DOCKER_CONTEXT: 'rs-over-ssh' });
    const doctor = await ok(['doctor'], env);
    assert.match(doctor, /ssh:\/\/rsremote@127\.0\.0\.1:26522 \(from Docker context "rs-over-ssh"\)/, doctor);
  });

  it('says in one sentence that the host key is unknown, or that no key was accepted', async () => {
    const unknownHost = await cli(['doctor'], bed!.env({ REDIS_SWARM_SSH_CONFIG: bed!.variantConfig('unknown_host', { knownHosts: join(bed!.dir, 'none') }) }));
    assert.notEqual(unknownHost.status, 0);
    assert.match(oneSentence(unknownHost.stderr), /ssh host key of rsremote@127\.0\.0\.1 port 26522 is not in known_hosts/);

    // Another machine's key recorded for this address: the warning ssh prints in capitals.
    const other = join(bed!.dir, 'other_known_hosts');
    writeFileSync(other, `[127.0.0.1]:${SSH_PORT} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
    const changed = await cli(['doctor'], bed!.env({ REDIS_SWARM_SSH_CONFIG: bed!.variantConfig('changed_host', { knownHosts: other }) }));
    assert.notEqual(changed.status, 0);
    assert.match(oneSentence(changed.stderr), /ssh host key of .* differs from the one in known_hosts/);

    const missingKey = await cli(['doctor'], bed!.env({ REDIS_SWARM_SSH_CONFIG: bed!.variantConfig('missing_key', { identityFile: join(bed!.dir, 'no_such_key') }) }));
    assert.notEqual(missingKey.status, 0);
    assert.match(oneSentence(missingKey.stderr), /refused every key offered.*no_such_key does not exist/);
  });

  it('says the engine was lost when sshd and its sessions die mid-reshard, and fix, check and destroy finish afterwards', async () => {
    const env = bed!.env();
    const name = `${prefix}d`;
    const keys = await deployFilled(name, TEST_IMAGE, env, 10_000);
    const to = await nodeId(name, 1, env);
    const reshard = start(['reshard', '--cluster', name, '--to', to, '--slots', '8000', '--yes'], env);
    try {
      await reshard.waitFor(/moved \d+\/8000 slots/, 120_000);
      bed!.drop();
      const code = await reshard.exit(120_000);
      assert.notEqual(code, 0, reshard.output());
      const last = reshard.output().trim().split('\n').at(-1) ?? '';
      assert.match(last, /^redis-swarm reshard: Lost the Docker engine mid-operation \(ssh to rsremote@127\.0\.0\.1 port 26522 was refused: no sshd listens there\); once it answers again, `redis-swarm fix --cluster \S+` then `heal --cluster \S+` finish what was cut off\.$/, reshard.output());
    } finally {
      reshard.kill();
    }
    await bed!.restart();
    // What the cut left (slots open between two masters) is finished by fix, and nothing is lost.
    await ok(['fix', '--cluster', name, '--yes'], env);
    await ok(['check', '--cluster', name], env);
    assert.equal(await countKeys(name, 3, env), keys);
    await ok(['destroy', '--cluster', name, '--volumes'], env);
    assert.deepEqual(leftovers(name), []);
  });
});
