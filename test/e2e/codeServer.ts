/**
 * Starts and stops code-server (VS Code in the browser) for one test, on loopback only, with a
 * profile of its own in a scratch folder that is removed on stop. Facts it relies on are in
 * shared/docs/environment.md: every code-server command writes into $HOME, a second server on
 * a taken port dies silently, and killing the main PID leaves the extension host running.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, existsSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { codeServerBinary } from './paths';

const execFileAsync = promisify(execFile);

/** Ports tried, in a random order so parallel runs rarely race for the same one. */
const PORT_RANGE = { first: 18000, last: 18099 } as const;
const START_TIMEOUT_MS = 30_000;
const HEALTH_POLL_MS = 250;
const INSTALL_EXTENSION_TIMEOUT_MS = 60_000;
/** Between SIGTERM to the group and SIGKILL. */
const STOP_GRACE_MS = 3_000;
/** Lines of server output kept for error messages. */
const LOG_TAIL_LINES = 40;

/** User settings that stop the workbench from calling out (see environment.md). */
const OFFLINE_SETTINGS = {
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'workbench.enableExperiments': false,
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
} as const;

export interface CodeServerOptions {
  /** .vsix files installed into this server's extensions folder before it starts. */
  readonly extensions?: readonly string[];
  /** User settings added to the offline ones (e.g. a test that reads terminal text turns off GPU rendering). */
  readonly settings?: Readonly<Record<string, unknown>>;
}

export interface CodeServer {
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** An empty folder opened as the workspace. */
  readonly workspace: string;
  /** The server's output so far, for failure messages. */
  logTail(): string;
  /** Stops the whole process group and removes the scratch folder; safe to call twice. */
  stop(): Promise<void>;
}

interface Dirs {
  readonly root: string;
  readonly home: string;
  readonly userData: string;
  readonly extensions: string;
  readonly workspace: string;
  readonly config: string;
}

async function makeDirs(settings: Readonly<Record<string, unknown>> = {}): Promise<Dirs> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'redis-swarm-e2e-code-server-'));
  const dirs: Dirs = {
    root,
    home: path.join(root, 'home'),
    userData: path.join(root, 'user-data'),
    extensions: path.join(root, 'extensions'),
    workspace: path.join(root, 'workspace'),
    config: path.join(root, 'config.yaml'),
  };
  for (const d of [dirs.home, path.join(dirs.userData, 'User'), dirs.extensions, dirs.workspace]) {
    await mkdir(d, { recursive: true });
  }
  await writeFile(path.join(dirs.userData, 'User', 'settings.json'), JSON.stringify({ ...OFFLINE_SETTINGS, ...settings }, null, 2));
  await writeFile(dirs.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  return dirs;
}

/** The environment for every code-server command: $HOME and XDG_* in the scratch folder. */
function serverEnv(dirs: Dirs): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // A VS Code variable inherited from a terminal inside VS Code would confuse the server.
  for (const key of Object.keys(env)) if (key.startsWith('VSCODE_')) delete env[key];
  return {
    ...env,
    HOME: dirs.home,
    XDG_CONFIG_HOME: path.join(dirs.home, '.config'),
    XDG_DATA_HOME: path.join(dirs.home, '.local', 'share'),
    XDG_CACHE_HOME: path.join(dirs.home, '.cache'),
    XDG_STATE_HOME: path.join(dirs.home, '.local', 'state'),
    // An empty gallery: no marketplace requests.
    EXTENSIONS_GALLERY: '{}',
  };
}

