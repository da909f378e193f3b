/**
 * Helpers for tests on the real local swarm. Every object a test makes carries a per-run
 * prefix, and `sweep(prefix)` removes everything with that prefix (services first, then their
 * containers' volumes, configs, secrets, networks), so a failed test leaves nothing behind and
 * two runs never collide.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { openEngine, type Engine } from '../../src/core/docker/engine';

/** The local test image scripts/setup.sh builds (no registry here to pull redis:7 from). */
export const TEST_IMAGE = process.env['REDIS_SWARM_IMAGE'] ?? 'redis-swarm/redis:7-local';

/** A short, hostname-safe prefix unique to this run. */
export function runPrefix(tag: string): string {
  return `t${tag}${randomBytes(3).toString('hex')}`;
}

export function localEngine(): Engine {
  return openEngine({ env: { ...process.env, DOCKER_HOST: '' } });
}

function docker(args: string[]): string {
  return execFileSync('docker', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
}

function lines(out: string): string[] {
  return out.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Names of every swarm object whose name starts with the prefix. */
export function leftovers(prefix: string): string[] {
  const match = (n: string): boolean => n.startsWith(prefix);
  return [
    ...lines(docker(['service', 'ls', '--format', '{{.Name}}'])).filter(match).map((n) => `service ${n}`),
    ...lines(docker(['volume', 'ls', '--format', '{{.Name}}'])).filter(match).map((n) => `volume ${n}`),
    ...lines(docker(['config', 'ls', '--format', '{{.Name}}'])).filter(match).map((n) => `config ${n}`),
    ...lines(docker(['secret', 'ls', '--format', '{{.Name}}'])).filter(match).map((n) => `secret ${n}`),
    ...lines(docker(['network', 'ls', '--format', '{{.Name}}'])).filter(match).map((n) => `network ${n}`),
  ];
}

/** Removes everything named with the prefix; safe to call when nothing was made. */
export async function sweep(prefix: string): Promise<void> {
  const match = (n: string): boolean => n.startsWith(prefix);
  // A task run without a /data mount gets an anonymous volume (the image declares VOLUME /data),
  // which removing its service leaves behind: note them while their containers still exist.
  const containers = lines(docker(['ps', '-a', '--format', '{{.Names}}'])).filter(match);
  const anonymous = new Set<string>();
  for (const c of containers) {
    try {
      for (const n of docker(['inspect', '--format', '{{range .Mounts}}{{if eq .Type "volume"}}{{.Name}} {{end}}{{end}}', c]).split(/\s+/)) {
        if (/^[0-9a-f]{64}$/.test(n)) anonymous.add(n);
      }
    } catch {
      // Gone since it was listed (swarm prunes old tasks): its volume went with it, or stays unknown.
    }
  }
  const services = lines(docker(['service', 'ls', '--format', '{{.Name}}'])).filter(match);
  if (services.length > 0) docker(['service', 'rm', ...services]);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const left = lines(docker(['ps', '-a', '--format', '{{.Names}}'])).filter(match);
    if (left.length === 0) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  for (const kind of ['config', 'secret'] as const) {
    const names = lines(docker([kind, 'ls', '--format', '{{.Name}}'])).filter(match);
    if (names.length > 0) docker([kind, 'rm', ...names]);
  }
  for (let attempt = 0; attempt < 20; attempt++) {
    const nets = lines(docker(['network', 'ls', '--format', '{{.Name}}'])).filter(match);
    const vols = lines(docker(['volume', 'ls', '--format', '{{.Name}}'])).filter((n) => match(n) || anonymous.has(n));
    if (nets.length + vols.length === 0) return;
    try {
      if (nets.length > 0) docker(['network', 'rm', ...nets]);
      if (vols.length > 0) docker(['volume', 'rm', ...vols]);
    } catch {
      // Endpoints and volumes are released a moment after containers stop; try again.
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

/**
 * Deploys and forms a cluster on the local swarm (for tests that need a live one: the VS Code
 * views, heal, operations). Everything it creates is named `<name>-…`; remove it with
 * `sweep(name)` in an `after` hook.
 */
export async function deployFormedCluster(
  name: string,
  options: { nodes?: number; replicas?: number; publishBase?: number; password?: string; mode?: 'cache' | 'persistent' } = {},
): Promise<void> {
  const { deployCluster } = await import('../../src/core/swarm/deploy');
  const { DEPLOY_DEFAULTS } = await import('../../src/core/swarm/deployOptions');
  const { openClusterAccess } = await import('../../src/core/swarm/clusterAccess');
  const { formSwarmCluster, planSwarmCreate } = await import('../../src/core/swarm/formCluster');
  await deployCluster(localEngine(), {
    ...DEPLOY_DEFAULTS,
    name,
    image: TEST_IMAGE,
    network: `${name}-net`,
    nodeTimeoutMs: 2000,
    nodes: options.nodes ?? 6,
    replicas: options.replicas ?? 1,
    mode: options.mode ?? 'persistent',
    ...(options.publishBase !== undefined ? { publishBase: options.publishBase } : {}),
    ...(options.password !== undefined ? { password: options.password } : { insecureNoPassword: true }),
  });
  const access = await openClusterAccess(name, { env: { ...process.env, DOCKER_HOST: '' } });
  try {
    await formSwarmCluster(access, planSwarmCreate(access, options.replicas ?? 1));
  } finally {
    await access.dispose();
  }
}

/**
 * The blog's deployment, by hand: services `<name>-1` … `<name>-<n>` running
 * `redis-server --cluster-enabled yes` on an overlay network, no labels, no volumes, no
 * published ports; formed through the core once every task runs (bounded: 60 s).
 */
export async function deployHandMadeCluster(name: string, nodes = 6, replicas = 1): Promise<void> {
  const { openClusterAccess } = await import('../../src/core/swarm/clusterAccess');
  const { formSwarmCluster, planSwarmCreate } = await import('../../src/core/swarm/formCluster');
  execFileSync('docker', ['network', 'create', '-d', 'overlay', '--attachable', `${name}-net`], { stdio: 'ignore' });
  for (let i = 1; i <= nodes; i++) {
    execFileSync('docker', ['service', 'create', '-q', '--detach', '--name', `${name}-${i}`, '--network', `${name}-net`, '--endpoint-mode', 'dnsrr',
      '--restart-delay', '1s', TEST_IMAGE, 'redis-server', '--cluster-enabled', 'yes', '--cluster-node-timeout', '2000', '--protected-mode', 'no'], { stdio: 'ignore' });
  }
  const env = { ...process.env, DOCKER_HOST: '' };
  const deadline = Date.now() + 60_000;
  for (;;) {
    const access = await openClusterAccess(name, { env }).catch(() => undefined);
    const running = access?.cluster.nodes.filter((n) => n.task?.state === 'running' && n.task.ip).length ?? 0;
    if (access && running === nodes && access.cluster.nodes.length === nodes) {
      try {
        await formSwarmCluster(access, planSwarmCreate(access, replicas));
      } finally {
        await access.dispose();
      }
      return;
    }
    await access?.dispose();
    if (Date.now() > deadline) throw new Error(`the hand-made services of ${name} did not all run within 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}
