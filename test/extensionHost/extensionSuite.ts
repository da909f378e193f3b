/**
 * Extension-host tests: they run inside VS Code (code-server here, VS Code desktop with
 * `npm run test:electron`) against the real `vscode` API and the extension under development.
 * Order matters: the first test proves activation by command, so nothing may activate the
 * extension before it.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { RedisSwarmApi } from '../../src/extension/extension';
import type { ExtensionTest } from './harness';

const EXTENSION_ID = 'redis-swarm.redis-swarm';

function extension(): vscode.Extension<RedisSwarmApi> {
  const ext = vscode.extensions.getExtension<RedisSwarmApi>(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not loaded in this extension host`);
  return ext;
}

interface ContributedCommand {
  readonly command: string;
}

function contributedCommands(ext: vscode.Extension<unknown>): string[] {
  const json: unknown = ext.packageJSON;
  const commands = (json as { contributes?: { commands?: ContributedCommand[] } }).contributes?.commands ?? [];
  return commands.map((c) => c.command);
}

export const extensionTests: readonly ExtensionTest[] = [
  {
    name: 'the extension activates when redisSwarm.refresh is executed',
    async run() {
      const ext = extension();
      assert.equal(ext.isActive, false, 'the extension was already active before any of its commands ran (is its view open?)');
      await vscode.commands.executeCommand('redisSwarm.refresh');
      assert.equal(ext.isActive, true, 'running redisSwarm.refresh did not activate the extension');
    },
  },
  {
    name: `getExtension('${EXTENSION_ID}') is active and returns the test API`,
    async run() {
      const ext = extension();
      assert.equal(ext.isActive, true);
      const api = ext.exports;
      assert.ok(api, 'activate() returned nothing: the tests need its { topology } object');
      assert.equal(typeof api.topology.getChildren, 'function', 'exports.topology is not a TreeDataProvider');
    },
  },
  {
    name: 'the topology tree shows the Docker engine with swarm active',
    async run() {
      const tree = extension().exports.topology;
      const roots = (await tree.getChildren()) ?? [];
      assert.ok(roots.length > 0, 'the tree has no root items');
      const first = roots[0];
      assert.ok(first);
      const item = await tree.getTreeItem(first);
      const label = typeof item.label === 'string' ? item.label : item.label?.label;
      assert.equal(label, 'Docker engine', `the first item is "${String(label)}" (${String(item.description)}), not the Docker engine`);
      assert.match(String(item.description), /· swarm active/, `the engine item says "${String(item.description)}", not that the swarm is active`);
    },
  },
  {
    name: 'every command contributed in package.json is registered',
    async run() {
      const contributed = contributedCommands(extension());
      assert.ok(contributed.length > 0, 'package.json contributes no commands');
      const registered = new Set(await vscode.commands.getCommands(true));
      const missing = contributed.filter((c) => !registered.has(c));
      assert.deepEqual(missing, [], `contributed but not registered: ${missing.join(', ')}`);
    },
  },
];
