/**
 * The cluster mode where a restarted task reads it. A Docker config is immutable and any change
 * to a service's task template restarts its tasks, so a mode change cannot go into the shared
 * redis.conf. Instead the redis.conf deploy writes includes `/data/redis-swarm-*.conf`, and
 * `mode` (and heal, when it repairs a node) writes `/data/redis-swarm-mode.conf` on each running
 * node's own volume, through the Docker API as the tunnels do: a task that swarm restarts on the
 * same volume reads it. A fresh volume has no such file and starts in the mode deploy wrote;
 * check reports such a node and heal sets it (and writes its file).
 */
import Docker from 'dockerode';
import { errText } from '../redis/adminConnection';
import { ClusterMode } from './deployOptions';
import { SwarmCluster, runningNodes } from './discover';
import { execCapture } from './exec';
import { MODE_FILE, MODE_INCLUDE } from './redisConf';

export function renderModeFile(mode: ClusterMode): string {
  return `# Written by redis-swarm mode: this node's cluster mode (${mode}), read when its task restarts.\ncluster-require-full-coverage ${mode === 'cache' ? 'no' : 'yes'}\n`;
}

/**
 * Whether the cluster's nodes read a mode file: their redis.conf (a Docker config) has the
 * include. Clusters deployed before the mode file, and hand-made ones, do not.
 */
export async function clusterReadsModeFile(docker: Docker, cluster: SwarmCluster): Promise<boolean> {
  const first = cluster.nodes[0];
  if (!first || !cluster.managed) return false;
  try {
    const svc = (await docker.getService(first.serviceId).inspect()) as { Spec?: { TaskTemplate?: { ContainerSpec?: { Configs?: { ConfigID?: string }[] } } } };
    for (const c of svc.Spec?.TaskTemplate?.ContainerSpec?.Configs ?? []) {
      if (!c.ConfigID) continue;
      const config = (await docker.getConfig(c.ConfigID).inspect()) as { Spec?: { Data?: string } };
      const text = Buffer.from(config.Spec?.Data ?? '', 'base64').toString('utf8');
      if (text.split('\n').some((l) => l.trim() === MODE_INCLUDE)) return true;
    }
  } catch {
    // The service or its config is gone meanwhile: nothing reads a file then.
  }
  return false;
}

/**
 * Writes the mode file on each named running node (all running nodes when none are named).
 * One printf, one small write: Redis reads the file only when the task starts. Returns the
 * nodes where it could not be written, each with why.
 */
export async function writeModeFiles(docker: Docker, cluster: SwarmCluster, mode: ClusterMode, services?: readonly string[]): Promise<{ written: string[]; failed: string[] }> {
  const text = renderModeFile(mode);
  const nodes = runningNodes(cluster).filter((n) => !services || services.includes(n.service));
  const written: string[] = [];
  const failed: string[] = [];
  await Promise.all(
    nodes.map(async (n) => {
      try {
        // The content travels as an argument ($1), never inside the script's own text.
        await execCapture(docker, n.task?.containerId ?? '', ['bash', '-c', `printf '%s' "$1" > ${MODE_FILE}`, 'redis-swarm', text]);
        written.push(n.service);
      } catch (err) {
        failed.push(`${n.service}: could not write ${MODE_FILE} (${errText(err)})`);
      }
    }),
  );
  return { written: written.sort(), failed };
}
