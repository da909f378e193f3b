/**
 * Typed errors of the core. Every error a user can cause or meet carries one clear sentence
 * (`message`) saying what happened and what to do; views print that sentence, never a stack.
 */

export type ErrorKind =
  | 'docker-unreachable'
  | 'docker'
  | 'swarm-inactive'
  | 'swarm-not-manager'
  | 'bad-input'
  | 'not-found'
  | 'conflict'
  | 'redis'
  | 'no-route'
  | 'timeout'
  | 'cancelled';

type ErrorOptions = { readonly cause?: unknown };

/**
 * The base of every error of the core. Abstract: errors are constructed only through the
 * subclass of their kind below (or a narrower class extending it), so a kind always comes with
 * its class and the `isXError` guards, which test the kind, see every error of that kind.
 */
export abstract class RedisSwarmError extends Error {
  protected constructor(
    readonly kind: ErrorKind,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'RedisSwarmError';
  }
}

export function isRedisSwarmError(x: unknown, kind?: ErrorKind): x is RedisSwarmError {
  return x instanceof RedisSwarmError && (kind === undefined || x.kind === kind);
}

/** The Docker engine cannot be reached at all (socket, TCP, SSH). */
export class DockerUnreachableError extends RedisSwarmError {
  constructor(message: string, options?: ErrorOptions) {
    super('docker-unreachable', message, options);
    this.name = 'DockerUnreachableError';
  }
}
export const isDockerUnreachableError = (x: unknown): x is DockerUnreachableError => isRedisSwarmError(x, 'docker-unreachable');

/** The engine answered but something run through it failed (a command in a container exited non-zero). */
export class DockerError extends RedisSwarmError {
  constructor(message: string, options?: ErrorOptions) {
    super('docker', message, options);
    this.name = 'DockerError';
  }
}
export const isDockerError = (x: unknown): x is DockerError => isRedisSwarmError(x, 'docker');

/** The engine is in no active swarm (not joined, locked, still joining). */
export class SwarmInactiveError extends RedisSwarmError {
  constructor(message: string) {
    super('swarm-inactive', message);
    this.name = 'SwarmInactiveError';
  }
}
export const isSwarmInactiveError = (x: unknown): x is SwarmInactiveError => isRedisSwarmError(x, 'swarm-inactive');

/** The engine is a swarm worker; services are managed from a manager. */
export class SwarmNotManagerError extends RedisSwarmError {
  constructor(message: string) {
    super('swarm-not-manager', message);
    this.name = 'SwarmNotManagerError';
  }
}
export const isSwarmNotManagerError = (x: unknown): x is SwarmNotManagerError => isRedisSwarmError(x, 'swarm-not-manager');

export class BadInputError extends RedisSwarmError {
  constructor(message: string) {
    super('bad-input', message);
    this.name = 'BadInputError';
  }
}
export const isBadInputError = (x: unknown): x is BadInputError => isRedisSwarmError(x, 'bad-input');

/** Something the user named or the operation needs is not there (a cluster, a node, a secret). */
export class NotFoundError extends RedisSwarmError {
  constructor(message: string) {
    super('not-found', message);
    this.name = 'NotFoundError';
  }
}
export const isNotFoundError = (x: unknown): x is NotFoundError => isRedisSwarmError(x, 'not-found');

export class NoRouteError extends RedisSwarmError {
  constructor(message: string) {
    super('no-route', message);
    this.name = 'NoRouteError';
  }
}
export const isNoRouteError = (x: unknown): x is NoRouteError => isRedisSwarmError(x, 'no-route');

export class TimeoutError extends RedisSwarmError {
  constructor(message: string) {
    super('timeout', message);
    this.name = 'TimeoutError';
  }
}
export const isTimeoutError = (x: unknown): x is TimeoutError => isRedisSwarmError(x, 'timeout');

/** The cluster is not in a state that allows the operation (busy, not ready, not empty). */
export class ConflictError extends RedisSwarmError {
  constructor(message: string, options?: ErrorOptions) {
    super('conflict', message, options);
    this.name = 'ConflictError';
  }
}
export const isConflictError = (x: unknown): x is ConflictError => isRedisSwarmError(x, 'conflict');

/** A Redis node refused, failed or broke the link (errors replies, protocol errors, lost connections). */
export class RedisError extends RedisSwarmError {
  constructor(message: string, options?: ErrorOptions) {
    super('redis', message, options);
    this.name = 'RedisError';
  }
}
export const isRedisError = (x: unknown): x is RedisError => isRedisSwarmError(x, 'redis');

/** The user cancelled: not a failure, and views do not show it as one. */
export class CancelledError extends RedisSwarmError {
  constructor(message = 'Cancelled.') {
    super('cancelled', message);
    this.name = 'CancelledError';
  }
}
export const isCancelledError = (x: unknown): x is CancelledError => isRedisSwarmError(x, 'cancelled');

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
