/**
 * A minimal Redis connection: commands go out as RESP arrays, replies come back typed and in
 * order. Several commands may be in flight (pipelining). Replies nobody waits for (pub/sub
 * messages, MONITOR lines, RESP3 pushes) are queued for `read()`, which is how streaming
 * commands are consumed.
 *
 * It never picks an address itself: the caller names the endpoint the cluster announced and
 * the Router says where the socket really goes.
 */
import * as net from 'node:net';
import * as tls from 'node:tls';
import { CancelledError, RedisError, TimeoutError } from '../errors';
import { type Endpoint, formatEndpoint } from '../routes/endpoint';
import { type Route, type Router } from '../routes/router';
import { type RouteTls, tlsConnectOptions, tlsErrorText } from '../tls/clientTls';
import { encodeCommand, RespParser, type RespReply } from './resp';

/** How long a TCP connect may take before we give up (redis-cli waits for the OS). */
export const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

/** The link broke: closed by the server, reset, or a protocol error. */
export class ConnectionClosedError extends RedisError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConnectionClosedError';
  }
}
export const isConnectionClosedError = (x: unknown): x is ConnectionClosedError => x instanceof ConnectionClosedError;

/** Connecting failed; `reason` is the short text redis-cli shows (`Connection refused`). */
export class ConnectError extends RedisError {
  constructor(
    readonly endpoint: Endpoint,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Could not connect to Redis at ${formatEndpoint(endpoint)}: ${reason}`, options);
    this.name = 'ConnectError';
  }
}
export const isConnectError = (x: unknown): x is ConnectError => x instanceof ConnectError;

/** The TLS client settings cannot be used (redis-cli: "Could not negotiate a TLS connection: …"). */
export class TlsSetupError extends ConnectError {
  constructor(endpoint: Endpoint, reason: string) {
    super(endpoint, reason);
    this.name = 'TlsSetupError';
  }
}
export const isTlsSetupError = (x: unknown): x is TlsSetupError => x instanceof TlsSetupError;

interface Waiter {
  resolve(r: RespReply): void;
  reject(e: Error): void;
}

export class RawConnection {
  private readonly waiters: Waiter[] = [];
  private readonly unread: RespReply[] = [];
  private closedError: Error | undefined;
  private readonly parser: RespParser;
  /** Commands written whose reply has not arrived (so later replies are unsolicited). */
  private inFlight = 0;

  private constructor(
    private readonly socket: net.Socket,
    /** The endpoint as the cluster announced it (what redis-cli prints). */
    readonly announced: Endpoint,
  ) {
    this.parser = new RespParser((r) => this.onReply(r));
    socket.on('data', (chunk: Buffer) => {
      try {
        this.parser.feed(chunk);
      } catch (err) {
        this.fail(new ConnectionClosedError(err instanceof Error ? err.message : String(err), { cause: err }));
        socket.destroy();
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => this.fail(new ConnectionClosedError(socketErrorText(err), { cause: err })));
    socket.on('close', () => this.fail(new ConnectionClosedError('Server closed the connection')));
  }

  /** Opens a connection to `announced` through `router`. Throws ConnectError. */
  static async connect(
    router: Router,
    announced: Endpoint,
    options: { timeoutMs?: number; signal?: AbortSignal } = {},
  ): Promise<RawConnection> {
    let route: Route;
    try {
      route = await router.resolve(announced);
    } catch (err) {
      throw new ConnectError(announced, err instanceof Error ? err.message : String(err), { cause: err });
    }
    const socket = await connectSocket(announced, route.target, { ...options, ...(route.tls ? { tls: route.tls } : {}) });
    return new RawConnection(socket, announced);
  }

  get closed(): boolean {
    return this.closedError !== undefined;
  }

  /** Sends one command without waiting; its reply comes from a later `read()`. */
  write(args: readonly (Buffer | string)[]): void {
    if (this.closedError) throw this.closedError;
    this.inFlight++;
    this.socket.write(encodeCommand(args));
  }

  /** The next reply, solicited or not, in arrival order. */
  read(): Promise<RespReply> {
    const r = this.unread.shift();
    if (r) return Promise.resolve(r);
    if (this.closedError) return Promise.reject(this.closedError);
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  /** Sends a command and waits for the next reply (RESP3 pushes in between are returned too). */
  command(args: readonly (Buffer | string)[]): Promise<RespReply> {
    this.write(args);
    return this.read();
  }

  /** Writes and reads `commands` as one pipeline; replies in order. */
  async pipeline(commands: readonly (readonly (Buffer | string)[])[]): Promise<RespReply[]> {
    if (this.closedError) throw this.closedError;
    this.inFlight += commands.length;
    this.socket.write(Buffer.concat(commands.map((c) => encodeCommand(c))));
    const out: RespReply[] = [];
    for (let i = 0; i < commands.length; i++) out.push(await this.read());
    return out;
  }

  /** Replies written for but not yet read. */
  get pending(): number {
    return this.inFlight;
  }

  close(): void {
    if (!this.closedError) this.fail(new ConnectionClosedError('Connection closed'));
    this.socket.destroy();
  }

  private onReply(r: RespReply): void {
    if (r.type !== 'push' && this.inFlight > 0) this.inFlight--;
    const w = this.waiters.shift();
    if (w) w.resolve(r);
    else this.unread.push(r);
  }

  private fail(err: Error): void {
    if (this.closedError) return;
    this.closedError = err;
    for (const w of this.waiters.splice(0)) w.reject(err);
  }
}

/**
 * A TCP connection to `target` (where the route to `announced` goes), with no delay and
 * keep-alive set; with `tls`, a TLS connection whose handshake is done. Throws ConnectError
 * naming `announced`, or CancelledError.
 */
export async function connectSocket(
  announced: Endpoint,
  target: Endpoint,
  options: { timeoutMs?: number; signal?: AbortSignal; tls?: RouteTls } = {},
): Promise<net.Socket> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const secure = options.tls;
  if (secure?.client.setupError !== undefined) throw new TlsSetupError(announced, secure.client.setupError);
  const socket = await new Promise<net.Socket>((resolve, reject) => {
    const s = secure
      ? tls.connect({ host: target.host, port: target.port, ...tlsConnectOptions(secure) })
      : net.connect({ host: target.host, port: target.port });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new ConnectError(announced, 'Connection timed out', { cause: new TimeoutError(`connect took over ${timeoutMs} ms`) }));
    }, timeoutMs);
    const onAbort = (): void => {
      s.destroy();
      reject(new CancelledError());
    };
    options.signal?.addEventListener('abort', onAbort, { once: true });
    s.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new ConnectError(announced, socketErrorText(err), { cause: err }));
    });
  });
  socket.setNoDelay(true);
  // redis-cli sets an aggressive keep-alive (anetKeepAlive) so long commands do not time out.
  socket.setKeepAlive(true, 15_000);
  return socket;
}

/** The strerror-like text hiredis shows for a socket error. */
function socketErrorText(err: NodeJS.ErrnoException): string {
  const tlsText = tlsErrorText(err);
  if (tlsText !== undefined) return tlsText;
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'Connection refused';
    case 'ECONNRESET':
      return 'Connection reset by peer';
    case 'EPIPE':
      return 'Broken pipe';
    case 'ETIMEDOUT':
      return 'Connection timed out';
    case 'EHOSTUNREACH':
      return 'No route to host';
    case 'ENETUNREACH':
      return 'Network is unreachable';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'Name or service not known';
    default:
      return err.message;
  }
}
