/**
 * The deploy wizard's answers as deploy options (src/extension/commands/deployAnswers.ts): the
 * TLS step's choice is what makes a TLS cluster, planned as `deploy --tls` plans it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Answers, deployOptionsOf } from '../../src/extension/commands/deployAnswers';
import { planDeploy } from '../../src/core/swarm/deploy';

const plain: Answers = { name: 'cache', nodes: 3, replicas: 0, image: 'redis:7.2', network: 'cache-net', mode: 'persistent', tls: false };

test('deploy wizard: "TLS only" asks for generated certificates, and the plan has a CA and a certificate per node', () => {
  const o = deployOptionsOf({ ...plain, tls: true });
  assert.deepEqual(o.tls, { source: 'generate' });
  const plan = planDeploy(o);
  assert.ok(plan.tls, 'a TLS plan');
  assert.deepEqual([...plan.tls.nodes.keys()], ['cache-1', 'cache-2', 'cache-3']);
  assert.match(plan.configText, /^tls-port 6379$/m);
  assert.match(plan.configText, /^port 0$/m);
});

test('deploy wizard: "Plain TCP" deploys no TLS', () => {
  const o = deployOptionsOf(plain);
  assert.equal(o.tls, undefined);
  const plan = planDeploy(o);
  assert.equal(plan.tls, undefined);
  assert.doesNotMatch(plan.configText, /tls-port/);
});

test('deploy wizard: TLS goes with ACL users and a password', () => {
  const o = deployOptionsOf({ ...plain, tls: true, users: ['app:app:*:+@read'], password: 'secret-1' });
  assert.deepEqual(o.tls, { source: 'generate' });
  assert.equal(o.acl?.users[0]?.name, 'app');
  assert.equal(o.password, 'secret-1');
});
