/**
 * What the stack-file tests share: the built CLI and `docker` run to completion under a bound,
 * waiting for a stack's node tasks to run, and the sweep of a stack and its prefix.
 */
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import * as path from 'node:path';
import { type SwarmCluster, findSwarmCluster, runningNodes } from '../../src/core/swarm/discover';
import { pollUntil } from '../../src/core/lifecycle';
import { type Run, runProcess } from './runProcess';
import { localEngine, sweep } from './swarm';

/** Bound on one CLI run (a bound, not an assertion: the machine is shared and slow). */
const RUN_BOUND_MS = 240_000;
/** Bound on a stack's tasks all running. */
const STACK_TASKS_BOUND_MS = 180_000;

/** `env` is added to this process's (DOCKER_HOST cleared: the local engine); an undefined value unsets a variable. */
export function runBounded(command: string, args: readonly string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return runProcess(command, args, { boundMs: RUN_BOUND_MS, ...(options.cwd ? { cwd: options.cwd } : {}), env: { ...process.env, DOCKER_HOST: '', ...options.env } });
}

/** The built `bin/redis-swarm`. */
export function runCliBounded(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return runBounded(process.execPath, [path.resolve('bin/redis-swarm'), ...args], { env });
}

export function expectOk(r: Run, what: string): void {
  assert.equal(r.status, 0, `${what} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
}

/** The cluster once `nodes` of its stack's tasks run. */
export async function waitStackCluster(cluster: string, nodes: number): Promise<SwarmCluster> {
  const docker = localEngine().docker;
  let found: SwarmCluster | undefined;
  await pollUntil(
    async () => {
      found = await findSwarmCluster(docker, cluster).catch(() => undefined);
      return found && runningNodes(found).length === nodes ? undefined : `${found ? runningNodes(found).length : 0} of ${nodes} running`;
    },
    { deadline: Date.now() + STACK_TASKS_BOUND_MS, intervalMs: 500, timeout: (m) => `the stack's tasks did not all run (${m})`, cancelled: 'cancelled' },
  );
  return found as SwarmCluster;
}

/** Removes the stack (when still there), everything named with the prefix, and the files' folder. */
export async function sweepStack(stack: string, prefix: string, dir: string): Promise<void> {
  try {
    execFileSync('docker', ['stack', 'rm', stack], { stdio: 'ignore' });
  } catch {
    // No such stack (destroy removed it, or it was never deployed).
  }
  await sweep(prefix);
  rmSync(dir, { recursive: true, force: true });
}
