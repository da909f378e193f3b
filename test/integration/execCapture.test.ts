/**
 * A command run in a container through the Docker API: its output comes back, and a command
 * that exits non-zero is a Docker failure (the container's exit code), not a Redis one.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { isDockerError, isRedisError } from '../../src/core/errors';
import { execCapture } from '../../src/core/swarm/exec';
import { localEngine, runPrefix, sweep, TEST_IMAGE } from '../support/swarm';

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

describe('a command in a container (execCapture)', { timeout: 120_000 }, () => {
  const p = runPrefix('k7x');
  const engine = localEngine();
  let container = '';

  before(() => {
    container = docker(['run', '-d', '--name', `${p}-exec`, TEST_IMAGE, 'sleep', '600']);
  });
  after(async () => {
    // A plain container, not a service: removed by name, then anything else of the run.
    try {
      docker(['rm', '-f', '-v', `${p}-exec`]);
    } catch {
      // never started
    }
    await sweep(p);
  });

  it('returns what the command printed', async () => {
    assert.equal(await execCapture(engine.docker, container, ['bash', '-c', 'echo hello']), 'hello\n');
  });

  it('reports a non-zero exit as a Docker error naming the code', async () => {
    await assert.rejects(execCapture(engine.docker, container, ['bash', '-c', 'exit 3']), (e: unknown) => {
      assert.ok(isDockerError(e), `a DockerError, got ${String(e)}`);
      assert.ok(!isRedisError(e), 'not a Redis error');
      assert.match((e as Error).message, /exited with 3/);
      return true;
    });
  });
});