function profileArgs(dirs: Dirs): string[] {
  return ['--config', dirs.config, '--user-data-dir', dirs.userData, '--extensions-dir', dirs.extensions];
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/** The ports to pick from: PORT_RANGE, or REDIS_SWARM_CODE_SERVER_PORTS=first-last (a test layer with its own block). */
function portRange(): { first: number; last: number } {
  const m = /^(\d+)-(\d+)$/.exec(process.env['REDIS_SWARM_CODE_SERVER_PORTS'] ?? '');
  return m ? { first: Number(m[1]), last: Number(m[2]) } : PORT_RANGE;
}

async function pickFreePort(): Promise<number> {
  const range = portRange();
  const ports: number[] = [];
  for (let p = range.first; p <= range.last; p++) ports.push(p);
  ports.sort(() => Math.random() - 0.5);
  for (const p of ports) if (await portIsFree(p)) return p;
  throw new Error(`no free port on 127.0.0.1 in ${range.first}-${range.last} for code-server`);
}

function healthy(origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${origin}/healthz`, { timeout: 2_000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Sends a signal to a whole process group; false when the group is gone. */
function signalGroup(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** Servers still running, stopped synchronously if the test process exits without `stop()`. */
const running = new Map<number, string>();
process.once('exit', () => {
  for (const [pid, root] of running) {
    signalGroup(pid, 'SIGKILL');
    rmSync(root, { recursive: true, force: true });
  }
});
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => process.exit(130));
}

export async function startCodeServer(options: CodeServerOptions = {}): Promise<CodeServer> {
  const bin = codeServerBinary();
  if (!existsSync(bin)) {
    throw new Error(`code-server is not installed at ${bin}: run \`bash scripts/install-code-server.sh\` first`);
  }
  const dirs = await makeDirs(options.settings);
  try {
    for (const vsix of options.extensions ?? []) {
      // Installed before the server starts, so the first page load already shows it.
      await execFileAsync(bin, [...profileArgs(dirs), '--install-extension', vsix], {
        env: serverEnv(dirs),
        timeout: INSTALL_EXTENSION_TIMEOUT_MS,
      }).catch((err: unknown) => {
        throw new Error(`code-server --install-extension ${vsix} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
    return await launch(bin, dirs);
  } catch (err) {
    await rm(dirs.root, { recursive: true, force: true });
    throw err;
  }
}

async function launch(bin: string, dirs: Dirs): Promise<CodeServer> {
  const port = await pickFreePort();
  const origin = `http://127.0.0.1:${port}`;
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    ...profileArgs(dirs),
    dirs.workspace,
  ];
  // detached: the server becomes the leader of a new process group (setsid), so one signal to
  // the group also reaches the extension host and the watchers it forks.
  const child: ChildProcess = spawn(bin, args, { env: serverEnv(dirs), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${bin}`);
  running.set(pid, dirs.root);

  const tail: string[] = [];
  const logFile = createWriteStream(path.join(dirs.root, 'server.log'));
  let listening = false;
  const onData = (chunk: Buffer): void => {
    logFile.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > LOG_TAIL_LINES) tail.shift();
      // Our own server says so: a 200 from /healthz alone could come from another server that
      // took the port between the check and our start.
      if (line.includes(`HTTP server listening on ${origin}`)) listening = true;
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited: number | string | undefined;
  const exitPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exited = code ?? signal ?? 'unknown';
      resolve();
    });
  });

  let stopped = false;
  const server: CodeServer = {
    port,
    origin,
    workspace: dirs.workspace,
    logTail: () => tail.join('\n'),
    async stop() {
      if (stopped) return;
      stopped = true;
      if (signalGroup(pid, 'SIGTERM')) {
        await Promise.race([exitPromise, sleep(STOP_GRACE_MS)]);
        // Whatever is left of the group (an extension host slow to quit) goes now.
        signalGroup(pid, 'SIGKILL');
      }
      running.delete(pid);
      await new Promise<void>((r) => logFile.end(r));
      await rm(dirs.root, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(listening && (await healthy(origin)))) {
    if (exited !== undefined || Date.now() > deadline) {
      const why = exited !== undefined ? `exited (${exited})` : `did not answer ${origin}/healthz within ${START_TIMEOUT_MS} ms`;
      await server.stop();
      throw new Error(`code-server ${why}. Its output:\n${tail.join('\n')}`);
    }
    await sleep(HEALTH_POLL_MS);
  }
  return server;
}
