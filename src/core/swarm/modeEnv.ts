/**
 * The cluster mode where every new task reads it. A Docker config is immutable and a change to
 * a service's task template restarts its tasks, so a mode change can go neither into the shared
 * redis.conf nor into the command line. A service's labels change without a restart, and swarm
 * expands templates in a task's environment from the service as it is when the task is created:
 * so the node's command takes the mode from the org.redis-swarm.mode label, through the
 * environment, each time swarm starts a task (a restart on the same volume, or a reschedule on
 * a fresh one). `mode` changes the label and the live setting; nothing else is needed.
 */
import { LABEL_MODE } from './labels';

/** The variable a node's command reads its cluster's mode from. */
export const MODE_ENV = 'REDIS_SWARM_MODE';

/** `REDIS_SWARM_MODE={{index .Service.Labels "org.redis-swarm.mode"}}`: expanded by swarm per task. */
export function modeEnvEntry(): string {
  return `${MODE_ENV}={{index .Service.Labels "${LABEL_MODE}"}}`;
}

/**
 * The node's command: redis-server with the shared redis.conf and its own announced name, plus
 * the cluster-require-full-coverage of the current mode when the label gives one (otherwise
 * redis.conf's, written at deploy). The node's name stays an argument of its own, so add-node
 * can rename it in a copy (specForNewNode).
 */
export function nodeCommand(confPath: string, serviceName: string): string[] {
  const script =
    `case "$${MODE_ENV}" in ` +
    'cache) set -- "$@" --cluster-require-full-coverage no ;; ' +
    'persistent) set -- "$@" --cluster-require-full-coverage yes ;; ' +
    'esac; exec redis-server "$@"';
  // sh -c SCRIPT $0 $1…: $0 names the program (what `ps` and discovery see before the exec).
  return ['sh', '-c', script, 'redis-server', confPath, '--cluster-announce-hostname', serviceName];
}

/** Whether a node service's tasks read the mode label (deployed by a redis-swarm that does this). */
export function readsModeLabel(containerSpec: { readonly Env?: readonly string[] } | undefined): boolean {
  return (containerSpec?.Env ?? []).includes(modeEnvEntry());
}
