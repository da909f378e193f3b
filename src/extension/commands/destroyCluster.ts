import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterObjects, destroyCluster, findClusterObjects, keepCaObjects } from '../../core/swarm/destroy';
import { describeVolumesLeft } from '../../core/swarm/nodeVolumes';
import { type CommandDef } from './commandContext';
import { resolveCluster } from './pickCluster';

/** The dialogs' buttons (functions: vscode.l10n reads the bundle at activation, not at import). */
const DESTROY = (): string => vscode.l10n.t('Destroy');
const WITH_VOLUMES = (): string => vscode.l10n.t('Destroy with volumes');
const DELETE_VOLUMES = (): string => vscode.l10n.t('Delete volumes too');
/** Volumes go too: a re-deploy of the same name refuses existing volumes. */
const KEEP_CA = (): string => vscode.l10n.t('Destroy with volumes, keep the TLS CA');

/** The objects, named, for the confirmation dialog (volumes only when they will go). */
export function describeObjects(o: ClusterObjects, withVolumes: boolean): string {
  const line = (what: string, names: readonly string[]): string[] => (names.length > 0 ? [`${what}: ${names.join(', ')}`] : []);
  return [
    ...line(vscode.l10n.t('Services'), o.services),
    ...line(vscode.l10n.t('Configs'), o.configs),
    ...line(vscode.l10n.t('Secrets'), o.secrets),
    ...line(vscode.l10n.t('Networks'), o.networks),
    ...(withVolumes ? line(vscode.l10n.t('Volumes (and all data in them)'), o.volumes) : []),
  ].join('\n');
}

/**
 * `redisSwarm.destroyCluster`: a modal naming every object that will be removed; volumes (and
 * the data in them) only after a second modal naming them, when "Destroy with volumes" was
 * chosen. A cluster with a generated TLS CA may keep it (`destroy --keep-ca`), for a re-deploy
 * that clients trusting it survive. Objects are found by redis-swarm's labels, so hand-made
 * services are never touched.
 */
export const destroyClusterCommand: CommandDef = {
  id: 'redisSwarm.destroyCluster',
  async run(ctx, arg) {
    const cluster = await resolveCluster(ctx, arg, { title: vscode.l10n.t('Destroy Cluster'), filter: (c) => c.swarm.managed });
    if (!cluster) return undefined;
    if (!cluster.swarm.managed) {
      throw new BadInputError(vscode.l10n.t('Cluster "{0}" was not deployed by redis-swarm (no labels), so Destroy will not touch it; remove its services with docker.', cluster.name));
    }
    const engine = ctx.engines.get();
    const objects = await findClusterObjects(engine.docker, cluster.name, true);
    const ca = keepCaObjects(cluster.name, objects).keptCa ?? [];
    const choice = await vscode.window.showWarningMessage(
      vscode.l10n.t('Destroy Redis cluster "{0}"? This removes:', cluster.name),
      {
        modal: true,
        detail:
          vscode.l10n.t('{0}\n\nVolumes ({1}) are kept unless you choose "{2}".', describeObjects(objects, false), objects.volumes.length, WITH_VOLUMES()) +
          (ca.length > 0 ? `\n\n${vscode.l10n.t('"{0}" keeps the TLS CA ({1}): a later TLS deploy of "{2}" signs its nodes with it, so clients that trust it keep working.', KEEP_CA(), ca.join(', '), cluster.name)}` : ''),
      },
      DESTROY(),
      WITH_VOLUMES(),
      ...(ca.length > 0 ? [KEEP_CA()] : []),
    );
    if (!choice) return undefined;
    let volumes = false;
    const keepCa = choice === KEEP_CA();
    if (choice === WITH_VOLUMES() || keepCa) {
      const sure = await vscode.window.showWarningMessage(
        vscode.l10n.t('Delete the volumes of "{0}" too? Their data cannot be recovered.', cluster.name),
        { modal: true, detail: describeObjects(objects, true) },
        DELETE_VOLUMES(),
      );
      if (sure !== DELETE_VOLUMES()) return undefined;
      volumes = true;
    }
    try {
      const removed = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Destroying Redis cluster {0}', cluster.name) },
        (progress) => destroyCluster(engine, cluster.name, { volumes, keepCa, progress }),
      );
      await ctx.passwords.delete(cluster.name);
      ctx.logger.info(`destroyed cluster ${cluster.name}:\n${describeObjects(removed, volumes)}`);
      void vscode.window.showInformationMessage(
        keepCa
          ? vscode.l10n.t('Destroyed Redis cluster {0} and its volumes; kept its TLS CA ({1}) for the next TLS deploy of that name.', cluster.name, (removed.keptCa ?? []).join(', '))
          : volumes
          ? vscode.l10n.t('Destroyed Redis cluster {0} and its volumes.', cluster.name)
          : vscode.l10n.t('Destroyed Redis cluster {0}; its {1} volume(s) were kept.', cluster.name, removed.volumes.length === 0 ? objects.volumes.length : removed.volumes.length),
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
