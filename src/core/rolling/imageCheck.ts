/**
 * Before an upgrade: is the image there, and can its Redis join this cluster? There is no
 * registry to ask, so the image must be on the engine (`docker image inspect`) and, on a
 * multi-node swarm, on every node that may run a task (a probe through the manager); its Redis
 * version is what its own `redis-server --version` says in a throwaway container (no network,
 * removed with its anonymous volume), which works for any image that runs redis-server, labels
 * or not. A major downgrade is refused (an older major cannot read the newer RDB format a
 * replica would receive), and so is anything older than Redis 7.
 */
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { imageExists, MIN_CLUSTER_REDIS_MAJOR } from '../docker/images';
import { BadInputError, DockerError, TimeoutError, describeError } from '../errors';
import { missingImageProblem, probeImageOnNodes } from '../swarm/imageProbe';

/** How long the throwaway container may take to print its version (ms). */
export const VERSION_PROBE_TIMEOUT_MS = 30_000;

/** `Redis server v=7.0.15 sha=…` → 7.0.15. */
export function parseServerVersion(text: string): string | undefined {
  return /\bv=(\d+\.\d+\.\d+)/.exec(text)?.[1];
}

export function majorOf(version: string): number {
  return Number(version.split('.')[0]) || 0;
}

/** Why `to` cannot replace `from` in a running cluster, or undefined when it can. */
export function versionProblem(from: string | undefined, to: string): string | undefined {
  if (majorOf(to) < MIN_CLUSTER_REDIS_MAJOR) return `it runs Redis ${to}; redis-swarm needs Redis ${MIN_CLUSTER_REDIS_MAJOR} or later`;
  if (from !== undefined && majorOf(to) < majorOf(from)) {
    return `it runs Redis ${to}, a major downgrade from ${from}: a replica of an older major cannot load what a newer master sends`;
  }
  return undefined;
}

/** Runs `redis-server --version` in a throwaway container of the image. */
export async function probeImageVersion(docker: Docker, image: string, namePrefix: string): Promise<string> {
  const name = `${namePrefix}-version-probe-${randomBytes(3).toString('hex')}`;
  const container = await docker.createContainer({ name, Image: image, Cmd: ['redis-server', '--version'], HostConfig: { NetworkMode: 'none' } });
  try {
    await container.start();
    const waited = await Promise.race([
      container.wait() as Promise<{ StatusCode?: number }>,
      new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), VERSION_PROBE_TIMEOUT_MS).unref()),
    ]);
    if (waited === 'timeout') throw new TimeoutError(`"redis-server --version" in image ${image} did not finish within ${VERSION_PROBE_TIMEOUT_MS / 1000} s.`);
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false })) as unknown as Buffer;
    const version = parseServerVersion(logs.toString('latin1'));
    if (version === undefined) throw new DockerError(`Image ${image} did not print a Redis version for "redis-server --version" (exit ${waited.StatusCode ?? '?'}).`);
    return version;
  } finally {
    await container.remove({ force: true, v: true }).catch(() => undefined);
  }
}

/** Refuses an image that is absent or whose Redis cannot join a cluster running `clusterVersion`; returns its version. */
export async function checkUpgradeImage(docker: Docker, image: string, clusterVersion: string | undefined, namePrefix: string): Promise<string> {
  if (!(await imageExists(docker, image))) {
    // The version probe runs on the connected engine (the manager on a multi-node swarm), so that
    // engine needs the image even when no task of the cluster runs there.
    throw new BadInputError(
      `Image "${image}" is not on the engine redis-swarm is connected to, which runs it once to read its Redis version: ` +
        `"docker pull ${image}" (or build or load it) there and on every swarm node that may run a task. Nothing was changed.`,
    );
  }
  let version: string;
  try {
    version = await probeImageVersion(docker, image, namePrefix);
  } catch (err) {
    throw new BadInputError(`Cannot tell which Redis image "${image}" runs (${describeError(err).replace(/\.$/, '')}). Nothing was changed.`);
  }
  const problem = versionProblem(clusterVersion, version);
  if (problem) throw new BadInputError(`Not upgrading to ${image}: ${problem}. Nothing was changed.`);
  // On a multi-node swarm a task may land on any node, and there may be no registry to pull from.
  const missing = missingImageProblem(image, await probeImageOnNodes(docker, image));
  if (missing) throw new BadInputError(`Not upgrading to ${image}: ${missing}. Nothing was changed.`);
  return version;
}
