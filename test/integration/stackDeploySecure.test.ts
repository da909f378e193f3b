/**
 * A TLS cluster with ACL users, written by `deploy --stack-file --tls --user …` and deployed with
 * the real `docker stack deploy`: writing the file creates the secrets and certificate configs
 * the file names as external (and nothing else; no key or password lands in a file), a failure
 * part-way leaves nothing, a second run refuses the taken names, and the stack's cluster is formed
 * with `create`, passes `check` and serves the application user over TLS through `cli`. After
 * `destroy --keep-ca` the file is written again with the kept CA, and `destroy --volumes` leaves
 * nothing. Nodes are reached only through Docker API tunnels. Needs `npm run build` (dist/cli.js).
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { type Run } from '../support/runProcess';
import { expectOk, runBounded, runCliBounded, sweepStack, waitStackCluster } from '../support/stackRun';
import { TEST_IMAGE, leftovers, runPrefix } from '../support/swarm';

const NODES = 3;
/** No password from this shell: ACL users' passwords come from their secrets. */
const NO_PASSWORD: NodeJS.ProcessEnv = { REDISCLI_AUTH: undefined, REDIS_SWARM_PASSWORD: undefined };
const cli = (...args: string[]): Promise<Run> => runCliBounded(args, NO_PASSWORD);

