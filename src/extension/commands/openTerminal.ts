import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterNode } from '../../core/cluster/topology';
import { type ClusterModel } from '../../core/model/clusterModel';
import { type Endpoint, formatEndpoint } from '../../core/routes/endpoint';
import { type Credentials, readClusterCredentials } from '../../core/swarm/auth';
import { type SwarmCluster, runningNodes } from '../../core/swarm/discover';
import { planTerminalLogin } from '../../core/swarm/terminalLogin';
import { ClusterTerminal, terminalName } from '../terminal/clusterTerminal';
import { type TreeNode } from '../tree/nodes';
import { isTreeNode, resolveCluster } from './pickCluster';
import { type CommandContext, type CommandDef } from './commandContext';

/**
 * `redisSwarm.openTerminal`: a redis-cli -c terminal on a cluster. From a node of the tree it
 * starts on that node; from a cluster or the palette, on the first master (any running node of
 * a cluster that is not formed yet).
 */
export const openTerminalCommand: CommandDef = {
  id: 'redisSwarm.openTerminal',
  async run(ctx, ...args) {
    const cluster = await resolveCluster(ctx, args[0], { title: vscode.l10n.t('Open a terminal on…') });
    if (!cluster) return;
    const start = startNode(cluster, isTreeNode(args[0]) ? args[0] : undefined);
    const { router } = await ctx.store.getReader().connectionsFor(cluster.swarm);
    const credentials = await terminalLogin(ctx, cluster.swarm);
    if (credentials === null) return;
    const pty = new ClusterTerminal({
      cluster: cluster.name,
      start,
      router,
      ...(credentials !== undefined ? { credentials } : {}),
      history: ctx.history,
      logger: ctx.logger,
    });
    const terminal = vscode.window.createTerminal({
      name: terminalName(cluster.name, formatEndpoint(start)),
      pty,
      iconPath: new vscode.ThemeIcon('terminal'),
    });
    terminal.show();
    ctx.logger.info(`cluster terminal: ${cluster.name} on ${formatEndpoint(start)}`);
  },
};

/**
 * Who the terminal logs in as, asked once per cluster and remembered in SecretStorage: on a
 * cluster with ACL users, which user (its password read from the cluster's secret, or typed for
 * a user redis-swarm did not deploy); on a cluster with a password redis-swarm cannot read, the
 * password. Otherwise the cluster's own credentials, nothing asked. `null`: the user gave up.
 */
async function terminalLogin(ctx: CommandContext, swarm: SwarmCluster): Promise<Credentials | undefined | null> {
  const plan = planTerminalLogin(swarm, await ctx.passwords.getTerminal(swarm.name), await ctx.passwords.get(swarm.name));
  const engine = ctx.engines.get();
  if (plan.kind === 'use') return plan.credentials;
  if (plan.kind === 'pick-user') {
    const other = vscode.l10n.t('$(person-add) Another user…');
    const picked = await vscode.window.showQuickPick(
      [
        ...plan.users.map((u) => ({
          label: u.name,
          description: u.role === 'operator' ? vscode.l10n.t('operator: the cluster, slot and migration commands redis-swarm uses') : vscode.l10n.t('application user'),
        })),
        { label: other, description: vscode.l10n.t('an ACL user made by hand, with its password') },
      ],
      { title: vscode.l10n.t('Log in to {0} as…', swarm.name), placeHolder: vscode.l10n.t('The terminal remembers the choice (in SecretStorage)') },
    );
    if (!picked) return null;
    let login: Credentials | undefined;
    if (picked.label === other) {
      const username = await vscode.window.showInputBox({ title: vscode.l10n.t('User for {0}', swarm.name), prompt: vscode.l10n.t('ACL user name') });
      if (!username) return null;
      const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password of {0}', username), password: true });
      if (password === undefined) return null;
      login = { username, password };
    } else {
      login = await readClusterCredentials(engine, swarm, picked.label);
    }
    if (login) await ctx.passwords.storeTerminal(swarm.name, login);
    return login;
  }
  const own = await readClusterCredentials(engine, swarm).catch(() => undefined);
  if (own || !swarm.authSecret) return own;
  // A password secret redis-swarm cannot read (no node running, or a hand-made layout): ask once.
  const password = await vscode.window.showInputBox({ title: vscode.l10n.t('Password of {0}', swarm.name), password: true, prompt: vscode.l10n.t('Remembered in SecretStorage') });
  if (password === undefined) return null;
  await ctx.passwords.storeTerminal(swarm.name, { password });
  return { password };
}

/**
 * Where the REPL starts. A node with an announced hostname (the swarm service name) starts
 * there, so the prompt names the node as the redirects will (`redis-3:6379>`), not by an
 * overlay IP; the router reaches both.
 */
function startNode(cluster: ClusterModel, node: TreeNode | undefined): Endpoint {
  const named = (n: ClusterNode): Endpoint => (n.hostname ? { host: n.hostname, port: n.endpoint.port } : n.endpoint);
  if (node && (node.kind === 'master' || node.kind === 'replica')) return named(node.node.node);
  if (node?.kind === 'service') {
    if (node.node) return named(node.node.node);
    if (node.service) return { host: node.service.service, port: node.service.port };
  }
  const master = cluster.shards[0]?.master.node;
  if (master) return named(master);
  const seed = runningNodes(cluster.swarm)[0];
  if (seed) return { host: seed.service, port: seed.port };
  throw new BadInputError(vscode.l10n.t('Cluster "{0}" has no running node to open a terminal on.', cluster.name));
}
