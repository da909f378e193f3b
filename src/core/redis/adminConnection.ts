/**
 * Admin connections to single cluster nodes (plain ioredis `Redis`, never `Cluster`: admin
 * commands go to the node we name, with no redirects). Every connection goes through the
 * Router, so an announced address is never dialled directly. Connections fail fast: a short
 * connect timeout, no reconnect, no retry, so a dead node becomes a clear error at once
 * instead of a hang.
 */
import Redis from 'ioredis';
import { describeError, RedisError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type Route, type Router } from '../routes/router';
import { TLSSocket } from 'node:tls';
import { peerCertificateExpiry, tlsConnectOptions } from '../tls/clientTls';

/** How long to wait for a TCP connection to a node (ms); loopback answers in < 1 ms. */
export const ADMIN_CONNECT_TIMEOUT_MS = 3000;
/** How long one admin command may take (ms); CLUSTER NODES on 1000 nodes is still fast. */
export const ADMIN_COMMAND_TIMEOUT_MS = 5000;

export type CommandArg = string | number;

/** One command's outcome in a pipeline: a reply or the error Redis (or the socket) returned. */
export type PipelineResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: Error };

/** How this pool reaches a node and logs in to it, for connections of other kinds (the slot mover's bulk links). */
export interface NodeAccess {
  readonly route: Route;
  readonly username?: string;
  readonly password?: string;
}

/** A small pool of admin connections keyed by announced endpoint; `close()` ends them all. */
export class AdminPool {
  private readonly conns = new Map<string, Promise<Redis>>();

  constructor(
    private readonly router: Router,
    private readonly options: { connectTimeoutMs?: number; commandTimeoutMs?: number; password?: string; username?: string } = {},
  ) {}

  /** The connection to a node, opened on first use through the Router. */
  get(announced: Endpoint): Promise<Redis> {
    const key = formatEndpoint(announced);
    let conn = this.conns.get(key);
    if (!conn) {
      conn = this.open(announced);
      this.conns.set(key, conn);
      // A failed connection is forgotten so a later call can try again.
      conn.then(
        // A connection that closed later (the node restarted, a tunnel ended) is forgotten too,
        // so long-lived pools (the VS Code tree's) reconnect on the next use.
        (redis) => redis.once('end', () => {
          if (this.conns.get(key) === conn) this.conns.delete(key);
        }),
        () => {
          if (this.conns.get(key) === conn) this.conns.delete(key);
        },
      );
    }
    return conn;
  }

  /** How this pool reaches a node (direct, published port or tunnel). */
  route(announced: Endpoint): Promise<Route> {
    return this.router.resolve(announced);
  }

  /** The route and credentials this pool's own connection to the node uses. */
  async access(announced: Endpoint): Promise<NodeAccess> {
    const route = await this.router.resolve(announced);
    const { username, password } = this.options;
    return { route, ...(username !== undefined ? { username } : {}), ...(password !== undefined ? { password } : {}) };
  }

  /**
   * When the certificate the node presented on this pool's connection expires; undefined for a
   * plain (non-TLS) connection. Read from the handshake, so it is the certificate in use.
   */
  async certificateExpiry(announced: Endpoint): Promise<Date | undefined> {
    const stream: unknown = (await this.get(announced)).stream;
    if (!(stream instanceof TLSSocket)) return undefined;
    return peerCertificateExpiry(stream.getPeerCertificate().valid_to);
  }

  /** Forgets and closes connections to endpoints not in `keep` (nodes that left the cluster). */
  retain(keep: readonly Endpoint[]): void {
    const wanted = new Set(keep.map(formatEndpoint));
    for (const [key, conn] of this.conns) {
      if (wanted.has(key)) continue;
      this.conns.delete(key);
      conn.then((r) => r.disconnect(), () => undefined);
    }
  }

  /**
   * A connection of its own to a node, with the pool's route and credentials but not shared and
   * not kept: the caller owns it and disconnects it. For state tied to one connection's life
   * (the cluster lock's named clients), which the pool's shared connections must not carry.
   */
  openDedicated(announced: Endpoint): Promise<Redis> {
    return this.open(announced);
  }

  /** Runs one command on a node; Redis errors are rethrown naming the node. */
  async command(announced: Endpoint, args: readonly CommandArg[]): Promise<unknown> {
    const redis = await this.get(announced);
    const [name, ...rest] = args;
    try {
      return await redis.call(String(name), rest.map(String));
    } catch (err) {
      throw new RedisError(`${formatEndpoint(announced)} answered ${String(name).toUpperCase()} with: ${describeError(err)}`, { cause: err });
    }
  }

  /** Sends several commands to a node in one round trip; each result says ok or error. */
  async pipeline(announced: Endpoint, commands: readonly (readonly CommandArg[])[]): Promise<PipelineResult[]> {
    const redis = await this.get(announced);
    const p = redis.pipeline();
    for (const [name, ...rest] of commands) p.call(String(name), rest.map(String));
    const replies = (await p.exec()) ?? [];
    return commands.map((_, i) => {
      const r = replies[i];
      if (!r) return { ok: false, error: new Error('no reply') };
      const [error, value] = r;
      return error ? { ok: false, error } : { ok: true, value };
    });
  }

  /** Closes every connection; safe to call more than once. */
  async close(): Promise<void> {
    const all = [...this.conns.values()];
    this.conns.clear();
    await Promise.all(
      all.map(async (c) => {
        try {
          (await c).disconnect();
        } catch {
          // It never opened: nothing to close.
        }
      }),
    );
  }

  private async open(announced: Endpoint): Promise<Redis> {
    const route = await this.router.resolve(announced);
    const target = route.target;
    const redis = new Redis({
      host: target.host,
      port: target.port,
      // ioredis hands `tls` to tls.connect: the handshake runs over the route (tunnel, published
      // port) and checks the node's announced name.
      ...(route.tls ? { tls: tlsConnectOptions(route.tls) } : {}),
      ...(this.options.password !== undefined ? { password: this.options.password } : {}),
      ...(this.options.username !== undefined ? { username: this.options.username } : {}),
      lazyConnect: true,
      connectTimeout: this.options.connectTimeoutMs ?? ADMIN_CONNECT_TIMEOUT_MS,
      commandTimeout: this.options.commandTimeoutMs ?? ADMIN_COMMAND_TIMEOUT_MS,
      // No reconnects and no retries: one failure is reported, not hidden behind a loop.
      retryStrategy: () => null,
      maxRetriesPerRequest: 0,
      // The ready check costs an INFO round trip per connection and waits for loading; admin
      // commands must reach a node even while it loads.
      enableReadyCheck: false,
      // Commands are only sent once connect() resolved; queueing while offline would only delay errors.
      enableOfflineQueue: false,
      // No CLIENT SETINFO round trip before each connection is ready (ioredis reads its
      // package.json for it, which a bundle does not have: it would report a bogus version).
      disableClientInfo: true,
    });
    // ioredis emits 'error' on every socket error; the failure reaches us through the promise.
    redis.on('error', () => undefined);
    try {
      await redis.connect();
    } catch (err) {
      redis.disconnect();
      const via = formatEndpoint(target) === formatEndpoint(announced) ? '' : ` (via ${route.kind} ${formatEndpoint(target)})`;
      throw new RedisError(`Cannot connect to ${formatEndpoint(announced)}${via}: ${describeError(err).replace(/\.$/, '')}.`, { cause: err });
    }
    return redis;
  }
}

/** A reply as text (bulk strings may arrive as Buffer). */
export function replyText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return String(value);
}
