/**
 * Runs redis-swarm or redis-cli to its end, for the ACL tests, in an environment that carries
 * no REDISCLI_AUTH of the caller's (each run says how it logs in). Bounded: a run past the bound
 * is killed.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

export const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');

export interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

const withoutAuth: NodeJS.ProcessEnv = { ...process.env, DOCKER_HOST: '' };
delete withoutAuth['REDISCLI_AUTH'];

export function runLogin(command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; input?: string; boundMs: number }): Ran {
  const r = spawnSync(command, args, { input: options.input ?? '', encoding: 'utf8', timeout: options.boundMs, env: { ...withoutAuth, ...options.env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
