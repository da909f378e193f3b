/**
 * "Open Cluster Terminal": a Pseudoterminal running the core REPL engine in cluster mode (-c),
 * through the cluster's router, with redis-cli's TTY output. The terminal has no line
 * discipline, so line editing is the core's lineEditor and output goes through TerminalOutput
 * (CRLF, colors). Keys typed while a command runs are kept and applied after it, except Ctrl+C,
 * which cancels the command (a SUBSCRIBE/MONITOR stream or a blocking call) at once.
 */
import { type Credentials } from '../../core/swarm/auth';
import * as vscode from 'vscode';
import { describeError } from '../../core/errors';
import { type Logger } from '../../core/lifecycle';
import { applyKey, type EditorAction, type Key, type LineState, newLineState, parseKeys, startLine, withColumns } from '../../core/repl/lineEditor';
import { ReplEngine } from '../../core/repl/engine';
import { cstr } from '../../core/repl/cstring';
import { isSensitiveCommand } from '../../core/repl/sensitive';
import { splitArgs } from '../../core/repl/splitArgs';
import { TerminalOutput } from '../../core/repl/terminalOutput';
import { type Endpoint, formatEndpoint } from '../../core/routes/endpoint';
import { type Router } from '../../core/routes/router';
import { type TerminalHistory } from './terminalHistory';

const DIM = '\x1b[2m';
const RED = '\x1b[31m';
const RESET = '\x1b[0m';

export interface ClusterTerminalOptions {
  readonly cluster: string;
  /** The node the REPL starts on (announced endpoint; the router finds the way). */
  readonly start: Endpoint;
  /** The cluster's router, owned by the ModelStore's reader: not disposed here. */
  readonly router: Router;
  /** How the REPL logs in (AUTH user password, or AUTH password). */
  readonly credentials?: Credentials;
  readonly history: TerminalHistory;
  readonly logger: Logger;
}

export class ClusterTerminal implements vscode.Pseudoterminal {
  // One emitter of each per terminal instance: they are disposed with it.
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  private readonly nameEmitter = new vscode.EventEmitter<string>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** The terminal is named after the node it is connected to, and renamed when a redirect moves it. */
  readonly onDidChangeName = this.nameEmitter.event;
  private named: string;

  private readonly engine: ReplEngine;
  private readonly output = new TerminalOutput();
  private line: LineState;
  private running = false;
  private closed = false;
  /** Keys typed while a command ran, applied when it ends. */
  private pending: Key[] = [];

  constructor(private readonly options: ClusterTerminalOptions) {
    this.line = newLineState('', options.history.get(options.cluster));
    this.named = terminalName(options.cluster, formatEndpoint(options.start));
    this.engine = new ReplEngine(
      {
        host: options.start.host,
        port: options.start.port,
        router: options.router,
        cluster: true,
        mode: 'tty',
        pushOutput: true,
        interactive: true,
        ...(options.credentials !== undefined ? { password: options.credentials.password } : {}),
        ...(options.credentials?.username !== undefined ? { user: options.credentials.username } : {}),
      },
      (chunk, channel) => this.write(this.output.format(chunk.toString('utf8'), channel)),
    );
  }

  open(dimensions: vscode.TerminalDimensions | undefined): void {
    if (dimensions) this.line = { ...this.line, columns: dimensions.columns };
    this.write(`${DIM}${vscode.l10n.t('redis-swarm: cluster {0}, redis-cli -c on {1}; Ctrl+D closes.', this.options.cluster, formatEndpoint(this.options.start))}${RESET}\r\n`);
    this.running = true;
    void this.engine
      .start()
      // redis-cli reads its command table at start too: hints and Tab need it from the first key.
      .then(async () => {
        const table = await this.engine.commandTable().catch(() => undefined);
        if (table) this.line = { ...this.line, helpers: { table, hints: this.engine.hints } };
      })
      .catch((err: unknown) => this.write(`${RED}${describeError(err)}${RESET}\r\n`))
      .finally(() => this.commandEnded());
  }

