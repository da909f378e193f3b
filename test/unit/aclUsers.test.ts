import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { OPERATOR_COMMANDS, operatorAclRules, parseUserSpec, passwordHashRule, validateUsers } from '../../src/core/swarm/aclUsers';
import { DEPLOY_DEFAULTS, type DeployOptions } from '../../src/core/swarm/deployOptions';
import { planDeploy } from '../../src/core/swarm/deploy';
import { splitConfArgs } from '../../src/core/swarm/confArgs';
import { isBadInputError, isNotFoundError } from '../../src/core/errors';
import { readClusterCredentials, resolveCredentials } from '../../src/core/swarm/auth';
import { planTerminalLogin } from '../../src/core/swarm/terminalLogin';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { type Engine } from '../../src/core/docker/engine';

const opts = (extra: Partial<DeployOptions> = {}): DeployOptions => ({ ...DEPLOY_DEFAULTS, network: 'redis-net', ...extra });

/** The core's sources, outside the REPL (which sends what the user types). */
function coreSources(dir = join(__dirname, '../../../src/core')): string {
  return readdirSync(dir)
    .flatMap((f) => {
      const p = join(dir, f);
      if (statSync(p).isDirectory()) return f === 'repl' ? [] : [coreSources(p)];
      return f.endsWith('.ts') ? [readFileSync(p, 'utf8')] : [];
    })
    .join('\n');
}

