/** How nodes are named in messages and found from what a user typed: one module for every verb. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { findClusterNode, namedId, nodeLabel } from '../../src/core/cluster/nodeNames';
import { type ClusterNode, type ClusterTopology } from '../../src/core/cluster/topology';
import { isBadInputError } from '../../src/core/errors';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);
const view = parseClusterNodes(
  [
    `${A} 127.0.0.1:7001@17001,r-1 myself,master - 0 0 1 connected 0-16383`,
    `${B} 127.0.0.1:7002@17002 slave ${A} 0 0 1 connected`,
    `${C} 127.0.0.1:7003@17003 slave ${A} 0 0 1 connected`,
  ].join('\n'),
);
const nodes: ClusterNode[] = view.nodes.map((n) => (n.id === C ? { ...n, swarm: { service: 'r-3' } } : n));
const topology: ClusterTopology = { views: [], nodes, unreachable: [] };
const byId = new Map(nodes.map((n) => [n.id, n]));

test('a node is labelled by its announced hostname, else its service, else host:port, with its ID digits', () => {
  assert.deepEqual(nodes.map((n) => nodeLabel(n)), ['r-1 (aaaaaaaa)', '127.0.0.1:7002 (bbbbbbbb)', 'r-3 (cccccccc)']);
  assert.equal(nodeLabel(byId, B), '127.0.0.1:7002 (bbbbbbbb)', 'by ID, the same label');
  assert.equal(nodeLabel(byId, 'd'.repeat(40)), 'dddddddd', 'an ID no node has: its digits alone');
  assert.equal(namedId(undefined, A), 'aaaaaaaa');
});

test('a node is found by ID, ID prefix, hostname, service or host:port; anything else is refused in one sentence', () => {
  for (const text of [A, 'aaaa', 'r-1', '127.0.0.1:7001']) assert.equal(findClusterNode(topology, text).id, A, text);
  assert.equal(findClusterNode(topology, 'r-3').id, C);
  assert.throws(() => findClusterNode(topology, 'nope'), (e: unknown) => isBadInputError(e) && /No node "nope" in the cluster/.test(e.message));
  assert.throws(() => findClusterNode(topology, 'ab'), isBadInputError, 'a prefix shorter than 4 is no ID');
});
