import { test } from 'node:test';
import assert from 'node:assert/strict';
import { heldToOneNode, pinConstraint, withPin, withoutPin } from '../../src/core/rolling/nodePin';
import { type TaskTemplateLike } from '../../src/core/rolling/nodeTarget';

const template: TaskTemplateLike = {
  ContainerSpec: { Image: 'redis:7' },
  Placement: { Constraints: ['node.labels.redis==yes'], Preferences: [{ Spread: { SpreadDescriptor: 'node.id' } }] },
};

test('a roll pins the task to its node next to the user\'s constraints and takes only its own pin off again', () => {
  const pin = pinConstraint('abc123');
  const pinned = withPin(template, pin);
  assert.deepEqual((pinned['Placement'] as { Constraints: string[] }).Constraints, ['node.labels.redis==yes', 'node.id==abc123']);
  assert.deepEqual(withoutPin(pinned, pin), template);
  assert.deepEqual((template['Placement'] as { Constraints: string[] }).Constraints, ['node.labels.redis==yes'], 'the input is not changed');
});

test('without other constraints, taking the pin off leaves no Constraints field', () => {
  const bare: TaskTemplateLike = { ContainerSpec: { Image: 'redis:7' } };
  const pin = pinConstraint('n1');
  assert.deepEqual(withoutPin(withPin(bare, pin), pin), { ContainerSpec: { Image: 'redis:7' }, Placement: {} });
});

test('a service the user already holds to one node needs no pin', () => {
  assert.equal(heldToOneNode(template), false);
  assert.equal(heldToOneNode({ Placement: { Constraints: ['node.hostname == host-2'] } }), true);
  assert.equal(heldToOneNode({ Placement: { Constraints: ['node.id==xyz'] } }), true);
  assert.equal(heldToOneNode({ Placement: { Constraints: ['node.id!=xyz'] } }), false);
});
