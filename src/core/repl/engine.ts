/**
 * The REPL engine: `redis-cli` (and `redis-cli -c`) as an object. It takes one line at a time
 * and writes what redis-cli would write, byte for byte, to a sink; it never touches
 * process.stdout, so a VS Code Pseudoterminal, the CLI and tests drive it the same way.
 *
 * The control flow follows redis-cli.c 7.0: repl() for a line, issueCommandRepeat() for
 * connecting and following cluster redirects, cliSendCommand() for repeats and the streaming
 * modes, cliReadReply() for redirect detection and printing, cliConnect() for AUTH / SELECT /
 * HELLO 3 on every new connection.
 */
import { describeError } from '../errors';
import { ConnectError, RawConnection, isTlsSetupError } from '../redis/rawConnection';
import { type RespReply } from '../redis/resp';
import { type Endpoint } from '../routes/endpoint';
import { type Router } from '../routes/router';
import { formatHelp, type HelpEntry, helpFromCommandDocs } from './commandHelp';
import { asciiLower, atoi, cstr, strtol } from './cstring';
import { formatInvalidateTTY, formatReply, isInvalidatePush, type OutputMode, toBytes } from './formatReply';
import { classifyRedirect } from './redirect';
import { splitArgs } from './splitArgs';

export type OutputChannel = 'stdout' | 'stderr';
export type OutputSink = (chunk: Buffer, channel: OutputChannel) => void;

/** `ok`: the line ran (errors from Redis are output, not failures). `failed`: a connection or
 * protocol problem stopped it (redis-cli's REDIS_ERR). `exit`: quit/exit was typed. */
export type ExecuteStatus = 'ok' | 'failed' | 'exit';

/** redis-cli follows redirects forever; we stop a loop between confused nodes after this many. */
export const DEFAULT_MAX_REDIRECTS = 16;
/** redis-cli prints `(N.NNs)` after an interactive command that took at least this long. */
export const SLOW_COMMAND_MS = 500;

export interface ReplOptions {
  /** The first endpoint, as the user named it (printed in the prompt). */
  readonly host: string;
  readonly port: number;
  /** Every connection, the first and each redirect target, goes through this router. */
  readonly router: Router;
  /** `-c`: follow MOVED and ASK. */
  readonly cluster?: boolean;
  /** `-3`: HELLO 3 on every connection. */
  readonly resp3?: boolean;
  /** 'raw' when stdout is not a terminal or with --raw; 'tty' otherwise or with --no-raw. */
  readonly mode?: OutputMode;
  /** Print RESP3 pushes that arrive between replies (redis-cli: only when stdout is a TTY). */
  readonly pushOutput?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** `-n`: the database to SELECT on every connection. */
  readonly db?: number;
  /** redis-cli's REPL (interactive or piped stdin) prints redirect lines; one-shot commands do not. */
  readonly interactive?: boolean;
  readonly maxRedirects?: number;
  readonly connectTimeoutMs?: number;
  /** Milliseconds clock, for the slow-command timer (tests pass a fake). */
  readonly now?: () => number;
}

/** Commands whose reply redis-cli prints verbatim (the output_raw list in cliSendCommand). */
function isVerbatimCommand(cmd: string, argv: readonly string[]): boolean {
  const argc = argv.length;
  const a1 = argc >= 2 ? asciiLower(argv[1] as string) : '';
  return (
    cmd === 'info' ||
    cmd === 'lolwut' ||
    (argc >= 2 && cmd === 'debug' && (a1 === 'htstats' || a1 === 'htstats-key' || a1 === 'client-eviction')) ||
    (argc >= 2 && cmd === 'memory' && (a1 === 'malloc-stats' || a1 === 'doctor')) ||
    (argc === 2 && cmd === 'cluster' && (a1 === 'nodes' || a1 === 'info')) ||
    (argc >= 2 && cmd === 'client' && (a1 === 'list' || a1 === 'info')) ||
    (argc === 3 && cmd === 'latency' && a1 === 'graph') ||
    (argc === 2 && cmd === 'latency' && a1 === 'doctor') ||
    (argc >= 2 && cmd === 'proxy' && a1 === 'info')
  );
}

/**
 * Commands that leave state on a connection (db, transaction, subscriptions, client flags).
 * A connection that ran one is closed when a redirect leaves it, as redis-cli closes every
 * connection; a clean one is kept for the next redirect back to its node, which gives the
 * same output without a new TCP connection, AUTH, SELECT and HELLO per redirect.
 */
