/**
 * ACL users on real loopback redis-servers (ports 26400-26405, bus 26450-26455) whose users are
 * exactly what deploy writes into a cluster's secret (renderAclSecret, included by each node).
 * Every redis-swarm verb that works on host:port nodes runs with only the operator user, and
 * afterwards no node's ACL LOG holds a denial of it; an application user cannot run CLUSTER,
 * CONFIG or FLUSHALL nor touch keys outside its patterns, and `cli` tells it exactly as
 * redis-cli does (the -a warning, --askpass, REDISCLI_AUTH included). The swarm side (heal,
 * add-node, del-node, destroy, secrets) is in swarmAcl.test.ts.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import calculateSlot from 'cluster-key-slot';
import { parseUserSpec } from '../../src/core/swarm/aclUsers';
import { renderAclSecret } from '../../src/core/swarm/redisConf';
import { type LoopbackNodes } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { BIN, type Ran, runLogin } from '../support/runLogin';

const BASE = 26400;
const OPERATOR = { name: 'ops', password: 'op-secret-1' };
const APP = { user: parseUserSpec('app:app:*:+@read,+@write'), password: 'app-secret-1' };
/** Only the test reads ACL LOG with it (the operator may not: it has no ACL command). */
const AUDITOR = 'auditor';
const AUDITOR_PASSWORD = 'audit-secret-1';
const BOUND_MS = 90_000;
/** Keys written before the moves: enough that 300 slots hold some. */
const KEYS = 3000;

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv = {}, input = ''): Ran {
  return runLogin(command, args, { env, input, boundMs: BOUND_MS });
}

