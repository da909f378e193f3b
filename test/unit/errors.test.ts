import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type EngineStatus, requireSwarmManager } from '../../src/core/docker/engine';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import {
  BadInputError,
  CancelledError,
  ConflictError,
  DockerError,
  DockerUnreachableError,
  isBadInputError,
  isCancelledError,
  isConflictError,
  isDockerError,
  isDockerUnreachableError,
  isNoRouteError,
  isNotFoundError,
  isRedisError,
  isRedisSwarmError,
  isSwarmInactiveError,
  isSwarmNotManagerError,
  isTimeoutError,
  NoRouteError,
  NotFoundError,
  RedisError,
  type RedisSwarmError,
  SwarmInactiveError,
  SwarmNotManagerError,
  TimeoutError,
} from '../../src/core/errors';
import { ClusterNotReadyError } from '../../src/core/ops/opsTopology';
import { ConnectError, ConnectionClosedError } from '../../src/core/redis/rawConnection';
import { RespProtocolError } from '../../src/core/redis/resp';
import { ReplyTooLargeError } from '../../src/core/redis/wireLink';

/** Every kind with its class and guard: one row per kind, so a kind added without its class is noticed. */
const kinds: readonly [RedisSwarmError['kind'], () => RedisSwarmError, (x: unknown) => boolean][] = [
  ['docker-unreachable', () => new DockerUnreachableError('x'), isDockerUnreachableError],
  ['docker', () => new DockerError('x'), isDockerError],
  ['swarm-inactive', () => new SwarmInactiveError('x'), isSwarmInactiveError],
  ['swarm-not-manager', () => new SwarmNotManagerError('x'), isSwarmNotManagerError],
  ['bad-input', () => new BadInputError('x'), isBadInputError],
  ['not-found', () => new NotFoundError('x'), isNotFoundError],
  ['conflict', () => new ConflictError('x'), isConflictError],
  ['redis', () => new RedisError('x'), isRedisError],
  ['no-route', () => new NoRouteError('x'), isNoRouteError],
  ['timeout', () => new TimeoutError('x'), isTimeoutError],
  ['cancelled', () => new CancelledError(), isCancelledError],
];

describe('one error model: a subclass per kind, guards by kind', () => {
  it('each subclass carries its kind, and only its own guard accepts it', () => {
    for (const [kind, make] of kinds) {
      const err = make();
      assert.equal(err.kind, kind);
      assert.ok(isRedisSwarmError(err, kind));
      for (const [other, , guard] of kinds) assert.equal(guard(err), other === kind, `${other}'s guard on a ${kind} error`);
    }
  });

  it('narrower errors are seen by the guard of their kind', () => {
    const ep = { host: '127.0.0.1', port: 1 };
    assert.ok(isConflictError(new ClusterNotReadyError([])), 'a cluster not ready for a move is a conflict');
    assert.ok(isRedisError(new ConnectError(ep, 'Connection refused')), 'a failed connect is a Redis error');
    assert.ok(isRedisError(new ConnectionClosedError('closed')), 'a closed link is a Redis error');
    assert.ok(isRedisError(new RespProtocolError('bad byte')), 'a protocol error is a Redis error');
    assert.ok(isRedisError(new ReplyTooLargeError('node', 10)), 'an oversized reply is a Redis error');
  });

  it('errors the core raises come as their subclass', () => {
    const status: EngineStatus = { target: { host: 'unix:///var/run/docker.sock', source: 'default' }, version: '20.10.24', apiVersion: '1.41', os: 'linux/amd64', swarm: 'inactive', isManager: false };
    assert.throws(() => requireSwarmManager(status), (e: unknown) => e instanceof SwarmInactiveError && isSwarmInactiveError(e));
    assert.throws(() => requireSwarmManager({ ...status, swarm: 'active' }), (e: unknown) => e instanceof SwarmNotManagerError && isSwarmNotManagerError(e));
    assert.throws(() => parseClusterNodes('not a nodes line'), (e: unknown) => e instanceof RedisError && isRedisError(e));
  });
});
