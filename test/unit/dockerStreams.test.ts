import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EventLineSplitter, parseDockerEvent } from '../../src/core/docker/events';
import { type LogLine, LogLineSplitter, splitLogStream } from '../../src/core/docker/serviceLogs';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';

// Only its modem's demuxer is used: nothing is contacted.
const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });

/** The lines (and end) the splitter reports for `chunks` of a multiplexed logs stream. */
async function logLines(chunks: readonly Buffer[]): Promise<LogLine[]> {
  const lines: LogLine[] = [];
  const stream = new PassThrough();
  const ended = new Promise<string | undefined>((resolve) => splitLogStream(docker, stream, new LogLineSplitter((l) => lines.push(l)), resolve));
  for (const c of chunks) stream.write(c);
  stream.end();
  assert.equal(await ended, undefined, 'the stream ended without an error');
  return lines;
}

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

test('log frames become lines of stdout and stderr, joined across frames and chunks', async () => {
  const bytes = Buffer.concat([frame(1, 'Ready to accept'), frame(1, ' connections\nsecond'), frame(2, 'oops\r\n')]);
  // Fed in awkward pieces: a header split in two, a payload split in two.
  const cuts = [0, 3, 11, 30, bytes.length];
  const lines = await logLines(cuts.slice(1).map((end, i) => bytes.subarray(cuts[i], end)));
  assert.deepEqual(lines, [
    { stream: 'stdout', text: 'Ready to accept connections' },
    { stream: 'stderr', text: 'oops' },
    { stream: 'stdout', text: 'second' },
  ]);
});

test('a UTF-8 character split across log frames and chunks arrives whole', async () => {
  const text = Buffer.from('clé → 日本 🚀\n');
  // Docker cuts frames by bytes: cut every multi-byte character in two, one frame per piece.
  const frames: Buffer[] = [];
  for (let i = 0; i < text.length; i += 2) {
    const header = Buffer.alloc(8);
    header[0] = 1;
    const piece = text.subarray(i, i + 2);
    header.writeUInt32BE(piece.length, 4);
    frames.push(Buffer.concat([header, piece]));
  }
  assert.deepEqual(await logLines(frames), [{ stream: 'stdout', text: 'clé → 日本 🚀' }]);
});

test('an events line whose UTF-8 character is split across chunks is decoded whole', () => {
  const line = JSON.stringify({ Type: 'service', Action: 'update', Actor: { ID: 'x', Attributes: { name: 'redis-1', 'org.note': 'café ✓ 🚀' } } });
  const bytes = Buffer.from(line + '\n' + line + '\n');
  // At every cut point, so one of them falls inside each multi-byte character.
  for (let cut = 1; cut < bytes.length; cut++) {
    const got: string[] = [];
    const s = new EventLineSplitter((l) => got.push(l));
    s.push(bytes.subarray(0, cut));
    s.push(bytes.subarray(cut));
    assert.deepEqual(got, [line, line], `cut at byte ${cut}`);
  }
});
