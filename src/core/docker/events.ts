/**
 * A typed wrapper over the Docker events stream (dockerode getEvents) for what changes a
 * cluster's picture: services (create/update/remove), their tasks' containers (start, die, …)
 * and swarm nodes. The stream is reopened with a growing delay when it ends or fails (the engine
 * restarted, an ssh link dropped), until disposed.
 */
import { StringDecoder } from 'node:string_decoder';
import type Docker from 'dockerode';
import { describeError } from '../errors';
import { type Disposable, type Logger, nullLogger } from '../lifecycle';

export type DockerEventType = 'service' | 'container' | 'node';

export interface DockerEvent {
  readonly type: DockerEventType;
  /** `create`, `update`, `remove`, `start`, `die`, … */
  readonly action: string;
  readonly actorId: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** Seconds since the epoch. */
  readonly time: number;
  /** For a container of a swarm task: its service's name. */
  readonly service?: string;
}

export interface WatchOptions {
  readonly logger?: Logger;
  /** Called after the stream is (re)opened; a reader may have missed events meanwhile. */
  readonly onConnected?: () => void;
  /** First reconnect delay; doubled on each failure up to RECONNECT_MAX_MS. */
  readonly reconnectInitialMs?: number;
}

export const RECONNECT_INITIAL_MS = 1_000;
export const RECONNECT_MAX_MS = 30_000;
/** A stream that stayed open this long resets the reconnect delay. */
const HEALTHY_STREAM_MS = 10_000;

/**
 * Actions that change what the tree shows. Filtered by the engine: container `exec_*` events
 * (our own tunnels exec into containers on every read) would otherwise cause a refresh loop.
 */
const ACTIONS = ['create', 'update', 'remove', 'start', 'die', 'kill', 'oom', 'stop', 'restart', 'destroy', 'pause', 'unpause'];
const TYPES: readonly DockerEventType[] = ['service', 'container', 'node'];
const SWARM_SERVICE_LABEL = 'com.docker.swarm.service.name';

interface RawEvent {
  Type?: string;
  Action?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
  time?: number;
}

/** Parses one line of the events stream; undefined for what is not one of ours. */
export function parseDockerEvent(line: string): DockerEvent | undefined {
  let raw: RawEvent;
  try {
    raw = JSON.parse(line) as RawEvent;
  } catch {
    return undefined;
  }
  const type = raw.Type as DockerEventType | undefined;
  if (!type || !TYPES.includes(type) || !raw.Action) return undefined;
  const attributes = raw.Actor?.Attributes ?? {};
  const service = type === 'service' ? attributes['name'] : attributes[SWARM_SERVICE_LABEL];
  // Containers that are no swarm task (builds, other tools) say nothing about clusters.
  if (type === 'container' && !service) return undefined;
  return {
    type,
    action: raw.Action,
    actorId: raw.Actor?.ID ?? '',
    attributes,
    time: raw.time ?? 0,
    ...(service ? { service } : {}),
  };
}

/**
 * Splits the events stream (one JSON object per line) into lines. Bytes are decoded across
 * chunks: a chunk may end in the middle of a UTF-8 character (a label value in another script).
 */
export class EventLineSplitter {
  private readonly decoder = new StringDecoder('utf8');
  private buffered = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: Buffer | string): void {
    this.buffered += typeof chunk === 'string' ? chunk : this.decoder.write(chunk);
    let nl: number;
    while ((nl = this.buffered.indexOf('\n')) >= 0) {
      const line = this.buffered.slice(0, nl).trim();
      this.buffered = this.buffered.slice(nl + 1);
      if (line) this.onLine(line);
    }
  }
}

export function watchDockerEvents(docker: Docker, onEvent: (e: DockerEvent) => void, options: WatchOptions = {}): Disposable {
  const logger = options.logger ?? nullLogger;
  const initial = options.reconnectInitialMs ?? RECONNECT_INITIAL_MS;
  let disposed = false;
  let delay = initial;
  let timer: NodeJS.Timeout | undefined;
  let stream: NodeJS.ReadableStream | undefined;

  const scheduleReconnect = (why: string): void => {
    stream = undefined;
    if (disposed || timer) return;
    logger.debug(`Docker events: ${why}; reconnecting in ${delay} ms`);
    timer = setTimeout(() => {
      timer = undefined;
      void open();
    }, delay);
    delay = Math.min(delay * 2, RECONNECT_MAX_MS);
  };

  const open = async (): Promise<void> => {
    let s: NodeJS.ReadableStream;
    try {
      s = (await docker.getEvents({ filters: { type: [...TYPES], event: ACTIONS } })) as NodeJS.ReadableStream;
    } catch (err) {
      scheduleReconnect(`cannot open the stream (${describeError(err)})`);
      return;
    }
    if (disposed) {
      destroy(s);
      return;
    }
    stream = s;
    const openedAt = Date.now();
    options.onConnected?.();
    const lines = new EventLineSplitter((line) => {
      const event = parseDockerEvent(line);
      if (!event) return;
      try {
        onEvent(event);
      } catch (err) {
        logger.warn(`Docker events listener failed: ${describeError(err)}`);
      }
    });
    s.on('data', (chunk: Buffer | string) => lines.push(chunk));
    let ended = false;
    const onEnd = (why: string): void => {
      if (ended) return;
      ended = true;
      if (Date.now() - openedAt > HEALTHY_STREAM_MS) delay = initial;
      scheduleReconnect(why);
    };
    s.on('end', () => onEnd('stream ended'));
    s.on('close', () => onEnd('stream closed'));
    s.on('error', (err: unknown) => onEnd(`stream failed (${describeError(err)})`));
  };

  void open();
  return {
    dispose() {
      disposed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (stream) destroy(stream);
      stream = undefined;
    },
  };
}

function destroy(s: NodeJS.ReadableStream): void {
  const d = s as NodeJS.ReadableStream & { destroy?: () => void };
  d.destroy?.();
}
