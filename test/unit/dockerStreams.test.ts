import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseDockerEvent } from '../../src/core/docker/events';
import { LogLine, LogLineSplitter } from '../../src/core/docker/serviceLogs';

test('a service event is parsed with its service name', () => {
  const e = parseDockerEvent(JSON.stringify({ Type: 'service', Action: 'update', Actor: { ID: 'abc', Attributes: { name: 'redis-3' } }, time: 5 }));
  assert.deepEqual(e, { type: 'service', action: 'update', actorId: 'abc', attributes: { name: 'redis-3' }, time: 5, service: 'redis-3' });
});

test('a container event counts only for a swarm task (it names its service)', () => {
  const task = parseDockerEvent(JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'c1', Attributes: { 'com.docker.swarm.service.name': 'redis-1' } } }));
  assert.equal(task?.service, 'redis-1');
  const plain = parseDockerEvent(JSON.stringify({ Type: 'container', Action: 'die', Actor: { ID: 'c2', Attributes: { name: 'builder' } } }));
  assert.equal(plain, undefined);
});

test('other event types and broken lines are ignored', () => {
  assert.equal(parseDockerEvent(JSON.stringify({ Type: 'image', Action: 'pull' })), undefined);
  assert.equal(parseDockerEvent('{not json'), undefined);
});

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

test('log frames become lines of stdout and stderr, joined across frames and chunks', () => {
  const lines: LogLine[] = [];
  const s = new LogLineSplitter((l) => lines.push(l));
  const bytes = Buffer.concat([frame(1, 'Ready to accept'), frame(1, ' connections\nsecond'), frame(2, 'oops\r\n')]);
  // Fed in awkward pieces: a header split in two, a payload split in two.
  const cuts = [0, 3, 11, 30, bytes.length];
  for (let i = 1; i < cuts.length; i++) s.push(bytes.subarray(cuts[i - 1], cuts[i]));
  s.flush();
  assert.deepEqual(lines, [
    { stream: 'stdout', text: 'Ready to accept connections' },
    { stream: 'stderr', text: 'oops' },
    { stream: 'stdout', text: 'second' },
  ]);
});
