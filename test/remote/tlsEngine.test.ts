/**
 * `tcp://…:2376` with TLS for real: a Docker-in-Docker node of scripts/multinode.sh (MN_TLS=1,
 * a prefix of this run's own and a free 172.30.x.0/24 on an --internal bridge, so two runs never
 * collide) runs its own single-node swarm and
 * serves its API with --tlsverify and certificates the bed generated. Every verb runs through
 * DOCKER_HOST + DOCKER_TLS_VERIFY + DOCKER_CERT_PATH, a context with SkipTLSVerify works, each
 * certificate problem says so in one sentence, and the API cut off mid-reshard leaves nothing
 * fix cannot finish. The bed (node, volume, network, image, certificates) is removed
 * afterwards. Needs `npm run build` and root.
 */
import { strict as assert } from 'node:assert';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { cli, countKeys, deployFilled, exerciseEngine, nodeId, ok, oneSentence, start } from '../support/remoteScenario';
import { runProcess } from '../support/runProcess';
import { TEST_IMAGE, runPrefix } from '../support/swarm';
import { freeBedSubnet } from '../support/multinode';

const PREFIX = `rsmnr${randomBytes(3).toString('hex')}`;
const SUBNET = freeBedSubnet(60, 119);
const BED = { MN_PREFIX: PREFIX, MN_SUBNET: SUBNET, MN_TLS: '1', MN_HEARTBEAT: '1s' };
const NODE = `${PREFIX}-1`;
const HOST = `tcp://${SUBNET}.11:2376`;
const TLS_DIR = `/run/redis-swarm-${PREFIX}/tls`;
const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** HOST as a regular expression. */
const HOST_RE = escapeRe(HOST);

async function bed(verb: 'up' | 'down'): Promise<void> {
  const r = await runProcess('bash', ['scripts/multinode.sh', verb, ...(verb === 'up' ? ['--nodes', '1'] : [])], {
    boundMs: 240_000,
    env: { ...process.env, ...BED },
  });
  assert.equal(r.status, 0, `multinode.sh ${verb}:\n${r.stdout}\n${r.stderr}`);
}

function tlsEnv(certDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { ...process.env, DOCKER_HOST: HOST, DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: join(TLS_DIR, certDir), DOCKER_CONTEXT: '', ...extra };
}

/** A Docker context as `docker context create` writes it: meta.json and the TLS files beside. */
function writeContext(configDir: string, name: string, files: { ca: string; cert: string; key: string }, skipTlsVerify: boolean): void {
  const id = createHash('sha256').update(name).digest('hex');
  const meta = join(configDir, 'contexts', 'meta', id);
  mkdirSync(meta, { recursive: true });
  writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Metadata: {}, Endpoints: { docker: { Host: HOST, SkipTLSVerify: skipTlsVerify } } }));
  const tls = join(configDir, 'contexts', 'tls', id, 'docker');
  mkdirSync(tls, { recursive: true });
  copyFileSync(files.ca, join(tls, 'ca.pem'));
  copyFileSync(files.cert, join(tls, 'cert.pem'));
  copyFileSync(files.key, join(tls, 'key.pem'));
}

