/**
 * `docker service logs --follow --timestamps --tail N <service>` through the Engine API: the
 * log lines of every task of a service, as they come, until disposed.
 */
import { StringDecoder } from 'node:string_decoder';
import Docker from 'dockerode';
import { describeError } from '../errors';
import { Disposable } from '../lifecycle';

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
 * Splits the Engine API's multiplexed stream (8-byte frame header: stream type, 3 zero bytes,
 * big-endian payload length) into lines of stdout and stderr. A line split across frames is
 * joined before it is reported. Each stream has its own decoder: Docker cuts frames by bytes, so a
 * UTF-8 character may start in one frame and end in the next.
 */
export class LogLineSplitter {
  private pending: Buffer = Buffer.alloc(0);
  private readonly partial: Record<LogLine['stream'], string> = { stdout: '', stderr: '' };
  private readonly decoders: Record<LogLine['stream'], StringDecoder> = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };

  constructor(private readonly onLine: (line: LogLine) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) return;
      const stream = this.pending[0] === 2 ? 'stderr' : 'stdout';
      const text = this.decoders[stream].write(this.pending.subarray(8, 8 + size));
      this.pending = this.pending.subarray(8 + size);
      this.text(stream, text);
    }
  }

  /** Reports what is left of unfinished lines. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      this.partial[stream] += this.decoders[stream].end();
      if (this.partial[stream]) this.onLine({ stream, text: this.partial[stream] });
      this.partial[stream] = '';
    }
  }

  private text(stream: LogLine['stream'], text: string): void {
    const parts = (this.partial[stream] + text).split('\n');
    this.partial[stream] = parts.pop() ?? '';
    for (const p of parts) this.onLine({ stream, text: p.replace(/\r$/, '') });
  }
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
  if (Buffer.isBuffer(raw)) {
    // Without follow, dockerode returns the whole body.
    splitter.push(raw);
    splitter.flush();
    handlers.onEnd?.();
    return { dispose: () => undefined };
  }
  const stream = raw as NodeJS.ReadableStream & { destroy?: () => void };
  let done = false;
  const end = (error?: string): void => {
    if (done) return;
    done = true;
    splitter.flush();
    handlers.onEnd?.(error);
  };
  stream.on('data', (c: Buffer) => splitter.push(c));
  stream.on('end', () => end());
  stream.on('error', (err: unknown) => end(describeError(err)));
  return {
    dispose() {
      done = true;
      stream.destroy?.();
    },
  };
}
