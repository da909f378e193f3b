/** The words and choices of section 3 of issue 15 (trust and noise), as pure logic. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPECTED_AFTER_MS, ExpectedChanges } from '../../src/core/model/expectedChanges';
import { failoverSummary } from '../../src/core/ops/formatOps';
import { describeMovePlan, moveOwners, parseSlotRangesInput } from '../../src/core/ops/movePlanText';
import { addressesFromHere } from '../../src/core/routes/addressFromHere';
import { isBadInputError } from '../../src/core/errors';
import { FORMED_22190 } from './clusterNodesSamples';
import { clusterFrom } from './modelSamples';

test('a change during an operation from this window, and shortly after, is expected; later ones are news', () => {
  let now = 1_000;
  const e = new ExpectedChanges(() => now);
  assert.equal(e.expected('redis'), false);
  const end = e.begin('redis');
  assert.equal(e.expected('redis'), true);
  assert.equal(e.expected('other'), false, 'only the cluster being changed');
  now += 60_000;
  assert.equal(e.expected('redis'), true, 'still running');
  end();
  now += EXPECTED_AFTER_MS;
  assert.equal(e.expected('redis'), true, 'the refresh right after the operation');
  now += 1;
  assert.equal(e.expected('redis'), false);
});

test('failover: one message, in service names', () => {
  assert.equal(failoverSummary({ newMaster: 'redis-4', oldMaster: 'redis-1', slots: '0-5460', oldMasterConfirmed: true }), 'redis-4 is now the master of slots 0-5460; redis-1 is its replica.');
  assert.match(failoverSummary({ newMaster: 'redis-4', oldMaster: 'redis-1', slots: '0-5460', oldMasterConfirmed: false }), /redis-1 did not answer/);
});

test('Copy Endpoint: a published port is copied as is; a tunnelled node offers the forward and the announced name', () => {
  const published = addressesFromHere('redis-2:6379', { kind: 'published', target: { host: '127.0.0.1', port: 7002 } }, 'redis-2');
  assert.equal(published.preferred?.address, '127.0.0.1:7002');
  assert.match(published.preferred?.how ?? '', /published port/);
  const tunnel = addressesFromHere('redis-2:6379', { kind: 'tunnel', target: { host: '127.0.0.1', port: 40001 } }, 'redis-2');
  assert.equal(tunnel.preferred, undefined, 'a tunnel lives as long as this window: the user chooses');
  assert.deepEqual(tunnel.choices.map((c) => c.address), ['127.0.0.1:40001', 'redis-2:6379']);
  assert.match(tunnel.choices[1]?.how ?? '', /only inside the cluster's network/);
  const direct = addressesFromHere('127.0.0.1:7000', { kind: 'direct', target: { host: '127.0.0.1', port: 7000 } }, '127.0.0.1:7000');
  assert.deepEqual(direct.choices.map((c) => c.address), ['127.0.0.1:7000']);
});

test('Move Slots: the plan names slots, keys and from → to, and leaves out what the target owns', () => {
  const owners = moveOwners(clusterFrom(FORMED_22190));
  const [first, second] = owners;
  assert.ok(first && second);
  const counts = new Array<number>(16384).fill(0);
  counts[5460] = 3;
  counts[5461] = 4;
  const plan = describeMovePlan(owners, [{ start: 5455, end: 5470 }], second.id, counts);
  assert.equal(plan.slots, 6, 'slots 5461-5470 already belong to the target');
  assert.equal(plan.keys, 3);
  assert.deepEqual(plan.lines, [`${first.name} → ${second.name}: slots 5455-5460 (6 slots, 3 keys)`]);
  assert.equal(plan.headline, `Move 6 slots and 3 keys to ${second.name}?`);
  const none = describeMovePlan(owners, [{ start: 5461, end: 5470 }], second.id);
  assert.equal(none.slots, 0);
  assert.match(none.headline, /already owns every one of these slots/);
});

test('Move Slots from the palette: slot ranges typed as N, N-M, with commas; anything else refused in one sentence', () => {
  assert.deepEqual(parseSlotRangesInput('0-99, 200 300-310'), [{ start: 0, end: 99 }, { start: 200, end: 200 }, { start: 300, end: 310 }]);
  for (const bad of ['', '99-0', '16384', 'a-b', '1-2-3']) {
    assert.throws(() => parseSlotRangesInput(bad), (e: unknown) => isBadInputError(e), `"${bad}" is refused`);
  }
});

test('an operation whose planner refuses a converging cluster tries again (bounded), and reports the last refusal when it does not settle', async () => {
  const { ClusterNotReadyError, whileConverging } = await import('../../src/core/ops/opsTopology');
  let calls = 0;
  const settles = await whileConverging(async () => {
    calls++;
    if (calls < 3) throw new ClusterNotReadyError([{ severity: 'error', code: 'no-node', section: 'reach', message: 'No node could be asked about the cluster.' }]);
    return 'planned';
  }, { settleMs: 10_000 });
  assert.equal(settles, 'planned');
  assert.equal(calls, 3);
  await assert.rejects(
    whileConverging(async () => {
      throw new ClusterNotReadyError([{ severity: 'error', code: 'open-slots', section: 'open-slots', message: 'The following slots are open: 100.' }]);
    }, { settleMs: 600 }),
    /Please fix your cluster problems first \(redis-swarm fix\): The following slots are open: 100\./,
  );
  await assert.rejects(whileConverging(async () => { throw new Error('other'); }), /other/, 'other errors are not retried');
});