  setDimensions(dimensions: vscode.TerminalDimensions): void {
    const r = withColumns(this.line, dimensions.columns);
    this.line = r.state;
    // While a command writes, its output owns the cursor; the line is drawn when it ends.
    if (!this.running) this.write(r.write);
  }

  handleInput(data: string): void {
    if (this.closed) return;
    const keys = parseKeys(data);
    if (this.running) {
      if (keys.some((k) => k.kind === 'ctrlC')) {
        this.engine.cancel();
        this.pending = [];
      } else {
        this.pending.push(...keys);
      }
      return;
    }
    this.applyKeys(keys);
  }

  private applyKeys(keys: readonly Key[]): void {
    for (let i = 0; i < keys.length; i++) {
      const r = applyKey(this.line, keys[i] as Key);
      this.line = r.state;
      this.write(r.write);
      if (this.act(r.action)) {
        // A command started: the rest waits for it.
        this.pending = [...keys.slice(i + 1), ...this.pending];
        return;
      }
      if (this.closed) return;
    }
  }

  /** Carries out what the editor asked; true when a command is now running. */
  private act(action: EditorAction): boolean {
    switch (action.kind) {
      case 'none':
        return false;
      case 'interrupt':
        this.prompt();
        return false;
      case 'close':
        this.write('\r\n');
        this.finish();
        return false;
      case 'submit':
        this.submit(action.line);
        return true;
    }
  }

  private submit(line: string): void {
    this.remember(line);
    this.running = true;
    this.output.reset();
    void this.engine
      .execute(line)
      .then((status) => {
        if (status === 'exit') this.finish();
      })
      .catch((err: unknown) => {
        this.write(`${RED}${describeError(err)}${RESET}\r\n`);
        this.options.logger.error(`cluster terminal (${this.options.cluster}): ${describeError(err)}`);
      })
      .finally(() => this.commandEnded());
  }

  /** History keeps what the user typed, except lines carrying a password (redis-cli's rule). */
  private remember(line: string): void {
    const argv = splitArgs(Buffer.from(line, 'utf8'));
    const words = argv ? argv.map(cstr) : [];
    // A leading repeat count is not part of the command (redis-cli skips it too).
    const cmd = words.length > 1 && /^\d+$/.test(words[0] as string) ? words.slice(1) : words;
    if (line.trim().length === 0 || isSensitiveCommand(cmd)) return;
    const last = this.line.history[this.line.history.length - 1];
    if (last !== line) this.line = { ...this.line, history: [...this.line.history, line] };
    void this.options.history.add(this.options.cluster, line);
  }

  private commandEnded(): void {
    this.running = false;
    if (this.closed) return;
    // `:set hints` / `:set nohints` take effect on the next line.
    if (this.line.helpers && this.line.helpers.hints !== this.engine.hints) this.line = { ...this.line, helpers: { ...this.line.helpers, hints: this.engine.hints } };
    const name = terminalName(this.options.cluster, formatEndpoint(this.engine.endpoint));
    if (name !== this.named) {
      this.named = name;
      this.nameEmitter.fire(name);
    }
    this.prompt();
    const keys = this.pending;
    this.pending = [];
    if (keys.length > 0) this.applyKeys(keys);
  }

  private prompt(): void {
    // The engine's prompt (host:port after redirects, [db], (TX)) as redis-cli shows it.
    const r = startLine(this.line, this.engine.prompt);
    this.line = r.state;
    this.write(r.write);
  }

  private write(text: string): void {
    if (text.length > 0 && !this.closed) this.writeEmitter.fire(text);
  }

  private finish(): void {
    if (this.closed) return;
    this.closeEmitter.fire(0);
    this.close();
  }

  /** The user closed the terminal (or we did): end the engine and the emitters. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.engine.cancel();
    void this.engine.close();
    this.writeEmitter.dispose();
    this.closeEmitter.dispose();
    this.nameEmitter.dispose();
  }
}

/** `redis-3:6379 · cache`: the node first (what the prompt says), then its cluster. */
export function terminalName(cluster: string, node: string): string {
  return `${node} · ${cluster}`;
}
