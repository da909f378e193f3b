/**
 * A verb that fails on a broken connection (a tunnel reset, a socket hang-up) usually failed
 * because the Docker engine went away under it: an ssh link dropped, a TLS engine's machine
 * stopped. Redis's own words ("10.0.4.6:6379: write ECONNRESET") would send the user looking at
 * the wrong thing, so the engine is asked once more, and when it no longer answers the user is
 * told that instead, with what finishes the cut-off work once it is back.
 */
import { getEngineStatus, openEngine } from '../core/docker/engine';
import { isDockerUnreachableError, isRedisSwarmError } from '../core/errors';
import { type FlagSpecs, flagString, parseArgs } from './args';
import { engineOptions } from './verbs/dockerFlags';

/** Errors that are the user's or the cluster's, never the engine's: no second look needed. */
const NOT_TRANSPORT = ['bad-input', 'cancelled', 'conflict', 'not-found', 'swarm-inactive', 'swarm-not-manager', 'docker-unreachable'] as const;

export async function engineLostSentence(err: unknown, argv: readonly string[], flags: FlagSpecs | undefined, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (!flags || !('host' in flags)) return undefined;
  if (NOT_TRANSPORT.some((k) => isRedisSwarmError(err, k))) return undefined;
  let args;
  try {
    args = parseArgs(argv, flags);
  } catch {
    return undefined;
  }
  try {
    await getEngineStatus(openEngine(engineOptions(args, env)));
    return undefined;
  } catch (e) {
    if (!isDockerUnreachableError(e)) return undefined;
    const cluster = flagString(args, 'cluster');
    const finish = cluster ? `\`redis-swarm fix --cluster ${cluster}\` then \`heal --cluster ${cluster}\`` : '`redis-swarm fix` then `heal`';
    return `Lost the Docker engine mid-operation (${e.message.replace(/\.$/, '')}); once it answers again, ${finish} finish what was cut off.`;
  }
}
