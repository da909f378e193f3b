/**
 * The stdout and stderr of a multiplexed (non-TTY) exec, attach or logs stream, split by
 * dockerode's own demuxer (`modem.demuxStream`, the Engine API's 8-byte frame header) and
 * handed on chunk by chunk, in order, synchronously as each frame is read.
 */
import type Docker from 'dockerode';
import { Writable } from 'node:stream';

export type DockerStreamName = 'stdout' | 'stderr';

function sinkTo(onChunk: (chunk: Buffer) => void): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, done) {
      if (chunk.length > 0) onChunk(chunk);
      done();
    },
  });
}

/** Calls `onChunk` with each frame's payload and the stream it belongs to. */
export function demuxDockerStream(docker: Docker, stream: NodeJS.ReadableStream, onChunk: (name: DockerStreamName, chunk: Buffer) => void): void {
  docker.modem.demuxStream(stream, sinkTo((c) => onChunk('stdout', c)), sinkTo((c) => onChunk('stderr', c)));
}

/** Only stdout: a relay's or a command's stderr is its own noise. */
export function demuxStdout(docker: Docker, stream: NodeJS.ReadableStream, onStdout: (chunk: Buffer) => void): void {
  demuxDockerStream(docker, stream, (name, chunk) => {
    if (name === 'stdout') onStdout(chunk);
  });
}
