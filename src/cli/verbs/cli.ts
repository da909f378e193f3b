/**
 * `redis-swarm cli`: redis-cli's REPL (`-c` cluster mode included) over the core ReplEngine.
 * With a command it runs it once; with stdin piped it runs each line; on a terminal it is
 * interactive with a prompt and history (~/.redis-swarm_history).
 *
 * Options are read like redis-cli's parseOptions(): they come first, and the first word that
 * is not an option starts the command.
 */
import * as readline from 'node:readline';
import { appendFileSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BadInputError } from '../../core/errors';
import { ReplEngine, type ReplOptions } from '../../core/repl/engine';
import { isSensitiveCommand } from '../../core/repl/sensitive';
import { splitArgs } from '../../core/repl/splitArgs';
import { cstr } from '../../core/repl/cstring';
import { type Endpoint, formatEndpoint } from '../../core/routes/endpoint';
import { type Router, StaticRouter } from '../../core/routes/router';
import { openClusterAccess } from '../../core/swarm/clusterAccess';
import { loadTlsFlags } from '../../core/tls/tlsFiles';
import { type CliIO, type Verb } from '../verb';
import { askPassword } from '../askpass';

const USAGE =
  'cli [-h host] [-p port] [-a password] [--askpass] [--user name] [-n db] [-c] [-3] [--raw | --no-raw] ' +
  '[--tls [--sni host] [--cacert file] [--cacertdir dir] [--insecure] [--cert file --key file]] ' +
  '[--cluster NAME [--services a,b,c] [--node N] [--tunnel]] [command args...]';

const HISTORY_FILE = '.redis-swarm_history';
/** Lines kept in the interactive history. */
const HISTORY_SIZE = 1000;
/** Flush piped output once this many bytes are waiting (else at the end of each tick). */
const FLUSH_BYTES = 64 * 1024;

interface CliArgs {
  host: string;
  port: number;
  password: string | undefined;
  user: string | undefined;
  askpass: boolean;
  db: number;
  cluster: boolean;
  resp3: boolean;
  raw: boolean | undefined;
  noAuthWarning: boolean;
  clusterName: string | undefined;
  services: string[];
  node: string | undefined;
  command: string[];
  /** --help: the usage on stdout and status 0, as redis-cli does. */
  help: boolean;
  /** --tls; the other TLS flags count only with it, as in redis-cli. */
  tls: boolean;
  /** --tunnel: with --cluster, Docker API tunnels even where ports are published. */
  tunnel: boolean;
  tlsFlags: { cacert?: string; cacertdir?: string; cert?: string; key?: string; sni?: string; insecure?: boolean };
}

function parseCliArgs(argv: readonly string[]): CliArgs {
  const a: CliArgs = {
    host: '127.0.0.1',
    port: 6379,
    password: undefined,
    user: undefined,
    askpass: false,
    db: 0,
    cluster: false,
    resp3: false,
    raw: undefined,
    noAuthWarning: false,
    clusterName: undefined,
    services: [],
    node: undefined,
    command: [],
    help: false,
    tls: false,
    tunnel: false,
    tlsFlags: {},
  };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    const hasValue = i + 1 < argv.length;
    const value = (): string => argv[++i] as string;
    if (arg === '-h' && hasValue) a.host = value();
    else if (arg === '-p' && hasValue) a.port = toPort(value());
    else if ((arg === '-a' || arg === '--pass') && hasValue) a.password = value();
    else if (arg === '--user' && hasValue) a.user = value();
    else if (arg === '--askpass') a.askpass = true;
    else if (arg === '-n' && hasValue) a.db = toInt(value(), '-n');
    else if (arg === '-c') a.cluster = true;
    else if (arg === '-3') a.resp3 = true;
    else if (arg === '--raw') a.raw = true;
    else if (arg === '--no-raw') a.raw = false;
    else if (arg === '--no-auth-warning') a.noAuthWarning = true;
    else if (arg === '--cluster' && hasValue) a.clusterName = value();
    else if (arg === '--node' && hasValue) a.node = value();
    else if (arg === '--services' && hasValue) a.services = value().split(',').map((s) => s.trim()).filter(Boolean);
    else if (arg === '--help') a.help = true;
    else if (arg === '--tls') a.tls = true;
    else if (arg === '--tunnel') a.tunnel = true;
    else if (arg === '--insecure') a.tlsFlags.insecure = true;
    else if (arg === '--sni' && hasValue) a.tlsFlags.sni = value();
    else if (arg === '--cacert' && hasValue) a.tlsFlags.cacert = value();
    else if (arg === '--cacertdir' && hasValue) a.tlsFlags.cacertdir = value();
    else if (arg === '--cert' && hasValue) a.tlsFlags.cert = value();
    else if (arg === '--key' && hasValue) a.tlsFlags.key = value();
    else if (arg.startsWith('-') && arg.length > 1) {
      throw new BadInputError(`Unrecognized option or bad number of args for: '${arg}'. Usage: redis-swarm ${USAGE}`);
    } else break;
  }
  a.command = argv.slice(i);
  if (a.services.length > 0 && a.clusterName === undefined) throw new BadInputError('--services names the nodes of a cluster: give the cluster a name with --cluster NAME.');
  return a;
}

