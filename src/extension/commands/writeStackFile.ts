import * as vscode from 'vscode';
import { writeStackFiles } from '../../core/swarm/stackFileWrite';
import { type CommandDef } from './commandContext';
import { DeployWizard, deployOptionsOf } from './deployWizard';

/**
 * `redisSwarm.writeStackFile`: the Deploy wizard's nine steps, then a save dialog, and the
 * cluster is written as a Compose stack file (and its redis.conf beside it) for
 * `docker stack deploy`, as `redis-swarm deploy --stack-file` writes it. Nothing is created on
 * the swarm; the file opens in an editor.
 */
export const writeStackFileCommand: CommandDef = {
  id: 'redisSwarm.writeStackFile',
  async run(ctx) {
    const answers = await new DeployWizard(ctx, {
      title: vscode.l10n.t('Write Stack File'),
      actionLabel: vscode.l10n.t('$(save) Write Stack File'),
      actionDescription: (name) => vscode.l10n.t('choose where to save the stack file of cluster {0}', name),
      passwordKept: vscode.l10n.t('the file names an external Docker secret, and VS Code keeps the password in SecretStorage'),
      // No users step here: this command keeps its nine steps. Stack files with ACL users (or
      // TLS) are written by `redis-swarm deploy --stack-file --user …`, which creates their secrets.
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
    const written = await writeStackFiles(target.fsPath, o);
    // The password never goes into the file: the model reader finds it here once the stack runs.
    if (o.password !== undefined) await ctx.passwords.store(o.name, { password: o.password });
    ctx.logger.info(`wrote stack file ${written.stackFile} and ${written.confFile} for cluster ${o.name}`);
    await vscode.window.showTextDocument(target);
    const steps = [
      ...(written.rendered.secret ? [vscode.l10n.t('Create the password secret first, with the password in $REDIS_PASSWORD: {0}', written.rendered.secret.createCommand)] : []),
      vscode.l10n.t('Deploy it: {0}', written.deployCommand),
      vscode.l10n.t('Then form it: Create Cluster from Services (or redis-swarm create --cluster {0}).', o.name),
    ];
    ctx.output.info(steps.join('\n'));
    const copy = vscode.l10n.t('Copy Commands');
    const log = vscode.l10n.t('Show Log');
    void vscode.window
      .showInformationMessage(vscode.l10n.t('Wrote {0} and {1}; nothing was created on the swarm. Next: {2}', written.stackFile, written.confFile, steps.join(' ')), copy, log)
      .then((choice) => {
        if (choice === copy) void vscode.env.clipboard.writeText([...(written.rendered.secret ? [written.rendered.secret.createCommand] : []), written.deployCommand].join('\n'));
        if (choice === log) ctx.output.show(true);
      });
    return written.stackFile;
  },
};
