import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');

function doctor(env: NodeJS.ProcessEnv, ...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(BIN, ['doctor', ...args], { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('redis-swarm doctor against the real engine', () => {
  it('reports the engine version, how it was reached, an active swarm and the local image', () => {
    const r = doctor({ DOCKER_HOST: '' });
    assert.equal(r.code, 0, `exit 0; stderr: ${r.stderr}`);
    assert.match(r.stdout, /^engine: Docker \d+\.\d+\.\d+/m);
    assert.match(r.stdout, /^reached: unix:\/\/\/var\/run\/docker\.sock \(the default socket\)$/m);
    assert.match(r.stdout, /^swarm: active \(this node is a manager\)$/m);
    assert.match(r.stdout, /redis-swarm\/redis:7-local {2}Redis 7\.\d+\.\d+, cluster-ready/);
  });

  it('says in one sentence that an unreachable engine is unreachable, and exits non-zero', () => {
    const r = doctor({ DOCKER_HOST: 'tcp://127.0.0.1:1' });
    assert.notEqual(r.code, 0);
    assert.equal(r.stdout, '');
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines.length, 1, `one line, got:\n${r.stderr}`);
    assert.match(lines[0] ?? '', /Cannot reach the Docker engine at tcp:\/\/127\.0\.0\.1:1 \(from DOCKER_HOST\): the connection was refused\./);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  });

  it('prints JSON with --json', () => {
    const r = doctor({ DOCKER_HOST: '' }, '--json');
    const parsed = JSON.parse(r.stdout) as { engine: { swarm: string; isManager: boolean } };
    assert.equal(parsed.engine.swarm, 'active');
    assert.equal(parsed.engine.isManager, true);
  });

  it('refuses an unknown option by name', () => {
    const r = doctor({}, '--bogus');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Unknown option --bogus/);
  });
});
