/**
 * Typed errors of the core. Every error a user can cause or meet carries one clear sentence
 * (`message`) saying what happened and what to do; views print that sentence, never a stack.
 */

export type ErrorKind =
  | 'docker-unreachable'
  | 'swarm-inactive'
  | 'swarm-not-manager'
  | 'bad-input'
  | 'not-found'
  | 'conflict'
  | 'redis'
  | 'no-route'
  | 'timeout'
  | 'cancelled';

export class RedisSwarmError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RedisSwarmError';
  }
}

export function isRedisSwarmError(x: unknown, kind?: ErrorKind): x is RedisSwarmError {
  return x instanceof RedisSwarmError && (kind === undefined || x.kind === kind);
}

export class DockerUnreachableError extends RedisSwarmError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('docker-unreachable', message, options);
    this.name = 'DockerUnreachableError';
  }
}
export const isDockerUnreachableError = (x: unknown): x is DockerUnreachableError =>
  x instanceof DockerUnreachableError;

export class BadInputError extends RedisSwarmError {
  constructor(message: string) {
    super('bad-input', message);
    this.name = 'BadInputError';
  }
}
export const isBadInputError = (x: unknown): x is BadInputError => x instanceof BadInputError;

export class NoRouteError extends RedisSwarmError {
  constructor(message: string) {
    super('no-route', message);
    this.name = 'NoRouteError';
  }
}
export const isNoRouteError = (x: unknown): x is NoRouteError => x instanceof NoRouteError;

export class TimeoutError extends RedisSwarmError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'TimeoutError';
  }
}
export const isTimeoutError = (x: unknown): x is TimeoutError => x instanceof TimeoutError;

export class ConflictError extends RedisSwarmError {
  constructor(message: string) {
    super('conflict', message);
    this.name = 'ConflictError';
  }
}
export const isConflictError = (x: unknown): x is ConflictError => x instanceof ConflictError;

export class CancelledError extends RedisSwarmError {
  constructor(message = 'Cancelled.') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}
export const isCancelledError = (x: unknown): x is CancelledError => x instanceof CancelledError;

/** The one sentence to show a user for any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof RedisSwarmError) return err.message;
  const docker = dockerRefusal(err);
  if (docker !== undefined) return docker;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * docker-modem's errors read "(HTTP code 409) unexpected - config … already exists "; what the
 * engine said is in `json.message`. Said as a sentence, for the refusals no check foresaw.
 */
function dockerRefusal(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  const e = err as Error & { statusCode?: unknown; json?: unknown };
  if (typeof e.statusCode !== 'number' || !/^\(HTTP code \d+\)/.test(e.message)) return undefined;
  const json = e.json as { message?: unknown } | null | undefined;
  const raw = typeof json?.message === 'string' ? json.message : e.message.replace(/^\(HTTP code \d+\)\s*[^-]*-\s*/, '');
  // Swarm wraps its answers in gRPC's status text; the description is the sentence.
  const said = raw.replace(/^rpc error: code = \w+ desc = /, '').trim();
  const sentence = said.length > 0 ? said.charAt(0).toUpperCase() + said.slice(1) : `The request failed`;
  return `Docker refused the request: ${sentence.replace(/\.$/, '')} (HTTP ${e.statusCode}).`;
}