/** redis-swarm logged in as the operator and nothing else. */
function asOperator(args: readonly string[]): Ran {
  const r = run(BIN, [...args], { REDISCLI_AUTH: OPERATOR.password });
  assert.equal(r.status, 0, `redis-swarm ${args.join(' ')} failed as the operator:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function auditor(port: number, args: readonly string[]): string {
  return run('redis-cli', ['-p', String(port), '--user', AUDITOR, '--no-auth-warning', '-a', AUDITOR_PASSWORD, ...args]).stdout;
}

describe('ACL users on loopback nodes', { timeout: 240_000 }, () => {
  let nodes: LoopbackNodes | undefined;
  let dir = '';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'redis-swarm-acl-'));
    const conf = join(dir, 'users.conf');
    writeFileSync(conf, renderAclSecret(OPERATOR, [APP]) + `user ${AUDITOR} on >${AUDITOR_PASSWORD} ~* &* +@all\n`);
    nodes = await startOpsNodes(BASE, 6, BASE + 50, ['--include', conf]);
  });

  after(async () => {
    await nodes?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs every host:port verb with only the operator user, and no node logs a denial of it', async () => {
    const ports = nodes?.ports ?? [];
    const seed = `127.0.0.1:${BASE}`;
    const login = ['--user', OPERATOR.name];
    // The default user is off: a node refuses anyone who has not logged in.
    assert.match(run('redis-cli', ['-p', String(BASE), 'PING']).stdout, /NOAUTH/);

    asOperator(['create', ...(nodes?.endpoints ?? []), '--replicas', '1', '--yes', ...login]);
    // Replicas log in to their masters as the operator (masteruser/masterauth): their links come up.
    for (let i = 0; i < 300; i++) {
      const up = ports.filter((p) => /master_link_status:up/.test(auditor(p, ['INFO', 'replication'])));
      const ok = ports.every((p) => /cluster_state:ok/.test(auditor(p, ['CLUSTER', 'INFO'])));
      if (up.length === 3 && ok) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const links = ports.map((p) => auditor(p, ['INFO', 'replication'])).filter((t) => /master_link_status:up/.test(t));
    assert.equal(links.length, 3, 'every replica syncs with its master, logged in as the operator');

    // Keys for the moves, written as the application user; some with a TTL (the copy engine reads PTTL only then).
    const keys = Array.from({ length: KEYS }, (_, i) => `app:${i}`);
    const wrote = run('redis-cli', ['-c', '-p', String(BASE), '--user', APP.user.name, '--no-auth-warning', '-a', APP.password], {}, keys.map((k, i) => `SET ${k} v-${k}${i % 10 === 0 ? ' EX 86400' : ''}\n`).join(''));
    assert.equal(wrote.stdout.split('\n').filter((l) => l === 'OK').length, KEYS, `SET as the application user: ${wrote.stderr}`);
    const keysOn = (port: number): number => Number(auditor(port, ['DBSIZE']).trim());
    asOperator(['status', seed, ...login]);
    asOperator(['check', seed, ...login]);

    const masters = (): { id: string; port: number }[] =>
      auditor(BASE, ['CLUSTER', 'NODES'])
        .split('\n')
        .filter((l) => /\bmaster\b/.test(l) && l.split(' ').length > 8)
        .map((l) => ({ id: l.split(' ')[0] as string, port: Number(/:(\d+)@/.exec(l)?.[1]) }))
        .sort((a, b) => a.port - b.port);
    const [m1, m2] = masters();
    assert.ok(m1 && m2);
    const before = keysOn(m2.port);
    asOperator(['reshard', seed, '--to', m2.id, '--from', m1.id, '--slots', '300', '--engine', 'copy', '--yes', ...login]);
    assert.ok(keysOn(m2.port) > before, 'the copy engine moved keys');
    asOperator(['reshard', seed, '--to', m1.id, '--from', m2.id, '--slots', '300', '--engine', 'migrate', '--yes', ...login]);
    assert.equal(keysOn(m2.port), before, 'MIGRATE (AUTH2 as the operator) moved the keys back');
    asOperator(['rebalance', seed, '--yes', ...login]);

    // An open slot (a move cut off) for fix to close, opened as the auditor.
    const slot = calculateSlot('app:7');
    const ownerOfSlot = masters().find((m) => auditor(m.port, ['GET', 'app:7']).trim() === 'v-app:7');
    assert.ok(ownerOfSlot, 'the slot of app:7 has an owner holding it');
    assert.ok(keys.length > 0);
    const target = masters().find((m) => m.id !== ownerOfSlot.id) as { id: string; port: number };
    auditor(target.port, ['CLUSTER', 'SETSLOT', String(slot), 'IMPORTING', ownerOfSlot.id]);
    auditor(ownerOfSlot.port, ['CLUSTER', 'SETSLOT', String(slot), 'MIGRATING', target.id]);
    asOperator(['fix', seed, '--yes', ...login]);

    const replica = auditor(BASE, ['CLUSTER', 'NODES']).split('\n').find((l) => /\bslave\b/.test(l));
    const replicaPort = Number(/:(\d+)@/.exec(replica ?? '')?.[1]);
    asOperator(['failover', `127.0.0.1:${replicaPort}`, ...login]);

    // cli -c follows a redirect as the operator (EXISTS is one of its commands: no silent overwrite).
    const keyElsewhere = keys.find((k) => /MOVED/.test(auditor(BASE, ['EXISTS', k]))) as string;
    const cli = asOperator(['cli', '-c', '-p', String(BASE), ...login, 'EXISTS', keyElsewhere]);
    assert.equal(cli.stdout, '1\n');
    asOperator(['check', seed, ...login]);

    const denied = ports.flatMap((p) => {
      const log = auditor(p, ['ACL', 'LOG']);
      return log.includes(OPERATOR.name) ? [`${p}:\n${log}`] : [];
    });
    assert.deepEqual(denied, [], 'a node denied the operator a command (ACL LOG)');
  });

  it('an application user gets the errors redis-cli gets for CLUSTER, CONFIG, FLUSHALL and keys outside its patterns', () => {
    const commands = [
      ['CLUSTER', 'INFO'],
      ['CONFIG', 'GET', 'maxmemory'],
      ['FLUSHALL'],
      ['GET', 'other:1'],
      ['SET', 'other:1', 'x'],
      ['ACL', 'WHOAMI'],
    ];
    for (const cmd of commands) {
      const args = ['-p', String(BASE), '--user', APP.user.name, '-a', APP.password, ...cmd];
      const ours = run(BIN, ['cli', ...args]);
      const theirs = run('redis-cli', args);
      assert.match(theirs.stdout, /NOPERM/, `redis-cli as the application user was not refused ${cmd.join(' ')}`);
      assert.equal(ours.stdout, theirs.stdout, `${cmd.join(' ')}: stdout differs from redis-cli's`);
      assert.equal(ours.stderr, theirs.stderr, `${cmd.join(' ')}: stderr (the -a warning) differs from redis-cli's`);
    }
  });

  it('takes the password as redis-cli does: --askpass (first line of a pipe, over REDISCLI_AUTH), REDISCLI_AUTH, a wrong one', () => {
    const cases: { args: string[]; env?: NodeJS.ProcessEnv; input?: string }[] = [
      { args: ['--askpass'], input: `${APP.password}\nSET app:x 1\nGET app:x\nGET other:x\n` },
      { args: ['--askpass'], env: { REDISCLI_AUTH: 'wrong' }, input: `${APP.password}\nGET app:x\n` },
      { args: [], env: { REDISCLI_AUTH: APP.password }, input: 'GET app:x\n' },
      { args: ['-a', 'wrong'], env: { REDISCLI_AUTH: APP.password }, input: 'GET app:x\n' },
      { args: ['--no-auth-warning', '-a', 'wrong'], input: 'GET app:x\n' },
    ];
    for (const c of cases) {
      const args = ['-p', String(BASE), '--user', APP.user.name, ...c.args];
      const ours = run(BIN, ['cli', ...args], c.env, c.input);
      const theirs = run('redis-cli', args, c.env, c.input);
      const what = `${c.args.join(' ')} ${JSON.stringify(c.env ?? {})}`;
      assert.equal(ours.stdout, theirs.stdout, `${what}: stdout differs from redis-cli's`);
      assert.equal(ours.stderr, theirs.stderr, `${what}: stderr differs from redis-cli's`);
    }
  });
});