function toPort(text: string): number {
  const port = toInt(text, '-p');
  if (port < 1 || port > 65535) throw new BadInputError(`-p must be a port from 1 to 65535, not ${text}.`);
  return port;
}

function toInt(text: string, flag: string): number {
  if (!/^-?\d+$/.test(text)) throw new BadInputError(`${flag} needs a number, not "${text}".`);
  return Number(text);
}

/** `--node N`: the N-th seed (1-based) or a seed named host:port; the first seed otherwise. */
function pickSeed(seeds: readonly Endpoint[], node: string | undefined, clusterName: string): Endpoint {
  if (seeds.length === 0) throw new BadInputError(`Cluster "${clusterName}" has no reachable node.`);
  if (node === undefined) return seeds[0] as Endpoint;
  const byName = seeds.find((s) => formatEndpoint(s) === node);
  if (byName) return byName;
  const n = Number(node);
  if (Number.isInteger(n) && n >= 1 && n <= seeds.length) return seeds[n - 1] as Endpoint;
  throw new BadInputError(
    `--node ${node}: cluster "${clusterName}" has nodes 1..${seeds.length} (${seeds.map(formatEndpoint).join(', ')}).`,
  );
}

/** Buffered stdout: one write per tick (or per FLUSH_BYTES) instead of one per reply. */
class OutputBuffer {
  private parts: Buffer[] = [];
  private size = 0;
  private scheduled = false;

  constructor(
    private readonly io: CliIO,
    private readonly immediate: boolean,
  ) {}

  write(chunk: Buffer, channel: 'stdout' | 'stderr'): void {
    if (channel === 'stderr') {
      this.flush();
      this.io.stderr.write(chunk);
      return;
    }
    if (this.immediate) {
      this.io.stdout.write(chunk);
      return;
    }
    this.parts.push(chunk);
    this.size += chunk.length;
    if (this.size >= FLUSH_BYTES) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(() => this.flush());
    }
  }

  flush(): void {
    this.scheduled = false;
    if (this.size === 0 && this.parts.length === 0) return;
    const data = this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts);
    this.parts = [];
    this.size = 0;
    this.io.stdout.write(data);
  }

  /** Resolves when everything written so far has left the process. */
  drained(): Promise<void> {
    this.flush();
    return new Promise((resolve) => this.io.stdout.write('', () => resolve()));
  }
}

export const cliVerb: Verb = {
  name: 'cli',
  summary: 'A redis-cli compatible REPL (with -c cluster redirects), through the connection routes.',
  usage: USAGE,
  async run(argv, io) {
    const args = parseCliArgs(argv);
    if (args.help) {
      io.stdout.write(`Usage: redis-swarm ${USAGE}\n`);
      return 0;
    }
    // redis-cli's order: -a warns as it is parsed, REDISCLI_AUTH fills in when -a is absent,
    // and --askpass, asked last, wins over both.
    if (args.password !== undefined && !args.noAuthWarning) {
      io.stderr.write("Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n");
    }
    let password = args.password ?? io.env['REDISCLI_AUTH'];
    if (args.askpass) password = await askPassword(io);
    let user = args.user;

    let router: Router;
    let host = args.host;
    let port = args.port;
    let dispose = async (): Promise<void> => undefined;
    const tls = args.tls ? loadTlsFlags(args.tlsFlags) : undefined;
    if (args.clusterName !== undefined) {
      // What was not given (a user's password, or the cluster's operator user and password) is
      // read from the cluster's Docker secrets; so is a TLS cluster's client certificate, unless
      // --tls gives one.
      const access = await openClusterAccess(args.clusterName, {
        env: io.env,
        services: args.services,
        forceTunnel: args.tunnel,
        // An empty REDISCLI_AUTH (exported blank) is no password: the cluster's is read instead.
        login: { ...(user !== undefined ? { username: user } : {}), ...(password !== undefined && password !== '' ? { password } : {}) },
        ...(tls ? { tls } : {}),
      });
      password = access.credentials?.password;
      user = access.credentials?.username;
      router = access.router;
      dispose = () => access.dispose();
      const seed = pickSeed(access.seeds, args.node, args.clusterName);
      host = seed.host;
      port = seed.port;
    } else {
      router = new StaticRouter(tls ? { tls } : {});
    }

    const stdoutTTY = io.stdout.isTTY === true;
    const oneShot = args.command.length > 0;
    const interactiveTTY = !oneShot && io.stdin.isTTY === true;
    const output = new OutputBuffer(io, interactiveTTY);
    const options: ReplOptions = {
      host,
      port,
      router,
      cluster: args.cluster,
      resp3: args.resp3,
      mode: args.raw === undefined ? (stdoutTTY ? 'tty' : 'raw') : args.raw ? 'raw' : 'tty',
      pushOutput: stdoutTTY,
      db: args.db,
      interactive: !oneShot,
      ...(password !== undefined ? { password } : {}),
      ...(user !== undefined ? { user } : {}),
    };
    const engine = new ReplEngine(options, (chunk, channel) => output.write(chunk, channel));
    try {
      if (oneShot) {
        // redis-cli connects quietly first, then reports the error when the command needs it.
        await engine.start({ quiet: true });
        const status = await engine.executeArgs(args.command);
        return status === 'ok' ? 0 : 1;
      }
      await engine.start();
      if (interactiveTTY) return await interactive(engine, io, output);
      return await piped(engine, io, output);
    } finally {
      await output.drained();
      await engine.close();
      await router.dispose();
      await dispose();
    }
  },
};

