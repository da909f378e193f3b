import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { DEPLOY_DEFAULTS, DeployOptions, validateClusterName } from '../../src/core/swarm/deployOptions';
import { planDeploy } from '../../src/core/swarm/deploy';
import { quoteConf, renderAuthSecret, renderRedisConf } from '../../src/core/swarm/redisConf';
import { splitConfArgs } from '../../src/core/swarm/confArgs';

const opts = (extra: Partial<DeployOptions> = {}): DeployOptions => ({ ...DEPLOY_DEFAULTS, ...extra });

describe('deploy planning (no Docker)', () => {
  it('names one service and one volume per node, and publishes base+i-1', () => {
    const plan = planDeploy(opts({ name: 'cache', publishBase: 7001 }));
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
    assert.throws(() => planDeploy(opts({ publishBase: 65533 })), /past port 65535|55535/);
  });

  it('accepts hostnames Redis accepts and refuses the rest', () => {
    for (const ok of ['redis', 'a', 'cache-eu.1', 'R2D2']) assert.doesNotThrow(() => validateClusterName(ok));
    for (const bad of ['', '-redis', 'redis-', 'my_redis', 'red is', 'ré', 'x'.repeat(51)]) {
      assert.throws(() => validateClusterName(bad), /Cluster name/, `refuses ${JSON.stringify(bad)}`);
    }
  });
});
