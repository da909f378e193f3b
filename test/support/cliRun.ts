/**
 * The real `bin/redis-swarm` (the bundle `npm run build` makes) as a child process whose output
 * a test can wait on, signal and await, for tests of signals and interruptions.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Run {
  readonly child: ChildProcess;
  /** Resolves with what was written so far once a line matches, or rejects when the run ends first. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** The exit code (or the signal that killed it), bounded by timeoutMs. */
  exit(timeoutMs: number): Promise<number | string>;
  output(): string;
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Run {
  const child = spawn(process.execPath, ['bin/redis-swarm', ...args], { env: { ...process.env, DOCKER_HOST: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  const watchers: (() => void)[] = [];
  const onData = (c: Buffer): void => {
    text += c.toString('utf8');
    watchers.forEach((w) => w());
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  return {
    child,
    output: () => text,
    waitFor: (pattern, timeoutMs) =>
      new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; output:\n${text}`)), timeoutMs);
        const check = (): void => {
          if (!pattern.test(text)) return;
          clearTimeout(timer);
          resolve();
        };
        watchers.push(check);
        void exited.then((code) => {
          clearTimeout(timer);
          if (!pattern.test(text)) reject(new Error(`the run ended (${code}) before a line matching ${pattern}; output:\n${text}`));
        });
        check();
      }),
    exit: (timeoutMs) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running ${timeoutMs} ms after the signal; output:\n${text}`)), timeoutMs).unref()),
      ]),
  };
}

