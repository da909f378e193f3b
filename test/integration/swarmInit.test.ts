/**
 * Initialize Swarm (core/docker/swarmInit.ts) against the real engine. The test bed's engine is
 * a swarm manager already, and it must stay one (the rules forbid leaving the host's swarm), so
 * what is checked for real is the answer a user gets when the swarm exists: one sentence saying
 * so, as a ConflictError, and the swarm untouched.
 */
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { getEngineStatus } from '../../src/core/docker/engine';
import { initSwarm, swarmInitExplanation } from '../../src/core/docker/swarmInit';
import { isConflictError } from '../../src/core/errors';
import { localEngine } from '../support/swarm';

describe('docker swarm init through the Docker API', () => {
  it('on an engine already in a swarm: a ConflictError in one sentence, and the swarm unchanged', async () => {
    const engine = localEngine();
    const before = await getEngineStatus(engine);
    assert.equal(before.swarm, 'active', 'the test bed engine is a swarm manager');
    await assert.rejects(initSwarm(engine), (err: unknown) => {
      assert.ok(isConflictError(err), `expected a ConflictError, got ${String(err)}`);
      assert.match((err as Error).message, /^The Docker engine at .+ is already part of a swarm; nothing to initialise\.$/);
      return true;
    });
    const after = await getEngineStatus(engine);
    assert.equal(after.nodeId, before.nodeId, 'the swarm node is the same');
  });

  it('says what it does before it runs: manager, services, port 2377, how to undo', () => {
    const text = swarmInitExplanation(localEngine());
    for (const part of [/single-node swarm and its manager/, /port 2377/, /docker swarm leave --force/]) assert.match(text, part);
  });
});
