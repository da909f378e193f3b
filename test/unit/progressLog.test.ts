import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loggedProgress } from '../../src/core/progressLog';

test('progress log: a repeated poll message is logged once at info, its repeats at trace; every report reaches the notification', () => {
  const info: string[] = [];
  const trace: string[] = [];
  const shown: string[] = [];
  const p = loggedProgress({ report: (s) => void (s.message !== undefined && shown.push(s.message)) }, { info: (m) => info.push(m), trace: (m) => trace.push(m) });
  for (let i = 0; i < 56; i++) p.report({ message: 'Waiting for the cluster to join (4/6 nodes ready)' });
  p.report({ message: 'Waiting for the cluster to join (6/6 nodes ready)' });
  p.report({ increment: 10 });
  assert.deepEqual(info, ['Waiting for the cluster to join (4/6 nodes ready)', 'Waiting for the cluster to join (6/6 nodes ready)']);
  assert.equal(trace.length, 55);
  assert.equal(shown.length, 57);
});
