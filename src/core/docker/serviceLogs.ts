/**
 * `docker service logs --follow --timestamps --tail N <service>` through the Engine API: the
 * log lines of every task of a service, as they come, until disposed.
 */
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { Readable } from 'node:stream';
import { demuxDockerStream } from './demux';
import { describeError } from '../errors';
import { type Disposable } from '../lifecycle';

/** Lines of history shown before following (docker's `--tail`). */
export const SERVICE_LOGS_TAIL_LINES = 200;

export interface LogLine {
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface ServiceLogsHandlers {
  onLine(line: LogLine): void;
  /** The stream ended (the service was removed) or failed; `error` says why when it failed. */
  onEnd?(error?: string): void;
}

/**
 * Turns the payloads of the stdout and stderr frames into lines. A line split across frames is
 * joined before it is reported. Each stream has its own decoder: Docker cuts frames by bytes, so
 * a UTF-8 character may start in one frame and end in the next.
 */
export class LogLineSplitter {
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  private readonly decoders: Record<LogLine['stream'], StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly onLine: (line: LogLine) => void) {}

  /** One frame's payload (from `demuxDockerStream`). */
  push(stream: LogLine['stream'], payload: Buffer): void {
    const parts = (this.partial[stream] + this.decoders[stream].write(payload)).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) this.onLine({ stream, text: p.replace(/\r$/, '') });
  }

  /** Reports what is left of unfinished lines. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.decoders[stream].end();
      if (this.partial[stream]) this.onLine({ stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }
}

/**
 * Feeds a multiplexed logs stream to a splitter; flushes it and calls `onEnd` when it ends or
 * fails. After `stop()` neither the rest of a line nor the end is reported.
 */
export function splitLogStream(docker: Docker, stream: NodeJS.ReadableStream, splitter: LogLineSplitter, onEnd: (error?: string) => void): { stop(): void } {
  let done = false;
  const end = (error?: string): void => {
    if (done) return;
    done = true;
    splitter.flush();
    onEnd(error);
  };
  demuxDockerStream(docker, stream, (name, chunk) => splitter.push(name, chunk));
  stream.on('end', () => end());
  stream.on('error', (err: unknown) => end(describeError(err)));
  return { stop: () => (done = true) };
}

export async function followServiceLogs(
  docker: Docker,
  service: string,
  handlers: ServiceLogsHandlers,
  options: { tail?: number; follow?: boolean } = {},
): Promise<Disposable> {
  const raw: unknown = await docker.getService(service).logs({
    stdout: true,
    stderr: true,
    follow: options.follow ?? true,
    timestamps: true,
    tail: options.tail ?? SERVICE_LOGS_TAIL_LINES,
  });
  const splitter = new LogLineSplitter(handlers.onLine);
  // Without follow, dockerode returns the whole body as one Buffer.
  const stream = Buffer.isBuffer(raw) ? Readable.from([raw]) : (raw as NodeJS.ReadableStream & { destroy?: () => void });
  const split = splitLogStream(docker, stream, splitter, (error) => handlers.onEnd?.(error));
  return {
    dispose() {
      split.stop();
      stream.destroy?.();
    },
  };
}
