/**
 * `redis-swarm --version` prints package.json's version, which esbuild puts into the bundle at
 * build time: the real `bin/redis-swarm` process (needs `npm run build`, dist/cli.js).
 */
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';

// out/test/integration -> the repository root.
const ROOT = path.resolve(__dirname, '..', '..', '..');

test("redis-swarm --version prints package.json's version", () => {
  const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'redis-swarm'), '--version'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout, `redis-swarm ${version}\n`);
});
