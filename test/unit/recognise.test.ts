import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveArgv, isRedisPingReply, portFromArgv, recogniseArgv } from '../../src/core/swarm/recognise';

test('a node is recognised by the server it runs, whatever the image is called', () => {
  assert.equal(recogniseArgv(['redis-server', '--cluster-enabled', 'yes']), 'redis');
  assert.equal(recogniseArgv(['valkey-server', '/etc/valkey/valkey.conf']), 'redis');
  assert.equal(recogniseArgv(['/usr/local/bin/redis-server', '/usr/local/etc/redis/redis.conf']), 'redis');
  assert.equal(recogniseArgv(['docker-entrypoint.sh', 'keydb-server']), 'redis');
});

test('a wrapper that names the server, its config or a cluster setting is recognised', () => {
  assert.equal(recogniseArgv(['sh', '-c', 'exec redis-server --port 7000']), 'redis');
  assert.equal(recogniseArgv(['/start.sh', '/conf/redis.conf']), 'redis');
  assert.equal(recogniseArgv(['/start.sh', '--cluster-enabled', 'yes']), 'redis');
  assert.equal(recogniseArgv(['/start.sh', 'cluster-enabled=yes']), 'redis');
});

test('a command that names no Redis server is left to the node to answer', () => {
  assert.equal(recogniseArgv([]), 'unknown');
  assert.equal(recogniseArgv(['/usr/local/bin/start-node']), 'unknown');
  assert.equal(recogniseArgv(['nginx', '-g', 'daemon off;']), 'unknown');
  // Look-alike words are not a server name.
  assert.equal(recogniseArgv(['redis-server-exporter']), 'unknown');
  assert.equal(recogniseArgv(['myredis-server.sh']), 'unknown');
  assert.equal(recogniseArgv(['/etc/redis.config']), 'unknown');
});

test('the command line is built as Docker builds it from the service spec and the image', () => {
  const image = { Entrypoint: ['docker-entrypoint.sh'], Cmd: ['valkey-server'] };
  assert.deepEqual(effectiveArgv({}, image), ['docker-entrypoint.sh', 'valkey-server']);
  assert.deepEqual(effectiveArgv({ Args: ['--port', '7000'] }, image), ['docker-entrypoint.sh', '--port', '7000']);
  // A Command replaces the entrypoint and drops the image's CMD.
  assert.deepEqual(effectiveArgv({ Command: ['/start-node'] }, image), ['/start-node']);
  assert.deepEqual(effectiveArgv({ Command: ['/start-node'], Args: ['x'] }, image), ['/start-node', 'x']);
  assert.deepEqual(effectiveArgv({}, { Entrypoint: null, Cmd: null }), []);
  assert.deepEqual(effectiveArgv({ Command: [], Args: [] }), []);
});

test('a PING reply in RESP is a Redis node; anything else is not', () => {
  assert.equal(isRedisPingReply('+PONG'), true);
  assert.equal(isRedisPingReply('-NOAUTH Authentication required.'), true);
  assert.equal(isRedisPingReply('-DENIED Redis is running in protected mode'), true);
  assert.equal(isRedisPingReply(''), false);
  assert.equal(isRedisPingReply('HTTP/1.1 400 Bad Request'), false);
  assert.equal(isRedisPingReply('ERROR'), false);
});

test('the port comes from the command line, also inside a wrapper', () => {
  assert.equal(portFromArgv(['redis-server', '--port', '7000']), 7000);
  assert.equal(portFromArgv(['sh', '-c', 'exec redis-server --cluster-enabled yes --port 7001']), 7001);
  assert.equal(portFromArgv(['sh', '-c', 'exec valkey-server --port=7002; echo gone']), 7002);
  assert.equal(portFromArgv(['redis-server', '/conf/redis.conf']), undefined);
  assert.equal(portFromArgv(['redis-server', '--port', '70000']), undefined);
  assert.equal(portFromArgv(['redis-server', '--portal', '7000']), undefined);
});