describe('a TLS cluster with ACL users deployed from a stack file with docker stack deploy', { timeout: 900_000 }, () => {
  const prefix = runPrefix('stk');
  // Starts with the prefix, so sweep also finds the stack's services (`<stack>_<prefix>-1`).
  const stack = `${prefix}st`;
  const dir = mkdtempSync(path.join(tmpdir(), `${prefix}-`));
  const file = path.join(dir, 'cluster.yml');
  const deployArgs = [
    'deploy', '--name', prefix, '--image', TEST_IMAGE, '--network', `${prefix}-net`, '--nodes', String(NODES), '--replicas', '0', '--node-timeout', '2000',
    '--tls', '--user', 'app:app:*:+@read,+@write',
  ];

  after(() => sweepStack(stack, prefix, dir));

  it('creates only the secrets and certificate configs, deploys with docker stack deploy, forms, checks, serves the user over TLS, and destroys', async () => {
    // A file that cannot be written: what was created for it is removed again.
    const failed = await cli(...deployArgs, '--stack-file', path.join(dir, 'no-such-dir', 'cluster.yml'));
    assert.notEqual(failed.status, 0, `a stack file in a missing directory should fail:\n${failed.stdout}`);
    assert.deepEqual(leftovers(prefix), [], 'a failed deploy --stack-file left objects behind');

    const written = await cli(...deployArgs, '--stack-file', file, '--json');
    expectOk(written, 'deploy --stack-file --tls --user');
    const out = JSON.parse(written.stdout) as { created?: { configs: string[]; secrets: string[] }; operatorUser?: string; userSecrets?: { user: string; secret: string }[] };
    assert.ok(out.created, `deploy --stack-file says what it created:\n${written.stdout}`);
    assert.equal(out.operatorUser, 'redis-swarm');
    assert.deepEqual(out.userSecrets, [{ user: 'app', secret: `${prefix}-user-app` }]);
    // The secrets (auth, the user's, the CA key, a key per node) and certificate configs (CA, one per node); nothing else.
    assert.equal(out.created.secrets.length, 3 + NODES, `secrets: ${out.created.secrets.join(', ')}`);
    assert.equal(out.created.configs.length, 1 + NODES, `configs: ${out.created.configs.join(', ')}`);
    assert.deepEqual(
      leftovers(prefix).sort(),
      [...out.created.secrets.map((s) => `secret ${s}`), ...out.created.configs.map((c) => `config ${c}`)].sort(),
      'deploy --stack-file created exactly what it says, and no service, network or volume',
    );
    const yaml = readFileSync(file, 'utf8');
    const conf = readFileSync(path.join(dir, `${prefix}-redis.conf`), 'utf8');
    for (const text of [yaml, conf]) assert.doesNotMatch(text, /PRIVATE KEY|masterauth|requirepass|#[0-9a-f]{64}/, 'no key, password or password hash in the files');
    assert.match(conf, /^tls-port 6379$/m);
    assert.match(conf, /^port 0$/m);

    // The same again: the names are taken, so it refuses and creates nothing more.
    const again = await cli(...deployArgs, '--stack-file', path.join(dir, 'again.yml'));
    assert.notEqual(again.status, 0, `a second deploy --stack-file of the same cluster should refuse:\n${again.stdout}`);
    assert.match(again.stderr, /already exist/);
    assert.equal(leftovers(prefix).length, out.created.secrets.length + out.created.configs.length, 'the refused run created nothing');

    expectOk(await runBounded('docker', ['stack', 'deploy', '-c', file, '--resolve-image', 'never', stack], { cwd: dir }), 'docker stack deploy');
    const cluster = await waitStackCluster(prefix, NODES);
    assert.equal(cluster.stack, stack);
    assert.equal(cluster.tls, 'generated', 'the cluster is known to speak TLS');

    expectOk(await cli('create', '--cluster', prefix, '--yes'), 'create');
    expectOk(await cli('check', '--cluster', prefix), 'check');

    // TLS only: the operator (redis-swarm's own login, read from the auth secret) sees port 0.
    const ports = await cli('cli', '--cluster', prefix, '--node', '1', 'CONFIG', 'GET', '*port');
    expectOk(ports, 'cli CONFIG GET *port');
    assert.match(ports.stdout, /^port\n0$/m, `plain port off:\n${ports.stdout}`);
    assert.match(ports.stdout, /^tls-port\n6379$/m, `tls-port on:\n${ports.stdout}`);

    // The application user, over TLS, within its key patterns; refused outside them.
    const asApp = (...args: string[]): Promise<Run> => cli('cli', '--cluster', prefix, '--user', 'app', '-c', ...args);
    for (const key of ['app:a', 'app:b', 'app:c']) expectOk(await asApp('SET', key, `v-${key}`), `cli --user app SET ${key}`);
    const got = await asApp('GET', 'app:b');
    expectOk(got, 'cli --user app GET');
    assert.equal(got.stdout.trim(), 'v-app:b');
    const refused = await asApp('SET', 'other', '1');
    assert.match(`${refused.stdout}${refused.stderr}`, /NOPERM/, `the user's patterns refuse other keys:\n${refused.stdout}${refused.stderr}`);

    // destroy --keep-ca keeps only the CA; writing the file again signs with it, as deploy does.
    expectOk(await cli('destroy', '--cluster', prefix, '--volumes', '--keep-ca'), 'destroy --keep-ca');
    const kept = leftovers(prefix);
    assert.deepEqual(kept.map((x) => x.split(' ')[0]).sort(), ['config', 'secret'], `destroy --keep-ca left the CA only: ${kept.join(', ')}`);
    const rewritten = await cli(...deployArgs, '--stack-file', file, '--json');
    expectOk(rewritten, 'deploy --stack-file with a kept CA');
    const re = JSON.parse(rewritten.stdout) as { created: { configs: string[]; secrets: string[]; reusedCa?: string } };
    assert.ok(kept.includes(`config ${re.created.reusedCa ?? '?'}`), `the kept CA signed the certificates: ${rewritten.stdout}`);
    assert.equal(re.created.configs.length, NODES, 'no new CA config');
    assert.equal(re.created.secrets.length, 2 + NODES, 'no new CA key');
    assert.ok(readFileSync(file, 'utf8').includes(`name: ${re.created.reusedCa ?? '?'}`), 'the file names the kept CA');

    // destroy removes what deploy --stack-file created (no stack was deployed this time), the CA too.
    expectOk(await cli('destroy', '--cluster', prefix, '--volumes'), 'destroy');
    assert.deepEqual(leftovers(prefix), [], 'destroy left nothing with the prefix (services, networks, configs, secrets, volumes)');
  });
});
