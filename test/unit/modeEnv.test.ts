/** The node command deploy gives each service, run by a real sh with a stand-in redis-server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { specForNewNode } from '../../src/core/ops/addNode';
import { modeEnvEntry, nodeCommand, readsModeLabel } from '../../src/core/swarm/modeEnv';

function runNode(mode: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), 'k5-mode-'));
  try {
    // Prints the arguments it was started with, one a line.
    writeFileSync(join(dir, 'redis-server'), '#!/bin/sh\nfor a in "$@"; do echo "$a"; done\n');
    chmodSync(join(dir, 'redis-server'), 0o755);
    const [cmd, ...args] = nodeCommand('/usr/local/etc/redis/redis.conf', 'c-3');
    const env: NodeJS.ProcessEnv = { PATH: `${dir}:${process.env['PATH'] ?? ''}` };
    if (mode !== undefined) env['REDIS_SWARM_MODE'] = mode;
    return execFileSync(cmd as string, args, { encoding: 'utf8', env });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('each task starts redis-server in the mode its service label gives, over redis.conf', () => {
  const base = '/usr/local/etc/redis/redis.conf\n--cluster-announce-hostname\nc-3\n';
  assert.equal(runNode('cache'), `${base}--cluster-require-full-coverage\nno\n`);
  assert.equal(runNode('persistent'), `${base}--cluster-require-full-coverage\nyes\n`);
  // No label (removed by hand): redis.conf's deploy-time setting stands.
  assert.equal(runNode(''), base);
  assert.equal(runNode(undefined), base);
  assert.equal(runNode('$(echo cache)'), base, 'a label value is data, never code');
});

test('add-node copies a sibling: the new node gets its own name and reads the mode label too', () => {
  const sibling = { Name: 'c-3', TaskTemplate: { ContainerSpec: { Command: nodeCommand('/c.conf', 'c-3'), Env: [modeEnvEntry()] } } };
  const spec = specForNewNode(sibling, 'c', 7);
  assert.deepEqual(spec.TaskTemplate?.ContainerSpec?.Command, nodeCommand('/c.conf', 'c-7'));
  assert.equal(readsModeLabel(spec.TaskTemplate?.ContainerSpec as { Env?: string[] }), true);
});

test('a service reads the mode label when its environment carries the template', () => {
  assert.equal(modeEnvEntry(), 'REDIS_SWARM_MODE={{index .Service.Labels "org.redis-swarm.mode"}}');
  assert.equal(readsModeLabel({ Env: ['A=1', modeEnvEntry()] }), true);
  assert.equal(readsModeLabel({ Env: ['A=1'] }), false);
  assert.equal(readsModeLabel({}), false);
  assert.equal(readsModeLabel(undefined), false);
});