describe('ACL users (no Docker)', () => {
  it('reads NAME:KEYPATTERNS:CATEGORIES with colons inside the key patterns', () => {
    assert.deepEqual(parseUserSpec('app:app:*,session:*:+@read,+@write'), {
      name: 'app',
      keyPatterns: ['~app:*', '~session:*'],
      commandRules: ['+@read', '+@write', '-@dangerous'],
    });
    assert.deepEqual(parseUserSpec('ro:%R~cache:*:read,-keys').commandRules, ['+@read', '-keys', '-@dangerous']);
    assert.deepEqual(parseUserSpec('admin:*:+@all,+@dangerous').commandRules, ['+@all', '+@dangerous'], 'dangerous commands asked for by name are kept');
    assert.deepEqual(parseUserSpec('ro:%R~cache:*:read').keyPatterns, ['%R~cache:*']);
  });

  it('refuses specs that would make a wrong or dangerous user, in one sentence each', () => {
    for (const bad of ['app', 'app:+@read', 'default:*:+@all', 'a b:*:+@read', 'app::+@read', 'app:*:', 'app:*:+@read all', 'app:k y:+@read', 'app:a"b:+@read', "app:a'b:+@read", 'app:a\\b:+@read']) {
      assert.throws(() => parseUserSpec(bad), (err: unknown) => isBadInputError(err), `"${bad}" was accepted`);
    }
    assert.throws(() => validateUsers('redis-swarm', [parseUserSpec('redis-swarm:*:+@all')]), /operator/);
    assert.throws(() => validateUsers('op', [parseUserSpec('a:*:+@read'), parseUserSpec('a:x:+@read')]), /twice/);
  });

  it('writes the users into the secret only: default off, hashed app passwords, the operator as masteruser', () => {
    const plan = planDeploy(opts({ name: 'c', password: 'op-pw', acl: { operator: 'ops', users: [parseUserSpec('app:app:*:+@read,+@write')] } }));
    assert.equal(plan.secretName, 'c-auth');
    assert.match(plan.configText, /^include \/run\/secrets\/c-auth$/m);
    const secret = plan.secretText ?? '';
    const lines = secret.trimEnd().split('\n').map((l) => splitConfArgs(l));
    assert.deepEqual(lines[0], ['user', 'default', 'off', 'resetpass', 'resetkeys', 'resetchannels', '-@all']);
    assert.deepEqual(lines[1], ['user', 'ops', 'reset', 'on', passwordHashRule('op-pw'), ...operatorAclRules()]);
    const [app] = plan.userSecrets;
    assert.ok(app && app.name === 'c-user-app' && app.password.length >= 40, 'the app password is generated, long, in its own secret');
    assert.deepEqual(lines[2], ['user', 'app', 'reset', 'on', passwordHashRule(app.password), 'resetchannels', '~app:*', '+@read', '+@write', '-@dangerous']);
    assert.ok(!secret.includes(app.password), 'the application password is in clear in the shared secret');
    assert.deepEqual(lines.slice(3), [['masteruser', 'ops'], ['masterauth', 'op-pw']]);
    assert.ok(!/requirepass/.test(secret), 'requirepass would give the default user a password');
    assert.ok(!plan.configText.includes('op-pw'));
  });

  it('generates the operator password when none is given, and publishing with users needs no other password', () => {
    const plan = planDeploy(opts({ publishBase: 7001, acl: { operator: 'ops', users: [] } }));
    const auth = (plan.secretText ?? '').split('\n').map((l) => splitConfArgs(l)).find((l) => l[0] === 'masterauth');
    assert.ok(auth?.[1] && auth[1].length >= 40);
  });

  it('grants the operator no command the sources do not send (except those Redis sends as it: MIGRATE, replication)', () => {
    const src = coreSources();
    for (const { command, sentByRedis } of OPERATOR_COMMANDS) {
      if (sentByRedis) continue;
      const [head, sub] = command.toUpperCase().split('|');
      const pattern = sub !== undefined ? new RegExp(`'${head}',\\s*(?:\\[\\s*)?'${sub}'`) : new RegExp(`'${head}'`);
      assert.match(src, pattern, `the operator may run ${command}, which redis-swarm never sends`);
    }
  });

  it('grants the operator every CLUSTER, CONFIG and CLIENT subcommand the sources send', () => {
    const src = coreSources();
    const granted = new Set(OPERATOR_COMMANDS.map((c) => c.command));
    const sent = [...src.matchAll(/'(CLUSTER|CONFIG|CLIENT)',\s*(?:\[\s*)?'([A-Z-]+)'/g)].map((m) => `${(m[1] as string).toLowerCase()}|${(m[2] as string).toLowerCase()}`);
    assert.ok(sent.length > 20, 'the scan found too few commands to mean anything');
    const missing = [...new Set(sent)].filter((c) => !granted.has(c));
    assert.deepEqual(missing, [], `redis-swarm sends ${missing.join(', ')}, which the operator may not run`);
  });

  it('completes what the user gave: a password alone on a cluster with users is the operator\'s; a user keeps its name', async () => {
    // Nothing here reads a secret, so no engine is used.
    const engine = {} as Engine;
    const acl: SwarmCluster = { name: 'c', managed: true, mode: 'persistent', authSecret: 'c-auth', operatorUser: 'ops', appUsers: ['app'], nodes: [] };
    const plain: SwarmCluster = { name: 'p', managed: true, mode: 'persistent', authSecret: 'p-auth', nodes: [] };
    assert.deepEqual(await resolveCredentials(engine, acl, { password: 'x' }), { username: 'ops', password: 'x' });
    assert.deepEqual(await resolveCredentials(engine, acl, { username: 'app', password: 'y' }), { username: 'app', password: 'y' });
    assert.deepEqual(await resolveCredentials(engine, plain, { password: 'z' }), { password: 'z' });
    await assert.rejects(() => readClusterCredentials(engine, acl, 'stranger'), (err: unknown) => isNotFoundError(err) && /no user "stranger".*ops, app.*-a, --askpass or REDISCLI_AUTH/.test((err as Error).message));
  });
});

describe('the cluster terminal\'s login (no VS Code)', () => {
  const acl: SwarmCluster = { name: 'c', managed: true, mode: 'persistent', authSecret: 'c-auth', operatorUser: 'ops', appUsers: ['app', 'ro'], nodes: [] };
  const plain: SwarmCluster = { name: 'p', managed: true, mode: 'persistent', authSecret: 'p-auth', nodes: [] };

  it('asks which user only once: a remembered login is used as it is', () => {
    assert.deepEqual(planTerminalLogin(acl, undefined, undefined), {
      kind: 'pick-user',
      users: [
        { name: 'ops', role: 'operator' },
        { name: 'app', role: 'application' },
        { name: 'ro', role: 'application' },
      ],
    });
    assert.deepEqual(planTerminalLogin(acl, { username: 'app', password: 'pw' }, undefined), { kind: 'use', credentials: { username: 'app', password: 'pw' } });
  });

  it('without users: the login given at deploy, else the cluster\'s own', () => {
    assert.deepEqual(planTerminalLogin(plain, undefined, { password: 'given' }), { kind: 'use', credentials: { password: 'given' } });
    assert.deepEqual(planTerminalLogin(plain, undefined, undefined), { kind: 'cluster' });
  });
});
