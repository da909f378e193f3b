/** The rolling verbs' pure parts: targets, the roll record, the step planner, redis.conf edits, version checks. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterTopology, type ReportedView } from '../../src/core/cluster/topology';
import { isBadInputError } from '../../src/core/errors';
import { onTarget, withTarget, versionOf, type TaskTemplateLike } from '../../src/core/rolling/nodeTarget';
import { decodeRoll, encodeRoll, rollbackOf, sameTargets, type RollRecord } from '../../src/core/rolling/rollRecord';
import { nextRollStep, refuseUnprotectedMasters } from '../../src/core/rolling/planRoll';
import { nodeNotBack } from '../../src/core/rolling/nodeBack';
import { checkSettingName, confSet, confSettings, confWords } from '../../src/core/rolling/confText';
import { needsRestart } from '../../src/core/rolling/configChange';
import { parseServerVersion, versionProblem } from '../../src/core/rolling/imageCheck';
import { CONF_PATH } from '../../src/core/swarm/redisConf';

const template = (image: string, conf = 'c-conf-1', force?: number): TaskTemplateLike => ({
  ContainerSpec: { Image: image, Configs: [{ File: { Name: CONF_PATH }, ConfigID: `id-${conf}`, ConfigName: conf }], Env: ['A=1'] },
  ...(force !== undefined ? { ForceUpdate: force } : {}),
  RestartPolicy: { Condition: 'any' },
});

test('a node is on its target only when image, config and restart counter all match; a pinned digest does not count as different', () => {
  const t = template('redis:7.2@sha256:abc');
  assert.equal(onTarget(t, { image: 'redis:7.2' }), true);
  assert.equal(onTarget(t, { image: 'redis:7.4' }), false);
  assert.equal(onTarget(t, { config: { name: 'c-conf-2', id: 'x' } }), false);
  assert.equal(onTarget(t, { force: 1 }), false);
  assert.equal(onTarget(template('redis:7.2', 'c-conf-1', 3), { force: 3 }), true);
});

test('withTarget changes only what the target names and keeps the rest of the template', () => {
  const t = template('redis:7.2');
  const next = withTarget(t, { image: 'redis:7.4', config: { name: 'c-conf-2', id: 'id2' }, force: 2 });
  assert.equal(next.ContainerSpec?.Image, 'redis:7.4');
  assert.deepEqual(next.ContainerSpec?.Configs, [{ File: { Name: CONF_PATH }, ConfigID: 'id2', ConfigName: 'c-conf-2' }]);
  assert.equal(next.ForceUpdate, 2);
  assert.deepEqual(next.ContainerSpec?.['Env'], ['A=1']);
  assert.deepEqual(next['RestartPolicy'], { Condition: 'any' });
  assert.equal(t.ContainerSpec?.Image, 'redis:7.2', 'the input is not changed');
  assert.equal(onTarget(next, { image: 'redis:7.4', config: { name: 'c-conf-2', id: 'id2' }, force: 2 }), true);
  assert.deepEqual(versionOf(next), { image: 'redis:7.4', config: 'c-conf-2', force: 2 });
});

const record: RollRecord = {
  kind: 'upgrade',
  targets: { 'c-1': { image: 'r:8' }, 'c-2': { image: 'r:8' } },
  previous: { 'c-1': { image: 'r:7', config: { name: 'k1', id: 'i1' } }, 'c-2': { image: 'r:7' } },
  originalMasters: ['c-1'],
  failBack: true,
  startedAt: '2026-01-01T00:00:00.000Z',
};

test('the roll record survives its label; a foreign label is refused in words', () => {
  assert.deepEqual(decodeRoll(encodeRoll(record)), record);
  assert.equal(decodeRoll(undefined), undefined);
  assert.throws(() => decodeRoll('{'), (e: unknown) => isBadInputError(e));
  assert.throws(() => decodeRoll('{"kind":"x","targets":{}}'), (e: unknown) => isBadInputError(e));
});

test('the same command again continues the recorded roll; another target does not', () => {
  assert.equal(sameTargets(record.targets, { 'c-1': { image: 'r:8' }, 'c-2': { image: 'r:8' } }), true);
  assert.equal(sameTargets(record.targets, { 'c-1': { image: 'r:9' }, 'c-2': { image: 'r:8' } }), false);
  assert.equal(sameTargets(record.targets, { 'c-1': { image: 'r:8' } }), false);
});

test('a rollback targets what each node ran before, only in what the roll changed', () => {
  const back = rollbackOf(record, 'now');
  assert.equal(back.kind, 'rollback');
  assert.deepEqual(back.targets, { 'c-1': { image: 'r:7' }, 'c-2': { image: 'r:7' } });
  assert.deepEqual(back.previous, record.targets);
  assert.throws(() => rollbackOf({ ...record, kind: 'restart' }, 'now'), (e: unknown) => isBadInputError(e));
});

// A 3-master, 3-replica cluster: c-1..c-3 masters, c-4 replicates c-1, c-5 c-2, c-6 c-3.
const ID = (n: number): string => `${n}`.repeat(40);
function lines(self: number, overrides: Record<number, string> = {}): string {
  const spec: Record<number, string> = {
    1: `${ID(1)} 192.0.2.1:6379@16379,c-1 master - 0 1 1 connected 0-5460`,
    2: `${ID(2)} 192.0.2.2:6379@16379,c-2 master - 0 1 2 connected 5461-10922`,
    3: `${ID(3)} 192.0.2.3:6379@16379,c-3 master - 0 1 3 connected 10923-16383`,
    4: `${ID(4)} 192.0.2.4:6379@16379,c-4 slave ${ID(1)} 0 1 1 connected`,
    5: `${ID(5)} 192.0.2.5:6379@16379,c-5 slave ${ID(2)} 0 1 2 connected`,
    6: `${ID(6)} 192.0.2.6:6379@16379,c-6 slave ${ID(3)} 0 1 3 connected`,
    ...overrides,
  };
  return Object.entries(spec)
    .map(([n, l]) => (Number(n) === self ? l.replace(/ (master|slave)/, ' myself,$1') : l))
    .join('\n');
}
function topology(o: { linkDown?: number[]; overrides?: Record<number, string> } = {}): ClusterTopology {
  const views: ReportedView[] = [1, 2, 3, 4, 5, 6].map((n) => ({
    endpoint: { host: `c-${n}`, port: 6379 },
    view: parseClusterNodes(lines(n, o.overrides)),
    clusterState: 'ok',
    keys: 0,
    ...(n >= 4 ? { masterLinkStatus: o.linkDown?.includes(n) ? 'down' : 'up' } : {}),
  }));
  const nodes = views.map((v) => ({ ...v.view.self, swarm: { service: v.view.self.hostname ?? '' } }));
  return { views, nodes, unreachable: [] };
}
const scope = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'];

test('replicas go first, one at a time; then each master fails over to a replica already on the target', () => {
  assert.deepEqual(nextRollStep({ topology: topology(), scope, done: new Set(), acceptDowntime: false }), { kind: 'replica', service: 'c-4', nodeId: ID(4) });
  const step = nextRollStep({ topology: topology(), scope, done: new Set(['c-4', 'c-5', 'c-6']), acceptDowntime: false });
  assert.equal(step?.kind, 'failover');
  assert.ok(step?.kind === 'failover');
  assert.equal(step.service, 'c-1');
  assert.equal(step.toService, 'c-4');
  assert.equal(nextRollStep({ topology: topology(), scope, done: new Set(scope), acceptDowntime: false }), undefined);
});

test('after a failover the old master is a replica to update; the plan follows the cluster as it is', () => {
  const swapped = topology({
    overrides: {
      1: `${ID(1)} 192.0.2.1:6379@16379,c-1 slave ${ID(4)} 0 1 7 connected`,
      4: `${ID(4)} 192.0.2.4:6379@16379,c-4 master - 0 1 7 connected 0-5460`,
    },
  });
  const v1 = swapped.views[0] as ReportedView;
  const views = swapped.views.map((v) => (v === v1 ? { ...v, masterLinkStatus: 'up' } : v));
  const step = nextRollStep({ topology: { ...swapped, views }, scope, done: new Set(['c-4', 'c-5', 'c-6']), acceptDowntime: false });
  assert.deepEqual(step, { kind: 'replica', service: 'c-1', nodeId: ID(1) });
});

test('a master without an in-sync replica is refused before anything starts, unless downtime is accepted', () => {
  const t = topology({ linkDown: [5] });
  assert.throws(() => refuseUnprotectedMasters({ topology: t, scope, done: new Set(), acceptDowntime: false }), (e: unknown) => isBadInputError(e) && /c-2 \(5462 slots\)/.test((e as Error).message));
  refuseUnprotectedMasters({ topology: t, scope, done: new Set(), acceptDowntime: true });
  refuseUnprotectedMasters({ topology: topology(), scope, done: new Set(), acceptDowntime: false });
  // Out of scope (restart --node c-1), c-2's missing replica does not matter.
  refuseUnprotectedMasters({ topology: t, scope: ['c-1'], done: new Set(), acceptDowntime: false });
  const last = nextRollStep({ topology: t, scope: ['c-2'], done: new Set(), acceptDowntime: true });
  assert.deepEqual(last, { kind: 'master-in-place', service: 'c-2', nodeId: ID(2), slots: 5462 });
});

test('a node is back only with its old ID, cluster_state ok, its link up, its own address right and no peer doubting it', () => {
  assert.equal(nodeNotBack(topology(), 'c-4', ID(4), '192.0.2.4'), undefined);
  assert.match(nodeNotBack(topology(), 'c-4', ID(4), '192.0.2.44') ?? '', /still calls itself 192\.0\.2\.4/);
  assert.match(nodeNotBack(topology({ linkDown: [4] }), 'c-4', ID(4)) ?? '', /link to its master is down/);
  assert.match(nodeNotBack(topology(), 'c-4', ID(5)) ?? '', /nodes\.conf was lost/);
  const doubted = topology({ overrides: { 4: `${ID(4)} 192.0.2.4:6379@16379,c-4 slave,fail? ${ID(1)} 0 1 1 connected` } });
  // Its own line is parsed from its own view (myself,slave,fail? is never printed by itself; only peers' lines matter).
  assert.match(nodeNotBack(doubted, 'c-4', ID(4)) ?? '', /do not see c-4 as up/);
  assert.match(nodeNotBack(topology(), 'c-9', undefined) ?? '', /does not answer/);
});

test('redis.conf: words, settings (last wins), one line per setting, new settings before the include', () => {
  assert.deepEqual(confWords('save "3600 1" \'x y\'  # not a comment'), ['save', '3600 1', 'x y', '#', 'not', 'a', 'comment']);
  assert.deepEqual(confWords('  # a comment'), []);
  const text = 'port 6379\nmaxmemory 1mb\nmaxmemory 2mb\ninclude /run/secrets/x\n';
  assert.equal(confSettings(text).get('maxmemory'), '2mb');
  assert.equal(confSet(text, 'maxmemory', '64mb'), 'port 6379\nmaxmemory 64mb\ninclude /run/secrets/x\n');
  assert.equal(confSet(text, 'maxmemory-policy', 'allkeys-lru'), 'port 6379\nmaxmemory 1mb\nmaxmemory 2mb\nmaxmemory-policy allkeys-lru\ninclude /run/secrets/x\n');
  assert.equal(confSet('a 1\n', 'notify-keyspace-events', 'K$"'), 'a 1\nnotify-keyspace-events "K$\\""\n');
  assert.equal(confSettings(confSet('a 1\n', 'x', 'a "b')).get('x'), 'a "b');
});

test('settings that would break the cluster or redis-swarm are refused, each with why', () => {
  for (const n of ['cluster-enabled', 'PORT', 'cluster-config-file', 'cluster-announce-ip', 'cluster-announce-hostname', 'requirepass', 'bind', 'dir']) {
    assert.throws(() => checkSettingName(n), (e: unknown) => isBadInputError(e) && /^Not changing/.test((e as Error).message), n);
  }
  assert.equal(checkSettingName('MaxMemory'), 'maxmemory');
  assert.throws(() => checkSettingName('max memory'), (e: unknown) => isBadInputError(e));
});

test('CONFIG SET errors that mean a restart, as Redis 7 words them', () => {
  assert.equal(needsRestart("ERR CONFIG SET failed (possibly related to argument 'databases') - can't set immutable config"), true);
  assert.equal(needsRestart("ERR CONFIG SET failed (possibly related to argument 'dir') - can't set protected config"), true);
  assert.equal(needsRestart("ERR CONFIG SET failed (possibly related to argument 'maxmemory') - argument must be a memory value"), false);
});

test('the image version: parsed from redis-server --version; a major downgrade and Redis 6 are refused', () => {
  assert.equal(parseServerVersion('Redis server v=7.0.15 sha=00000000:0 malloc=jemalloc-5.3.0 bits=64 build=1'), '7.0.15');
  assert.equal(parseServerVersion('sh: redis-server: not found'), undefined);
  assert.equal(versionProblem('7.0.15', '7.2.4'), undefined);
  assert.equal(versionProblem('7.2.4', '7.0.15'), undefined, 'a minor downgrade within a major is allowed');
  assert.match(versionProblem('8.0.1', '7.2.4') ?? '', /major downgrade/);
  assert.match(versionProblem(undefined, '6.2.14') ?? '', /Redis 7 or later/);
});