describe('a swarm manager reached over TCP with TLS (DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, a SkipTLSVerify context)', { timeout: 900_000 }, () => {
  const prefix = runPrefix('rem');
  const dockerConfig = mkdtempSync(join(tmpdir(), 'rs-tls-dockercfg-'));
  before(async () => {
    await bed('up');
  });
  after(async () => {
    await bed('down');
    rmSync(dockerConfig, { recursive: true, force: true });
  });

  it('runs doctor, deploy, create, status, the REPL, port-forward, a reshard, heal and destroy over TLS', async () => {
    const env = tlsEnv('client');
    const name = `${prefix}a`;
    await exerciseEngine(name, TEST_IMAGE, env, new RegExp(`${HOST_RE} \\(from DOCKER_HOST\\)`));
    await ok(['destroy', '--cluster', name, '--volumes'], env);
  });

  it('trusts any server certificate in a context with SkipTLSVerify, and only its CA without', async () => {
    const other = { ca: join(TLS_DIR, 'otherca.pem'), cert: join(TLS_DIR, 'client', 'cert.pem'), key: join(TLS_DIR, 'client', 'key.pem') };
    writeContext(dockerConfig, 'rs-tls-skip', other, true);
    writeContext(dockerConfig, 'rs-tls-strict', other, false);
    const ctx = (name: string): NodeJS.ProcessEnv => ({ ...process.env, DOCKER_HOST: '', DOCKER_TLS_VERIFY: '', DOCKER_CERT_PATH: '', DOCKER_CONFIG: dockerConfig, DOCKER_CONTEXT: name });
    const skip = await ok(['doctor'], ctx('rs-tls-skip'));
    assert.match(skip, new RegExp(`${HOST_RE} \\(from Docker context "rs-tls-skip"\\)`), skip);
    const strict = await cli(['doctor'], ctx('rs-tls-strict'));
    assert.notEqual(strict.status, 0);
    assert.match(oneSentence(strict.stderr), /context "rs-tls-strict"\) presented a certificate that your ca\.pem does not vouch for/);
  });

  it('names an expired client certificate, one from another CA, and a missing one, each in one sentence', async () => {
    const expired = await cli(['doctor'], tlsEnv('client-expired'));
    assert.notEqual(expired.status, 0);
    assert.match(oneSentence(expired.stderr), new RegExp(`The client certificate ${escapeRe(TLS_DIR)}/client-expired/cert\\.pem expired on \\d{4}-\\d\\d-\\d\\d: ask for a new one`));

    const otherCa = await cli(['doctor'], tlsEnv('client-otherca'));
    assert.notEqual(otherCa.status, 0);
    assert.match(oneSentence(otherCa.stderr), /refused the client certificate \(not signed by the CA it trusts\)/);

    // Only the CA: TLS without a client certificate, which --tlsverify refuses.
    const caOnly = mkdtempSync(join(tmpdir(), 'rs-tls-caonly-'));
    try {
      copyFileSync(join(TLS_DIR, 'ca.pem'), join(caOnly, 'ca.pem'));
      const none = await cli(['doctor'], tlsEnv('client', { DOCKER_CERT_PATH: caOnly }));
      assert.notEqual(none.status, 0);
      assert.match(oneSentence(none.stderr), /requires a client certificate and none was offered/);
    } finally {
      rmSync(caOnly, { recursive: true, force: true });
    }
  });

  it('says the engine was lost when its API is cut off mid-reshard, and fix, check and destroy finish afterwards', async () => {
    const env = tlsEnv('client');
    const name = `${prefix}d`;
    const keys = await deployFilled(name, TEST_IMAGE, env, 10_000);
    const to = await nodeId(name, 1, env);
    const reshard = start(['reshard', '--cluster', name, '--to', to, '--slots', '8000', '--yes'], env);
    // The node's firewall resets every packet to its API port, established connections
    // included: to this client the engine has gone (the tasks keep running, as they would
    // behind a link that failed).
    const cut = ['exec', NODE, 'iptables', '-I', 'INPUT', '-p', 'tcp', '--dport', '2376', '-j', 'REJECT', '--reject-with', 'tcp-reset'];
    try {
      await reshard.waitFor(/moved \d+\/8000 slots/, 120_000);
      const cutOff = await runProcess('docker', cut, { boundMs: 60_000 });
      assert.equal(cutOff.status, 0, cutOff.stderr);
      const code = await reshard.exit(120_000);
      assert.notEqual(code, 0, reshard.output());
      const last = reshard.output().trim().split('\n').at(-1) ?? '';
      assert.match(last, new RegExp(`^redis-swarm reshard: Lost the Docker engine mid-operation \\(Cannot reach the Docker engine at ${HOST_RE} \\(from DOCKER_HOST\\): .*\\); once it answers again, \x60redis-swarm fix --cluster \\S+\x60 then \x60heal --cluster \\S+\x60 finish what was cut off\\.$`), reshard.output());
    } finally {
      reshard.kill();
      await runProcess('docker', ['exec', NODE, 'iptables', '-D', ...cut.slice(4)], { boundMs: 60_000 });
    }
    // What the cut left (slots open between two masters) is finished by fix; nothing is lost.
    await ok(['fix', '--cluster', name, '--yes'], env);
    await ok(['check', '--cluster', name], env);
    assert.equal(await countKeys(name, 3, env), keys);
    await ok(['destroy', '--cluster', name, '--volumes'], env);
  });
});
