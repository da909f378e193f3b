import * as vscode from 'vscode';
import { endpointOf } from '../../core/model/describeNodes';
import { addressesFromHere } from '../../core/routes/addressFromHere';
import { type CommandDef } from './commandContext';
import { connectionsOf } from './opsSupport';
import { resolveNode } from './pickCluster';

/**
 * `redisSwarm.copyEndpoint` on a master or replica: copies an address that works from this
 * machine (a published `127.0.0.1:7002`), or offers a port forward through the Docker API next
 * to the announced `redis-2:6379` when the node has no published port; then says what it copied.
 */
export const copyEndpointCommand: CommandDef = {
  id: 'redisSwarm.copyEndpoint',
  async run(ctx, ...args) {
    const node = await resolveNode(ctx, args[0], {
      title: vscode.l10n.t('Copy the address of which node?'),
      kinds: ['master', 'replica'],
      none: vscode.l10n.t('Run "Copy Endpoint" on a master or replica in the Redis Swarm view.'),
    });
    if (!node) return undefined;
    const announced = endpointOf(node.node);
    const service = node.node.service?.service ?? announced;
    const { router } = await connectionsOf(ctx, node.cluster);
    const route = await router.resolve(node.node.node.endpoint);
    const { preferred, choices } = addressesFromHere(announced, route, service);
    let chosen = preferred;
    if (!chosen) {
      const pick = await vscode.window.showQuickPick(
        choices.map((c) => ({ label: c.address, detail: c.how, choice: c })),
        { title: vscode.l10n.t('Copy which address of {0}? It publishes no port.', service) },
      );
      chosen = pick?.choice;
    }
    if (!chosen) return undefined;
    await vscode.env.clipboard.writeText(chosen.address);
    void vscode.window.showInformationMessage(vscode.l10n.t('Copied {0}: {1}.', chosen.address, chosen.how));
    return chosen.address;
  },
};
