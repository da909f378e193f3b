/**
 * Runs a process to its end with a bound: its exit status and everything it printed. Past the
 * bound it is killed and the promise rejects with what it had printed so far.
 */
import { type ChildProcess, spawn } from 'node:child_process';

export interface Run {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly boundMs: number;
  readonly cwd?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Told of the child when it starts and when it ends (for a test's after-hook to kill leftovers). */
  readonly track?: Set<ChildProcess>;
  /** Written to the child's stdin, which then closes (otherwise stdin is /dev/null). */
  readonly input?: string;
}

export function runProcess(command: string, args: readonly string[], options: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    // Without input, stdin closes at once (reads see end of file, as from /dev/null).
    p.stdin.end(options.input ?? '');
    options.track?.add(p);
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      p.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end within ${options.boundMs / 1000} s; output so far:\n${stdout}\n${stderr}`));
    }, options.boundMs);
    p.on('close', (status) => {
      clearTimeout(timer);
      options.track?.delete(p);
      resolve({ status, stdout, stderr });
    });
  });
}
