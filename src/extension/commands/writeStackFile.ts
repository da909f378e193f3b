import * as vscode from 'vscode';
import { stackNeedsSwarmObjects } from '../../core/swarm/stackFile';
import { type WrittenStackFile, writeStackFiles } from '../../core/swarm/stackFileWrite';
import { type CommandDef } from './commandContext';
import { DeployWizard, deployOptionsOf } from './deployWizard';

/**
 * `redisSwarm.writeStackFile`: the Deploy wizard's steps but users, then a save dialog, and the
 * cluster is written as a Compose stack file (and its redis.conf beside it) for
 * `docker stack deploy`, as `redis-swarm deploy --stack-file` writes it. Without TLS nothing is
 * created on the swarm; with TLS the CA, certificates and keys the file names as external are
 * created on the selected engine's swarm first (keys never go into a file). The file opens in an editor.
 */
export const writeStackFileCommand: CommandDef = {
  id: 'redisSwarm.writeStackFile',
  async run(ctx) {
    const answers = await new DeployWizard(ctx, {
      title: vscode.l10n.t('Write Stack File'),
      actionLabel: vscode.l10n.t('$(save) Write Stack File'),
      actionDescription: (name) => vscode.l10n.t('choose where to save the stack file of cluster {0}', name),
      passwordKept: vscode.l10n.t('the file names an external Docker secret, and VS Code keeps the password in SecretStorage'),
      // No users step here: stack files with ACL users are written by `redis-swarm deploy
      // --stack-file --user …`, which also prints each user's password secret.
      offersUsers: false,
    }).run();
    if (!answers) return undefined;
    const o = deployOptionsOf(answers);
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      title: vscode.l10n.t('Save the stack file of cluster {0}', o.name),
      saveLabel: vscode.l10n.t('Write Stack File'),
      filters: { [vscode.l10n.t('Compose stack file')]: ['yml', 'yaml'] },
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, `${o.name}-stack.yml`) } : {}),
    });
    if (!target) return undefined;
    const written = stackNeedsSwarmObjects(o)
      ? await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: vscode.l10n.t('Creating the secrets and certificates of cluster {0}', o.name) }, (progress) =>
          writeStackFiles(target.fsPath, o, { engine: ctx.engines.get(), progress, logger: ctx.logger }),
        )
      : await writeStackFiles(target.fsPath, o);
    // The password never goes into the file: the model reader finds it here once the stack runs.
    if (o.password !== undefined) await ctx.passwords.store(o.name, { password: o.password });
    ctx.logger.info(`wrote stack file ${written.stackFile} and ${written.confFile} for cluster ${o.name}`);
    await vscode.window.showTextDocument(target);
    if (written.created) ctx.logger.info(`created for stack file ${written.stackFile}: ${createdText(written.created)}`);
    const steps = [
      ...(written.created ? [vscode.l10n.t('Created on the swarm (the file names them as external; redis-swarm destroy --cluster {0} removes them): {1}', o.name, createdText(written.created))] : []),
      ...(written.rendered.secret ? [vscode.l10n.t('Create the password secret first, with the password in $REDIS_PASSWORD: {0}', written.rendered.secret.createCommand)] : []),
      vscode.l10n.t('Deploy it: {0}', written.deployCommand),
      vscode.l10n.t('Then form it: Create Cluster from Services (or redis-swarm create --cluster {0}).', o.name),
    ];
    ctx.output.info(steps.join('\n'));
    const copy = vscode.l10n.t('Copy Commands');
    const log = vscode.l10n.t('Show Log');
    void vscode.window
      .showInformationMessage(written.created
          ? vscode.l10n.t('Wrote {0} and {1}. {2}', written.stackFile, written.confFile, steps.join(' '))
          : vscode.l10n.t('Wrote {0} and {1}; nothing was created on the swarm. Next: {2}', written.stackFile, written.confFile, steps.join(' ')), copy, log)
      .then((choice) => {
        if (choice === copy) void vscode.env.clipboard.writeText([...(written.rendered.secret ? [written.rendered.secret.createCommand] : []), written.deployCommand].join('\n'));
        if (choice === log) ctx.output.show(true);
      });
    return written.stackFile;
  },
};

function createdText(created: NonNullable<WrittenStackFile['created']>): string {
  return [
    vscode.l10n.t('secrets {0}', created.secrets.join(', ')),
    ...(created.configs.length > 0 ? [vscode.l10n.t('configs {0}', created.configs.join(', '))] : []),
    ...(created.reusedCa ? [vscode.l10n.t('the CA kept by destroy --keep-ca ({0}) signed the node certificates', created.reusedCa)] : []),
  ].join('; ');
}
