import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { type EngineStatus, requireSwarmManager } from '../../src/core/docker/engine';
import { describeError, isRedisSwarmError } from '../../src/core/errors';

const status = (extra: Partial<EngineStatus>): EngineStatus => ({
  target: { host: 'unix:///var/run/docker.sock', source: 'default' },
  version: '20.10.24',
  apiVersion: '1.41',
  os: 'linux/amd64',
  swarm: 'active',
  isManager: true,
  ...extra,
});

describe('what a user is told when the engine cannot run services', () => {
  it('accepts a manager of an active swarm', () => {
    assert.doesNotThrow(() => requireSwarmManager(status({})));
  });

  it('tells to run docker swarm init when the swarm is inactive', () => {
    assert.throws(
      () => requireSwarmManager(status({ swarm: 'inactive', isManager: false })),
      (e: unknown) => isRedisSwarmError(e, 'swarm-inactive') && /not part of a swarm; run `docker swarm init`/.test((e as Error).message),
    );
  });

  it('tells to unlock a locked swarm', () => {
    assert.throws(() => requireSwarmManager(status({ swarm: 'locked' })), /docker swarm unlock/);
  });

  it('tells to point at a manager when the node is a worker', () => {
    assert.throws(
      () => requireSwarmManager(status({ isManager: false })),
      (e: unknown) => isRedisSwarmError(e, 'swarm-not-manager') && /swarm worker.*manager/.test((e as Error).message),
    );
  });
});

describe('what a user is told when Docker refuses a request no check foresaw', () => {
  // Built the way docker-modem builds them (lib/modem.js buildPayload).
  const modemError = (statusCode: number, message: string): Error =>
    Object.assign(new Error(`(HTTP code ${statusCode}) unexpected - ${message} `), { statusCode, reason: undefined, json: { message } });

  it('says what the engine said, as a sentence, without the HTTP prefix', () => {
    assert.equal(
      describeError(modemError(409, 'rpc error: code = AlreadyExists desc = config advup-conf-1 already exists')),
      'Docker refused the request: Config advup-conf-1 already exists (HTTP 409).',
    );
    assert.doesNotMatch(describeError(modemError(400, 'invalid name')), /^\(HTTP code/);
  });

  it('leaves other errors as they are', () => {
    assert.equal(describeError(new Error('plain')), 'plain');
    assert.equal(describeError('text'), 'text');
  });
});
