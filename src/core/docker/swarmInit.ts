/**
 * `docker swarm init` through the Docker API (POST /swarm/init), for the first-run welcome
 * view: it makes the engine a single-node swarm whose one node is the manager.
 */
import { ConflictError, DockerError } from '../errors';
import { describeTarget } from './target';
import { type Engine } from './engine';

/** The swarm's cluster management port, as `docker swarm init` listens on by default. */
export const SWARM_LISTEN_ADDR = '0.0.0.0:2377';

/** What `docker swarm init` does, in the words the confirmation shows before it runs. */
export function swarmInitExplanation(engine: Engine): string {
  return (
    `docker swarm init makes the Docker engine at ${describeTarget(engine.target)} a single-node swarm and its manager: ` +
    'it can then run services (redis-swarm runs one per Redis node), overlay networks, configs and secrets. ' +
    `The engine starts listening for other swarm nodes on port 2377 and keeps running your containers as before; ` +
    '`docker swarm leave --force` undoes it.'
  );
}

/**
 * The new swarm's node, or Docker's request for an advertise address (a machine with several
 * addresses): the caller asks the user for one and calls again.
 */
export type SwarmInitResult = { readonly nodeId: string } | { readonly advertiseAddrNeeded: string };

/**
 * Initialises a swarm. `advertiseAddr` is the address other nodes reach this one at; Docker
 * picks it itself unless the machine has several (then it asks for one, and so does the error).
 */
export async function initSwarm(engine: Engine, advertiseAddr?: string): Promise<SwarmInitResult> {
  const where = describeTarget(engine.target);
  try {
    const nodeId = (await engine.docker.swarmInit({ ListenAddr: SWARM_LISTEN_ADDR, ...(advertiseAddr ? { AdvertiseAddr: advertiseAddr } : {}) })) as unknown;
    return { nodeId: typeof nodeId === 'string' ? nodeId : String(nodeId) };
  } catch (err) {
    const e = err as { statusCode?: number; json?: { message?: string }; message?: string };
    const why = e.json?.message ?? e.message ?? String(err);
    // 503: already part of a swarm (Docker answers "This node is already part of a swarm").
    if (e.statusCode === 503 && /already part of a swarm/i.test(why)) {
      throw new ConflictError(`The Docker engine at ${where} is already part of a swarm; nothing to initialise.`, { cause: err });
    }
    if (!advertiseAddr && /advertise address/i.test(why)) return { advertiseAddrNeeded: why };
    throw new DockerError(`docker swarm init failed on the Docker engine at ${where}: ${why}`, { cause: err });
  }
}
