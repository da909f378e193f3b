import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRedisImage, redisVersionOf } from '../../src/core/docker/images';

const none = { env: [], entrypoint: [], cmd: [] };

test('a Redis image is known by its recorded version or its command, whatever its name', () => {
  assert.equal(isRedisImage('valkey/valkey:8', { env: ['VALKEY_VERSION=8.0.1'], entrypoint: ['docker-entrypoint.sh'], cmd: ['valkey-server'] }), true);
  assert.equal(isRedisImage('registry.example.com/team/cache:7', { env: ['REDIS_VERSION=7.2.4'], entrypoint: [], cmd: [] }), true);
  assert.equal(isRedisImage('team/cache:7', { env: [], entrypoint: [], cmd: ['redis-server'] }), true);
  assert.equal(isRedisImage('registry:5000/redis:7', none), true, 'the name still counts when the image says nothing');
  assert.equal(isRedisImage('nginx:1.25', { env: ['NGINX_VERSION=1.25.3'], entrypoint: ['/docker-entrypoint.sh'], cmd: ['nginx', '-g', 'daemon off;'] }), false);
  assert.equal(isRedisImage('registry:5000/team/cache:7', none), false);
});

test('the server version comes from REDIS_VERSION or VALKEY_VERSION', () => {
  assert.equal(redisVersionOf(['PATH=/bin', 'REDIS_VERSION=7.0.15']), '7.0.15');
  assert.equal(redisVersionOf(['VALKEY_VERSION=8.0.1']), '8.0.1');
  assert.equal(redisVersionOf(['PATH=/bin']), undefined);
});
