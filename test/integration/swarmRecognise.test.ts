/**
 * Hand-made node services are recognised by what they run, not by their image's name: the
 * local Redis image re-tagged under a name without "redis", run with an explicit
 * `redis-server` command, with the image's default command, and behind a wrapper script that
 * names no server (the node is asked with a PING). A service that runs something else is left
 * out; services the user names (`--services`, or the cluster label) are taken whatever they run.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { listRedisImages } from '../../src/core/docker/images';
import { listSwarmClusters } from '../../src/core/swarm/discover';
import { TEST_IMAGE, localEngine, runPrefix, sweep } from '../support/swarm';

const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
const env = { ...process.env, DOCKER_HOST: '' };

function docker(args: string[], input?: string): string {
  return execFileSync('docker', args, { encoding: 'utf8', ...(input !== undefined ? { input } : { stdio: ['ignore', 'pipe', 'pipe'] }) });
}

const WRAPPER = '#!/bin/bash\n# Starts this site\'s cache node.\nexec "$(command -v redis-server)" --protected-mode no --cluster-enabled yes\n';

describe('hand-made node services recognised by what they run', { timeout: 300_000 }, () => {
  const p = runPrefix('k5r');
  const image = `${p}/cache:7`;
  const services: string[] = [];

  function create(name: string, extra: string[], argv: string[]): void {
    docker(['service', 'create', '-q', '--detach', '--name', name, '--network', `${p}-net`, '--endpoint-mode', 'dnsrr', '--restart-delay', '1s', ...extra, image, ...argv]);
    services.push(name);
  }

  before(async () => {
    docker(['tag', TEST_IMAGE, image]);
    docker(['network', 'create', '-d', 'overlay', '--attachable', `${p}-net`]);
    // A wrapper script that names no Redis server: only the running node can say what it is.
    docker(['config', 'create', `${p}-wrapper`, '-'], WRAPPER);
  });

  after(async () => {
    await sweep(p);
    try {
      docker(['rmi', image]);
    } catch {
      // Never tagged (the test failed before): nothing to remove.
    }
  });

  it('finds them under any image name, asks a wrapped node, and takes the services the user names', async () => {
    create(`${p}a-1`, [], ['redis-server', '--cluster-enabled', 'yes', '--protected-mode', 'no']);
    create(`${p}a-2`, [], []);
    create(`${p}w-1`, ['--config', `source=${p}-wrapper,target=/usr/local/bin/start-node,mode=0555`, '--entrypoint', '/usr/local/bin/start-node'], []);
    create(`${p}n-1`, [], ['sleep', '600']);
    create(`${p}odd`, ['--label', `org.redis-swarm.cluster=${p}l`], []);
    const deadline = Date.now() + 90_000;
    for (;;) {
      const states = docker(['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.CurrentState}}', ...services]);
      if (states.split('\n').filter((l) => l.startsWith('Running')).length === services.length) break;
      assert.ok(Date.now() < deadline, `the services run within 90 s:\n${states}`);
      await new Promise((r) => setTimeout(r, 250));
    }

    const clusters = await listSwarmClusters(localEngine().docker);
    const ours = new Map(clusters.filter((c) => c.name.startsWith(p)).map((c) => [c.name, c.nodes.map((n) => n.service)]));
    assert.deepEqual(ours.get(`${p}a`), [`${p}a-1`, `${p}a-2`], `a node running redis-server, and one running its image's default command, under ${image}`);
    assert.deepEqual(ours.get(`${p}w`), [`${p}w-1`], 'a node behind a wrapper script answers PING');
    assert.equal(ours.has(`${p}n`), false, 'a service running something else is no Redis node');
    assert.deepEqual(ours.get(`${p}l`), [`${p}odd`], 'a service labelled with a cluster name belongs to it');

    // doctor and the Deploy wizard list the re-tagged image too, with its Redis version.
    const listed = (await listRedisImages(localEngine().docker)).find((i) => i.tag === image);
    assert.ok(listed?.redisVersion && listed.clusterReady === true, `${image} is listed as a Redis 7 image: ${JSON.stringify(listed)}`);

    // --services: the user's own list, whatever the names; node 2 is the wrapped one.
    const pong = execFileSync(BIN, ['cli', '--cluster', `${p}s`, '--services', `${p}odd,${p}w-1`, '--node', '2', 'ping'], { encoding: 'utf8', env });
    assert.equal(pong.trim(), 'PONG');
    assert.throws(
      () => execFileSync(BIN, ['cli', '--cluster', `${p}s`, '--services', `${p}odd,${p}nothere`, 'ping'], { encoding: 'utf8', env, stdio: 'pipe' }),
      (err: { stderr?: string }) => /No service named .*nothere/.test(String(err.stderr)),
    );
  });
});