const STATEFUL_COMMANDS = new Set([
  'select', 'multi', 'exec', 'discard', 'watch', 'unwatch', 'client', 'hello', 'auth', 'reset',
  'subscribe', 'psubscribe', 'ssubscribe', 'unsubscribe', 'punsubscribe', 'sunsubscribe',
  'monitor', 'readonly', 'readwrite', 'sync', 'psync', 'replconf', 'quit', 'asking', 'script',
  'debug', 'shutdown', 'failover', 'migrate',
]);
/** Clean connections kept for redirects back (one per node; a cluster has few). */
const MAX_POOLED_CONNECTIONS = 64;

interface Pooled {
  readonly conn: RawConnection;
  readonly db: number;
  readonly resp3: boolean;
}

/** anetFormatAddr(): IPv6 addresses get brackets. */
function formatAddr(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

export class ReplEngine {
  private readonly opts: ReplOptions;
  private conn: RawConnection | undefined;
  private host: string;
  private port: number;
  private dbnum = 0;
  private inputDb: number;
  private inMulti = false;
  private preMultiDb = 0;
  private resp3: boolean;
  private reissue = false;
  private sendAsking = false;
  private monitorMode = false;
  private pubsubMode = false;
  private shutdown = false;
  private aborted = false;
  private busy = false;
  private lastType: RespReply['type'] | undefined;
  private lastConnError = '';
  private help: HelpEntry[] | undefined;
  private hintsOn = true;
  private tail: Promise<unknown> = Promise.resolve();
  /** The current connection ran a STATEFUL_COMMANDS command. */
  private dirty = false;
  private readonly pool = new Map<string, Pooled>();

  constructor(
    options: ReplOptions,
    private readonly sink: OutputSink,
  ) {
    this.opts = options;
    this.host = options.host;
    this.port = options.port;
    this.inputDb = options.db ?? 0;
    this.resp3 = options.resp3 === true;
  }

  private get mode(): OutputMode {
    return this.opts.mode ?? 'tty';
  }

  private get interactive(): boolean {
    return this.opts.interactive !== false;
  }

  /** cliRefreshPrompt(): `host:port[db](TX)> `, or `not connected> `. */
  get prompt(): string {
    if (!this.conn) return 'not connected> ';
    let p = formatAddr(this.host, this.port);
    if (this.dbnum !== 0) p += `[${this.dbnum}]`;
    if (this.inMulti) p += '(TX)';
    return p + '> ';
  }

  /** The endpoint commands currently go to (changes after a redirect). */
  get endpoint(): Endpoint {
    return { host: this.host, port: this.port };
  }

  /** True while SUBSCRIBE or MONITOR is streaming. */
  get streaming(): boolean {
    return this.monitorMode || this.pubsubMode;
  }

  /** The first connection (redis-cli's cliConnect before the REPL starts). */
  async start(options: { quiet?: boolean } = {}): Promise<boolean> {
    return this.serialize(() => this.connect(options.quiet === true));
  }

  /**
   * Stops what is running: a SUBSCRIBE/MONITOR stream (as Ctrl+C does in redis-cli: the link
   * is closed and reopened), a blocking command, or the rest of a repeat count.
   * Returns false when nothing was running (redis-cli would exit on Ctrl+C then).
   */
  cancel(): boolean {
    if (!this.busy) return false;
    this.aborted = true;
    this.conn?.close();
    return true;
  }

  /** Closes the connection. */
  async close(): Promise<void> {
    this.conn?.close();
    this.conn = undefined;
    for (const p of this.pool.values()) p.conn.close();
    this.pool.clear();
  }

  /** Runs one REPL line (bytes or text) and writes its output to the sink. */
  execute(line: Buffer | string): Promise<ExecuteStatus> {
    const bytes = typeof line === 'string' ? Buffer.from(line, 'utf8') : line;
    return this.serialize(() => this.runLine(bytes));
  }

  /** Runs a command given as arguments (the one-shot `redis-swarm cli ... cmd args`). */
  executeArgs(argv: readonly (Buffer | string)[]): Promise<ExecuteStatus> {
    const args = argv.map((a) => (typeof a === 'string' ? Buffer.from(a, 'utf8') : a));
    return this.serialize(async () => (args.length === 0 ? 'ok' : (await this.issueCommandRepeat(args, 1)) ? 'ok' : 'failed'));
  }

  private serialize<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private out(text: string): void {
    if (text.length > 0) this.sink(toBytes(text), 'stdout');
  }

  private err(text: string): void {
    this.sink(Buffer.from(text, 'utf8'), 'stderr');
  }

  /** repl(): one line. */
  private async runLine(line: Buffer): Promise<ExecuteStatus> {
    if (line.length === 0 || line[0] === 0) return 'ok';
    const argv = splitArgs(line);
    if (argv === null) {
      this.out('Invalid argument(s)\n');
      return 'ok';
    }
    if (argv.length === 0) return 'ok';

    // A leading number is a repeat count ("3 incr x"), as strtol() reads it.
    let repeat = 1;
    let skip = 0;
    const first = cstr(argv[0] as Buffer);
    const num = strtol(first);
    if (argv.length > 1 && num.end === first.length) {
      if (num.overflow || num.value <= 0) {
        this.out('Invalid redis-cli repeat command option value.\n');
        return 'ok';
      }
      repeat = num.value;
      skip = 1;
    }

    const cmd = asciiLower(first);
    if (cmd === 'quit' || cmd === 'exit') return 'exit';
    if (first.startsWith(':')) {
      this.setPreference(argv.map(cstr));
      return 'ok';
    }
    if (cmd === 'restart') {
      this.out("Use 'restart' only in Lua debugging mode.\n");
      return 'ok';
    }
    if (argv.length === 3 && cmd === 'connect') {
      this.host = cstr(argv[1] as Buffer);
      this.port = atoi(cstr(argv[2] as Buffer));
      return (await this.connect(false)) ? 'ok' : 'failed';
    }
    if (argv.length === 1 && cmd === 'clear') {
      // linenoiseClearScreen(): cursor home, clear screen.
      this.out('\x1b[H\x1b[2J');
      return 'ok';
    }
    const now = this.opts.now ?? Date.now;
    const started = now();
    const ok = await this.issueCommandRepeat(argv.slice(skip), repeat);
    const elapsed = now() - started;
    if (elapsed >= SLOW_COMMAND_MS && this.mode === 'tty') this.out(`(${(elapsed / 1000).toFixed(2)}s)\n`);
    return ok ? 'ok' : 'failed';
  }

  /** redis-cli's `:set hints` / `:set nohints` (on by default); the line editor draws them. */
  get hints(): boolean {
    return this.hintsOn;
  }

  /**
   * The command table hints, Tab and `help` use: COMMAND DOCS of the node, read once (redis-cli
   * reads its commands at start too). Undefined when no node answers it.
   */
  async commandTable(): Promise<readonly HelpEntry[] | undefined> {
    if (this.help === undefined) {
      if (!this.conn || this.conn.closed) await this.connect(true);
      const docs = this.conn ? await this.call(['COMMAND', 'DOCS']) : undefined;
      if (docs && docs.type !== 'error') this.help = helpFromCommandDocs(docs);
    }
    return this.help;
  }

  /** cliSetPreferences(). */
  private setPreference(argv: readonly string[]): void {
    if (asciiLower(argv[0] as string) === ':set' && argv.length >= 2) {
      const pref = asciiLower(argv[1] as string);
      if (pref === 'hints') this.hintsOn = true;
      else if (pref === 'nohints') this.hintsOn = false;
      else this.out(`unknown redis-cli preference '${argv[1]}'\n`);
    } else {
      this.out(`unknown redis-cli internal command '${argv[0]}'\n`);
    }
  }

  /** issueCommandRepeat(): help, (re)connect, ASKING, send, and follow redirects. */
  private async issueCommandRepeat(argv: Buffer[], repeat: number): Promise<boolean> {
    const cmd = asciiLower(cstr(argv[0] as Buffer));
    if (cmd === 'help' || cmd === '?') {
      await this.printHelp(argv.slice(1).map(cstr));
      return true;
    }
    this.busy = true;
    this.aborted = false;
    try {
      let redirects = 0;
      for (;;) {
        if (this.reissue || !this.conn || this.conn.closed) {
          if (!(await this.connect(false, this.reissue))) {
            this.reissue = false;
            return false;
          }
        }
        this.reissue = false;
        if (this.sendAsking) {
          this.sendAsking = false;
          if (!(await this.asking())) {
            this.printContextError();
            return false;
          }
        }
        if (!(await this.sendCommand(argv, repeat))) {
          this.printContextError();
          this.conn?.close();
          this.conn = undefined;
          return false;
        }
        if (this.opts.cluster && this.reissue) {
          if (++redirects > (this.opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS)) {
            this.err(`Error: more than ${this.opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS} redirects for one command; the cluster is probably changing its slot map. Try again.\n`);
            return false;
          }
          continue;
        }
        return true;
      }
    } finally {
      this.busy = false;
      this.aborted = false;
    }
  }

  /** cliPrintContextError(): only when there is a connection and it has an error. */
  private printContextError(): void {
    if (this.conn && this.lastConnError) this.err(`Error: ${this.lastConnError}\n`);
  }

  /** cliSendAsking(). */
  private async asking(): Promise<boolean> {
    const r = await this.call(['ASKING']);
    if (r === undefined) return false;
    if (r.type === 'error') {
      this.err(`ASKING failed: ${r.value}\n`);
      return false;
    }
    return true;
  }

  /** A setup command (AUTH, SELECT, HELLO, ASKING): the reply, or undefined after "I/O error". */
  private async call(args: readonly (Buffer | string)[]): Promise<RespReply | undefined> {
    const conn = this.conn;
    if (!conn) return undefined;
    try {
      for (;;) {
        const r = await conn.command(args);
        if (r.type !== 'push') return r;
      }
    } catch {
      this.err('\nI/O error\n');
      return undefined;
    }
  }

  /** cliConnect(CC_FORCE): a new connection to the current endpoint, then AUTH, SELECT, HELLO 3. */
  private async connect(quiet: boolean, reuse = false): Promise<boolean> {
    if (this.conn) {
      const old = this.conn;
      const key = `${old.announced.host}:${old.announced.port}`;
      if (reuse && !this.dirty && !this.inMulti && !old.closed && old.pending === 0 && !this.pool.has(key) && this.pool.size < MAX_POOLED_CONNECTIONS) {
        this.pool.set(key, { conn: old, db: this.dbnum, resp3: this.resp3 });
      } else {
        old.close();
      }
      this.conn = undefined;
      this.dbnum = 0;
      this.inMulti = false;
    }
    this.dirty = false;
    this.lastConnError = '';
    if (reuse) {
      const key = `${this.host}:${this.port}`;
      const pooled = this.pool.get(key);
      if (pooled) {
        this.pool.delete(key);
        if (!pooled.conn.closed && pooled.db === this.inputDb && pooled.resp3 === this.resp3) {
          this.conn = pooled.conn;
          this.dbnum = pooled.db;
          return true;
        }
        pooled.conn.close();
      }
    }
    try {
      const options = this.opts.connectTimeoutMs !== undefined ? { timeoutMs: this.opts.connectTimeoutMs } : {};
      this.conn = await RawConnection.connect(this.opts.router, { host: this.host, port: this.port }, options);
    } catch (e) {
      // cliConnect() reports a TLS context it cannot build even when quiet.
      if (isTlsSetupError(e)) this.err(`Could not negotiate a TLS connection: ${e.reason}\n`);
      else if (!quiet) {
        const reason = e instanceof ConnectError ? e.reason : describeError(e);
        this.err(`Could not connect to Redis at ${this.host}:${this.port}: ${reason}\n`);
      }
      return false;
    }
    if (this.opts.password !== undefined) {
      const args = this.opts.user !== undefined ? ['AUTH', this.opts.user, this.opts.password] : ['AUTH', this.opts.password];
      const r = await this.call(args);
      if (r === undefined) return false;
      if (r.type === 'error') {
        this.err(`AUTH failed: ${r.value}\n`);
        return false;
      }
    }
    if (!(await this.select())) return false;
    if (this.resp3) {
      const r = await this.call(['HELLO', '3']);
      if (r === undefined) return false;
      if (r.type === 'error') {
        this.err(`HELLO 3 failed: ${r.value}\n`);
        return false;
      }
    }
    return true;
  }

  /** cliSelect(). */
  private async select(): Promise<boolean> {
    if (this.inputDb === this.dbnum) return true;
    const r = await this.call(['SELECT', String(this.inputDb)]);
    if (r === undefined) return false;
    if (r.type === 'error') {
      this.err(`SELECT ${this.inputDb} failed: ${r.value}\n`);
      return false;
    }
    this.dbnum = this.inputDb;
    return true;
  }

  /** cliSendCommand(): send `repeat` times, stream for MONITOR and SUBSCRIBE, track state. */
  private async sendCommand(argv: Buffer[], repeat: number): Promise<boolean> {
    const conn = this.conn;
    if (!conn) return false;
    const words = argv.map(cstr);
    const cmd = asciiLower(words[0] as string);
    const argc = argv.length;
    const verbatim = isVerbatimCommand(cmd, words);
    if (STATEFUL_COMMANDS.has(cmd)) this.dirty = true;
    if (cmd === 'shutdown') this.shutdown = true;
    if (cmd === 'monitor') this.monitorMode = true;
    if (cmd === 'subscribe' || cmd === 'psubscribe' || cmd === 'ssubscribe') this.pubsubMode = true;

    while (repeat-- > 0) {
      if (this.aborted) break;
      try {
        conn.write(argv);
      } catch (e) {
        this.lastConnError = describeError(e);
        return false;
      }
      if (this.monitorMode) {
        do {
          if (!(await this.readReply(verbatim))) return false;
          if (this.lastType === 'error') this.monitorMode = false;
        } while (this.monitorMode);
        return true;
      }
      if (this.pubsubMode) {
        if (this.mode !== 'raw') this.out('Reading messages... (press Ctrl-C to quit)\n');
        while (this.pubsubMode) {
          if (!(await this.readReply(verbatim))) return false;
          if (this.lastType === 'error') this.pubsubMode = false;
        }
        continue;
      }
      if (!(await this.readReply(verbatim))) return false;
      await this.trackState(cmd, words, argc);
      if (this.reissue) break;
    }
    return true;
  }

  /** The state redis-cli keeps from replies: db number, MULTI, RESET. */
  private async trackState(cmd: string, words: readonly string[], argc: number): Promise<void> {
    const failed = this.lastType === 'error';
    if (cmd === 'select' && argc === 2 && !failed) {
      this.inputDb = this.dbnum = atoi(words[1] as string);
    } else if (cmd === 'auth' && (argc === 2 || argc === 3)) {
      // redis-cli re-selects the db after AUTH; its result is only reported on stderr.
      await this.select();
    } else if (cmd === 'multi' && argc === 1 && !failed) {
      this.inMulti = true;
      this.preMultiDb = this.dbnum;
    } else if (cmd === 'exec' && argc === 1 && this.inMulti) {
      this.inMulti = false;
      if (failed || this.lastType === 'nil') this.inputDb = this.dbnum = this.preMultiDb;
    } else if (cmd === 'discard' && argc === 1 && !failed) {
      this.inMulti = false;
      this.inputDb = this.dbnum = this.preMultiDb;
    } else if (cmd === 'reset' && argc === 1 && !failed) {
      this.inMulti = false;
      this.dbnum = 0;
      this.inputDb = 0;
      this.resp3 = false;
    }
  }

  /** cliReadReply(): read one reply; follow MOVED/ASK in cluster mode, else print it. */
  private async readReply(verbatim: boolean): Promise<boolean> {
    const conn = this.conn;
    if (!conn) return false;
    let reply: RespReply;
    for (;;) {
      try {
        reply = await conn.read();
      } catch (e) {
        if (this.aborted) {
          // Ctrl+C in a streaming command: redis-cli closes the socket and reconnects.
          this.aborted = false;
          this.monitorMode = false;
          this.pubsubMode = false;
          return this.connect(false);
        }
        if (this.shutdown) {
          this.shutdown = false;
          this.conn = undefined;
          return true;
        }
        this.lastConnError = describeError(e);
        return false;
      }
      // Outside SUBSCRIBE, RESP3 pushes go to the push handler (cliPushHandler), which prints
      // them only when stdout is a terminal; hiredis frees them silently otherwise.
      if (reply.type === 'push' && !this.pubsubMode) {
        if (this.opts.pushOutput ?? this.mode === 'tty') {
          this.out(this.mode === 'tty' && isInvalidatePush(reply) ? formatInvalidateTTY(reply) : formatReply(reply, this.mode));
        }
        continue;
      }
      break;
    }
    this.lastType = reply.type;
    if (this.opts.cluster && reply.type === 'error') {
      const redirect = classifyRedirect(reply.value);
      if (redirect) {
        this.host = redirect.host;
        this.port = redirect.port;
        if (this.interactive) this.out(`-> Redirected to slot [${redirect.slot}] located at ${redirect.host}:${redirect.port}\n`);
        this.reissue = true;
        if (redirect.kind === 'ask') this.sendAsking = true;
        return true;
      }
    }
    this.out(formatReply(reply, this.mode, verbatim));
    return true;
  }

  /** cliOutputHelp(), with the table from COMMAND DOCS fetched on first use. */
  private async printHelp(args: readonly string[]): Promise<void> {
    // Without a server there is no table (redis-cli falls back to its built-in help.h).
    const table = args.length > 0 ? await this.commandTable() : this.help;
    this.out(formatHelp(table ?? [], args));
  }
}
