import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneTimestamp } from '../../src/core/docker/logLineText';

test("service logs: Redis's own date is dropped after Docker's timestamp, pid, role and level kept", () => {
  assert.equal(
    oneTimestamp('2026-11-30T23:05:11.123456789Z 1:M 30 Nov 2026 23:05:11.123 * Ready to accept connections tcp'),
    '2026-11-30T23:05:11.123Z 1:M * Ready to accept connections tcp',
  );
  assert.equal(oneTimestamp('2026-11-30T23:05:11.5Z 7:S 1 Dec 2026 00:00:00.000 # Connection with master lost.'), '2026-11-30T23:05:11.500Z 7:S # Connection with master lost.');
});

test('service logs: lines without a Redis date keep their text; lines without a Docker time are untouched', () => {
  assert.equal(oneTimestamp('2026-11-30T23:05:11.123456789Z starting redis-server with /etc/redis.conf'), '2026-11-30T23:05:11.123Z starting redis-server with /etc/redis.conf');
  assert.equal(oneTimestamp('1:M 30 Nov 2026 23:05:11.123 * plain'), '1:M 30 Nov 2026 23:05:11.123 * plain');
  assert.equal(oneTimestamp(''), '');
});
