import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEPLOY_DEFAULTS, type DeployOptions, validateClusterName } from '../../src/core/swarm/deployOptions';
import { planDeploy } from '../../src/core/swarm/deploy';
import { quoteConf, renderAuthSecret, renderRedisConf } from '../../src/core/swarm/redisConf';
import { splitConfArgs } from '../../src/core/swarm/confArgs';
import { type RedisImage, imageChoices } from '../../src/core/docker/images';
import { type SwarmCluster } from '../../src/core/swarm/discover';
import { createReplicas } from '../../src/core/swarm/formCluster';

const opts = (extra: Partial<DeployOptions> = {}): DeployOptions => ({ ...DEPLOY_DEFAULTS, network: 'redis-net', ...extra });

describe('deploy planning (no Docker)', () => {
  it('names one service and one volume per node, and publishes base+i-1', () => {
    const plan = planDeploy(opts({ name: 'cache', publishBase: 7001, password: 'pw' }));
    assert.deepEqual(plan.services.map((s) => [s.name, s.volume, s.publishedPort]), [
      ['cache-1', 'cache-1-data', 7001],
      ['cache-2', 'cache-2-data', 7002],
      ['cache-3', 'cache-3-data', 7003],
      ['cache-4', 'cache-4-data', 7004],
      ['cache-5', 'cache-5-data', 7005],
      ['cache-6', 'cache-6-data', 7006],
    ]);
    assert.match(plan.configName, /^cache-conf-[0-9a-f]{10}$/);
  });

  it('keeps the password out of redis.conf and includes the secret instead', () => {
    const plan = planDeploy(opts({ password: 'hunter2' }));
    assert.equal(plan.secretName, 'redis-auth');
    assert.ok(!plan.configText.includes('hunter2'));
    assert.match(plan.configText, /^include \/run\/secrets\/redis-auth$/m);
    assert.match(plan.configText, /^cluster-enabled yes$/m);
    assert.match(plan.configText, /^cluster-preferred-endpoint-type hostname$/m);
  });

  it('sets full coverage by mode: cache serves on, persistent waits', () => {
    assert.match(renderRedisConf(opts({ mode: 'cache' })), /^cluster-require-full-coverage no$/m);
    assert.match(renderRedisConf(opts({ mode: 'persistent' })), /^cluster-require-full-coverage yes$/m);
    assert.match(renderRedisConf(opts({ maxmemory: '256mb', maxmemoryPolicy: 'allkeys-lru', appendonly: false })), /maxmemory 256mb\nmaxmemory-policy allkeys-lru/);
  });

  it('quotes passwords so redis.conf reads them back exactly', () => {
    for (const pw of ['plain', 'with space', 'q"uo\\te', 'tab\there', 'ünïcødé#;']) {
      const secret = renderAuthSecret(pw);
      const [first] = secret.split('\n');
      assert.deepEqual(splitConfArgs(first ?? ''), ['requirepass', pw], `round trip of ${JSON.stringify(pw)}`);
    }
    assert.equal(quoteConf('a"b'), '"a\\"b"');
  });

  it('refuses bad input with a sentence naming the fix', () => {
    assert.throws(() => planDeploy(opts({ nodes: 4 })), /2 master\(s\); a Redis Cluster needs at least 3 \(use --nodes 6 or more\)/);
    assert.throws(() => planDeploy(opts({ nodes: 9, replicas: 1 })), /multiple of 2/);
    assert.equal(planDeploy(opts({ nodes: 3, replicas: 0 })).services.length, 3, '3 masters without replicas is valid');
    assert.throws(() => planDeploy(opts({ maxmemory: 'lots' })), /not a size/);
    assert.throws(() => planDeploy(opts({ password: 'a\nb' })), /line breaks/);
    assert.throws(() => planDeploy(opts({ constraints: ['node.role'] })), /key==value/);
    assert.throws(() => planDeploy(opts({ publishBase: 65533, password: 'pw' })), /past port 65535|55535/);
  });

  it('bounds the counts the Deploy wizard and the CLI share, with one sentence', () => {
    assert.throws(() => planDeploy(opts({ nodes: 1000 })), /^Error: --nodes must be a whole number from 3 to 200, not 1000\.$|--nodes must be a whole number from 3 to 200, not 1000\./);
    assert.equal(planDeploy(opts({ nodes: 200, replicas: 1 })).services.length, 200, 'the bound itself is accepted');
    assert.throws(() => planDeploy(opts({ nodes: 36, replicas: 11 })), /--replicas must be a whole number from 0 to 5, not 11\./);
    assert.throws(() => planDeploy(opts({ nodeTimeoutMs: 3_600_000 })), /--node-timeout must be from 100 to 600000 ms/);
  });

  it('accepts hostnames Redis accepts and refuses the rest', () => {
    for (const ok of ['redis', 'a', 'cache-eu.1', 'R2D2']) assert.doesNotThrow(() => validateClusterName(ok));
    for (const bad of ['', '-redis', 'redis-', 'my_redis', 'red is', 'ré', 'x'.repeat(51)]) {
      assert.throws(() => validateClusterName(bad), /Cluster name/, `refuses ${JSON.stringify(bad)}`);
    }
  });
});

describe('the Deploy wizard\'s image choices', () => {
  const img = (tag: string, clusterReady: boolean | 'unknown', redisVersion?: string): RedisImage => ({
    tag,
    id: tag,
    clusterReady,
    sizeBytes: 1,
    ...(redisVersion ? { redisVersion } : {}),
  });

  it('never preselects an image whose Redis version is unknown', () => {
    const c = imageChoices([img('myredis:latest', 'unknown'), img('redis:6', false, '6.2.0'), img('redis:7.2', true, '7.2.4')], 'redis:7.2');
    assert.deepEqual(c.list.map((i) => i.tag), ['redis:7.2', 'myredis:latest', 'redis:6'], 'known Redis 7 first');
    assert.equal(c.preselect, 'redis:7.2');
    const none = imageChoices([img('myredis:latest', 'unknown'), img('redis:6', false, '6.2.0')], 'redis:7.2');
    assert.equal(none.preselect, undefined, 'nothing is chosen for the user');
    assert.equal(imageChoices([img('a:1', true, '7.0.0'), img('b:1', true, '7.2.0')], 'b:1').preselect, 'b:1', 'the default when it is known to be ready');
  });
});

describe('create\'s replicas on a deployed cluster', () => {
  const cluster = (replicas?: number): SwarmCluster => ({ name: 'c', managed: true, mode: 'persistent', nodes: [], ...(replicas !== undefined ? { replicas } : {}) });
  it('uses what deploy was asked for unless --replicas says otherwise', () => {
    assert.deepEqual(createReplicas(cluster(1)), { replicas: 1, source: 'deployed' });
    assert.deepEqual(createReplicas(cluster(1), 0), { replicas: 0, source: 'asked' });
    assert.deepEqual(createReplicas(cluster()), { replicas: 0, source: 'default' }, 'a hand-made cluster: redis-cli\'s default');
  });
});