/** stdin is not a terminal: run each line like redis-cli's linenoise without a TTY. */
async function piped(engine: ReplEngine, io: CliIO, output: OutputBuffer): Promise<number> {
  const onAbort = (): void => {
    // Ctrl+C stops a stream; otherwise redis-cli exits (with status 1). SIGTERM and SIGHUP
    // always end the session.
    if (io.signal.reason !== 'SIGINT' || !engine.cancel()) {
      output.flush();
      process.exit(1);
    }
  };
  io.signal.addEventListener('abort', onAbort);
  try {
    let rest: Buffer = Buffer.alloc(0);
    for await (const chunk of io.stdin) {
      const data: Buffer = rest.length > 0 ? Buffer.concat([rest, toBuffer(chunk)]) : toBuffer(chunk);
      let start = 0;
      for (;;) {
        const nl = data.indexOf(10, start);
        if (nl < 0) break;
        const status = await engine.execute(data.subarray(start, nl));
        start = nl + 1;
        if (status === 'exit') return 0;
      }
      rest = data.subarray(start);
    }
    if (rest.length > 0 && (await engine.execute(rest)) === 'exit') return 0;
    return 0;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
  }
}

function toBuffer(chunk: string | Buffer): Buffer {
  return typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
}

function historyPath(io: CliIO): string {
  return join(io.env['HOME'] ?? homedir(), HISTORY_FILE);
}

function loadHistory(path: string): string[] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.length > 0)
      .slice(-HISTORY_SIZE)
      .reverse();
  } catch {
    return [];
  }
}

/** A terminal: prompt, history, Ctrl+C stops a stream or leaves. */
async function interactive(engine: ReplEngine, io: CliIO, output: OutputBuffer): Promise<number> {
  const path = historyPath(io);
  const rl = readline.createInterface({
    input: io.stdin,
    output: io.stdout,
    terminal: true,
    history: loadHistory(path),
    historySize: HISTORY_SIZE,
    removeHistoryDuplicates: false,
  });
  let closed = false;
  rl.on('close', () => {
    closed = true;
  });
  rl.on('SIGINT', () => {
    if (!engine.cancel()) rl.close();
  });
  // In a terminal Ctrl+C reaches readline, not the process: an abort is SIGTERM or SIGHUP.
  const onAbort = (): void => {
    engine.cancel();
    rl.close();
  };
  io.signal.addEventListener('abort', onAbort, { once: true });
  try {
    while (!closed) {
      const line = await new Promise<string | undefined>((resolve) => {
        const onClose = (): void => resolve(undefined);
        rl.once('close', onClose);
        rl.question(engine.prompt, (answer) => {
          rl.off('close', onClose);
          resolve(answer);
        });
      });
      if (line === undefined) break;
      const bytes = Buffer.from(line, 'utf8');
      const argv = splitArgs(bytes);
      if (line.length > 0) {
        const words = argv ? argv.map(cstr) : [];
        // A leading repeat count is not part of the command (redis-cli skips it too).
        const cmdWords = words.length > 1 && /^\d+$/.test(words[0] as string) ? words.slice(1) : words;
        if (argv !== null && isSensitiveCommand(cmdWords)) {
          const history = (rl as unknown as { history: string[] }).history;
          if (history[0] === line) history.shift();
        } else if (argv === null || argv.length > 0) {
          try {
            appendFileSync(path, line + '\n', { mode: 0o600 });
          } catch {
            // History is a convenience: an unwritable home must not stop the REPL.
          }
        }
      }
      const status = await engine.execute(bytes);
      output.flush();
      if (status === 'exit') break;
    }
    return 0;
  } finally {
    io.signal.removeEventListener('abort', onAbort);
    rl.close();
  }
}
