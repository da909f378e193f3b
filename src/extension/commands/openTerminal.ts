import * as vscode from 'vscode';
import { BadInputError } from '../../core/errors';
import { type ClusterNode } from '../../core/cluster/topology';
import { type ClusterModel } from '../../core/model/clusterModel';
import { type Endpoint, formatEndpoint } from '../../core/routes/endpoint';
import { readClusterPassword } from '../../core/swarm/auth';
import { runningNodes } from '../../core/swarm/discover';
import { ClusterTerminal, terminalName } from '../terminal/clusterTerminal';
import { type TreeNode } from '../tree/nodes';
import { isTreeNode, resolveCluster } from './pickCluster';
import { type CommandDef } from './commandContext';

/**
 * `redisSwarm.openTerminal`: a redis-cli -c terminal on a cluster. From a node of the tree it
 * starts on that node; from a cluster or the palette, on the first master (any running node of
 * a cluster that is not formed yet).
 */
export const openTerminalCommand: CommandDef = {
  id: 'redisSwarm.openTerminal',
  async run(ctx, ...args) {
    const cluster = await resolveCluster(ctx, args[0], { title: 'Open a terminal on…' });
    if (!cluster) return;
    const start = startNode(cluster, isTreeNode(args[0]) ? args[0] : undefined);
    const { router } = await ctx.store.getReader().connectionsFor(cluster.swarm);
    // The same order as the model reader: a password the user gave, else the cluster's secret.
    const password =
      (await ctx.passwords.get(cluster.name)) ?? (await readClusterPassword(ctx.engines.get(), cluster.swarm).catch(() => undefined));
    const pty = new ClusterTerminal({
      cluster: cluster.name,
      start,
      router,
      ...(password !== undefined ? { password } : {}),
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
  throw new BadInputError(`Cluster "${cluster.name}" has no running node to open a terminal on.`);
}
