import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterObjects, destroyCluster, findClusterObjects } from '../../core/swarm/destroy';
import { describeVolumesLeft } from '../../core/swarm/nodeVolumes';
import { type CommandDef } from './commandContext';
import { resolveCluster } from './pickCluster';

const DESTROY = 'Destroy';
const WITH_VOLUMES = 'Destroy with volumes';
const DELETE_VOLUMES = 'Delete volumes too';

/** The objects, named, for the confirmation dialog (volumes only when they will go). */
export function describeObjects(o: ClusterObjects, withVolumes: boolean): string {
  const line = (what: string, names: readonly string[]): string[] => (names.length > 0 ? [`${what}: ${names.join(', ')}`] : []);
  return [
    ...line('Services', o.services),
    ...line('Configs', o.configs),
    ...line('Secrets', o.secrets),
    ...line('Networks', o.networks),
    ...(withVolumes ? line('Volumes (and all data in them)', o.volumes) : []),
  ].join('\n');
}

/**
 * `redisSwarm.destroyCluster`: a modal naming every object that will be removed; volumes (and
 * the data in them) only after a second modal naming them, when "Destroy with volumes" was
 * chosen. Objects are found by redis-swarm's labels, so hand-made services are never touched.
 */
export const destroyClusterCommand: CommandDef = {
  id: 'redisSwarm.destroyCluster',
  async run(ctx, arg) {
    const cluster = await resolveCluster(ctx, arg, { title: 'Destroy Cluster', filter: (c) => c.swarm.managed });
    if (!cluster) return undefined;
    if (!cluster.swarm.managed) {
      throw new BadInputError(`Cluster "${cluster.name}" was not deployed by redis-swarm (no labels), so Destroy will not touch it; remove its services with docker.`);
    }
    const engine = ctx.engines.get();
    const objects = await findClusterObjects(engine.docker, cluster.name, true);
    const choice = await vscode.window.showWarningMessage(
      `Destroy Redis cluster "${cluster.name}"? This removes:`,
      {
        modal: true,
        detail: `${describeObjects(objects, false)}\n\nVolumes (${objects.volumes.length}) are kept unless you choose "${WITH_VOLUMES}".`,
      },
      DESTROY,
      WITH_VOLUMES,
    );
    if (!choice) return undefined;
    let volumes = false;
    if (choice === WITH_VOLUMES) {
      const sure = await vscode.window.showWarningMessage(
        `Delete the volumes of "${cluster.name}" too? Their data cannot be recovered.`,
        { modal: true, detail: describeObjects(objects, true) },
        DELETE_VOLUMES,
      );
      if (sure !== DELETE_VOLUMES) return undefined;
      volumes = true;
    }
    try {
      const removed = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `Destroying Redis cluster ${cluster.name}` },
        (progress) => destroyCluster(engine, cluster.name, { volumes, progress }),
      );
      await ctx.passwords.delete(cluster.name);
      ctx.logger.info(`destroyed cluster ${cluster.name}:\n${describeObjects(removed, volumes)}`);
      void vscode.window.showInformationMessage(
        `Destroyed Redis cluster ${cluster.name}${volumes ? ' and its volumes' : `; its ${removed.volumes.length === 0 ? objects.volumes.length : removed.volumes.length} volume(s) were kept`}.`,
      );
      // Volumes on nodes this engine cannot reach are named, never dropped silently.
      const left = describeVolumesLeft(removed.volumesByNode ?? []);
      if (left) void vscode.window.showWarningMessage(left);
      return removed;
    } finally {
      ctx.refresh.request(`destroy ${cluster.name}`);
    }
  },
};
