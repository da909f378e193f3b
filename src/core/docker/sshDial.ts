/**
 * `DOCKER_HOST=ssh://user@host[:port]` the way the docker CLI does it (cli/connhelper): run the
 * system's OpenSSH client with `docker system dial-stdio` on the remote side, and speak the
 * Engine API over its stdin/stdout.
 *
 * Why not docker-modem's own ssh support (ssh2 in JavaScript): it accepts any host key (no
 * known_hosts check at all), uses only the ssh agent (no key files, no ~/.ssh/config: no
 * IdentityFile, ProxyJump, Port or User from there), and opens a new SSH connection for every
 * request. OpenSSH gives the user's own trust decisions and configuration, as `docker -H ssh://`
 * and the Docker tools for VS Code use them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { Agent, type AgentOptions } from 'node:http';
import { type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { BadInputError } from '../errors';

/** An extra ssh_config file for these connections (ssh -F), e.g. a test's or a CI job's. */
export const SSH_CONFIG_ENV = 'REDIS_SWARM_SSH_CONFIG';
/** Give up on a host that does not answer the TCP connection within this (ssh ConnectTimeout, s). */
export const SSH_CONNECT_TIMEOUT_S = 10;
/** A silent engine (machine gone, cable pulled) is declared lost after interval × count seconds. */
export const SSH_ALIVE_INTERVAL_S = 5;
export const SSH_ALIVE_COUNT = 3;
/** Idle API connections kept open for the next request (each one is an ssh process). */
const MAX_IDLE_CONNECTIONS = 4;

export interface SshEndpoint {
  readonly host: string;
  readonly port?: number;
  readonly user?: string;
}

export function parseSshHost(address: string): SshEndpoint {
  let url: URL;
  try {
    url = new URL(address);
  } catch {
    throw new BadInputError(`"${address}" is not an ssh address; write it as ssh://user@host[:port].`);
  }
  if (url.protocol !== 'ssh:' || !url.hostname) {
    throw new BadInputError(`"${address}" is not an ssh address; write it as ssh://user@host[:port].`);
  }
  if (url.pathname && url.pathname !== '/') {
    throw new BadInputError(`"${address}" has a path, which an ssh Docker host cannot have; write it as ssh://user@host[:port].`);
  }
  // An option smuggled in as a host or user name (ssh -oProxyCommand=…) must never reach ssh.
  const user = url.username ? decodeURIComponent(url.username) : undefined;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (host.startsWith('-') || user?.startsWith('-')) {
    throw new BadInputError(`"${address}" is not an ssh address: a host or user name cannot start with "-".`);
  }
  return { host, ...(url.port ? { port: Number(url.port) } : {}), ...(user ? { user } : {}) };
}

/**
 * The ssh command line. BatchMode: never prompt (there is no terminal in VS Code, and a prompt
 * would hang): an unknown or changed host key, or a key that needs a passphrase not in the
 * agent, fails with ssh's own message instead.
 */
export function sshCommand(ep: SshEndpoint, env: NodeJS.ProcessEnv): string[] {
  const config = env[SSH_CONFIG_ENV];
  return [
    ...(config ? ['-F', config] : []),
    '-T',
    '-o', 'BatchMode=yes',
    '-o', `ConnectTimeout=${SSH_CONNECT_TIMEOUT_S}`,
    '-o', `ServerAliveInterval=${SSH_ALIVE_INTERVAL_S}`,
    '-o', `ServerAliveCountMax=${SSH_ALIVE_COUNT}`,
    ...(ep.user ? ['-l', ep.user] : []),
    ...(ep.port ? ['-p', String(ep.port)] : []),
    '--',
    ep.host,
    'docker', 'system', 'dial-stdio',
  ];
}

/** What ssh said on stderr, as the sentence a user needs. */
export function sshFailure(ep: SshEndpoint, stderr: string, receivedBytes: boolean): string {
  const where = `${ep.user ? `${ep.user}@` : ''}${ep.host}${ep.port ? ` port ${ep.port}` : ''}`;
  const login = `ssh${ep.port ? ` -p ${ep.port}` : ''} ${ep.user ? `${ep.user}@` : ''}${ep.host}`;
  const said = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('Warning: Permanently added') && !l.startsWith('@@@'));
  const text = said.join(' ').replace(/\.$/, '');
  if (/REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(stderr)) {
    return `The ssh host key of ${where} differs from the one in known_hosts (another machine, or a reinstalled one): check it before you trust it, then remove the old key with ssh-keygen -R.`;
  }
  if (/Host key verification failed/i.test(stderr)) {
    return `The ssh host key of ${where} is not in known_hosts: check its fingerprint and accept it once with "${login}".`;
  }
  const missingKey = /no such identity: ([^:]+)/i.exec(stderr);
  if (/Permission denied \(/.test(stderr)) {
    return missingKey
      ? `ssh to ${where} refused every key offered, and the key file ${missingKey[1] ?? ''} does not exist: name an existing key with IdentityFile in ~/.ssh/config or load it into ssh-agent.`
      : `ssh to ${where} refused every key offered: load the right key into ssh-agent or name it with IdentityFile in ~/.ssh/config.`;
  }
  if (/Connection refused/i.test(stderr)) return `ssh to ${where} was refused: no sshd listens there.`;
  if (/Connection timed out|timed out during banner/i.test(stderr)) return `ssh to ${where} did not answer within ${SSH_CONNECT_TIMEOUT_S} s.`;
  if (/Could not resolve hostname/i.test(stderr)) return `ssh cannot resolve the host name in ${where}.`;
  if (/permission denied.*docker\.sock/i.test(stderr)) {
    return `ssh to ${where} worked, but its user may not use the Docker socket there: add it to the docker group.`;
  }
  if (/docker: (command )?not found|unknown command "system"|dial-stdio/i.test(stderr) && !receivedBytes) {
    return `ssh to ${where} worked, but "docker system dial-stdio" did not run there (${text}): the remote user needs Docker's CLI 18.09 or later on its PATH.`;
  }
  if (receivedBytes) return `The ssh connection to the Docker engine at ${where} dropped${text ? ` (${text})` : ''}.`;
  return `ssh to ${where} failed${text ? ` (${text})` : ''}.`;
}

/** An Error whose message is already the sentence for the user (describeError shows it as is). */
export class SshTransportError extends Error {
  readonly code = 'ERR_REDIS_SWARM_SSH';
  constructor(message: string) {
    super(message);
    this.name = 'SshTransportError';
  }
}

/**
 * One API connection: the ssh child's stdout and stdin as one duplex stream. Node's http client
 * and docker-modem's hijacked exec streams take any duplex; the socket methods they call on
 * it (keep-alive, timeouts, ref) are provided here.
 */
class SshConnection extends Duplex {
  private received = false;
  private stderr = '';
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs = 0;

  constructor(
    private readonly child: ChildProcess,
    private readonly ep: SshEndpoint,
  ) {
    super({ allowHalfOpen: true });
    const out = child.stdout;
    const err = child.stderr;
    if (!out || !err || !child.stdin) throw new Error('ssh was started without pipes');
    out.on('data', (chunk: Buffer) => {
      this.received = true;
      this.touch();
      if (!this.push(chunk)) out.pause();
    });
    err.setEncoding('utf8');
    err.on('data', (s: string) => {
      // Bounded: only the first lines matter for the sentence.
      if (this.stderr.length < 4096) this.stderr += s;
    });
    child.stdin.on('error', () => {
      // EPIPE after ssh died: the exit below says why.
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      const msg = e.code === 'ENOENT'
        ? `ssh:// Docker hosts need the OpenSSH client ("ssh"), which is not installed here.`
        : `Could not start ssh: ${e.message}.`;
      this.destroy(new SshTransportError(msg));
    });
    child.on('close', (code: number | null) => {
      this.clearIdle();
      if (this.destroyed) return;
      if (code === 0) {
        this.push(null);
        return;
      }
      this.destroy(new SshTransportError(sshFailure(this.ep, this.stderr, this.received)));
    });
  }

  override _read(): void {
    this.child.stdout?.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.touch();
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) {
      cb(new SshTransportError(sshFailure(this.ep, this.stderr, this.received)));
      return;
    }
    stdin.write(chunk, () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin?.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.clearIdle();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
    cb(err);
  }

  // The net.Socket surface Node's http Agent and ClientRequest use.
  setKeepAlive(): this {
    return this;
  }
  setNoDelay(): this {
    return this;
  }
  setTimeout(ms: number, callback?: () => void): this {
    this.idleMs = ms;
    if (callback) this.once('timeout', callback);
    this.touch();
    return this;
  }
  ref(): this {
    this.child.ref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as Socket | null)?.ref?.();
    return this;
  }
  unref(): this {
    // An idle kept-alive connection must not keep the CLI running.
    this.child.unref();
    for (const s of [this.child.stdout, this.child.stderr, this.child.stdin]) (s as Socket | null)?.unref?.();
    return this;
  }

  private touch(): void {
    this.clearIdle();
    if (this.idleMs > 0) {
      this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
      this.idleTimer.unref();
    }
  }
  private clearIdle(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
  }
}

/** An http Agent whose connections are `ssh … docker system dial-stdio` processes. */
export class SshDialAgent extends Agent {
  constructor(
    private readonly ep: SshEndpoint,
    private readonly env: NodeJS.ProcessEnv = process.env,
    options: AgentOptions = {},
  ) {
    super({ keepAlive: true, maxFreeSockets: MAX_IDLE_CONNECTIONS, ...options });
  }

  override createConnection(): Duplex {
    const child = spawn('ssh', sshCommand(this.ep, this.env), { stdio: ['pipe', 'pipe', 'pipe'], env: this.env });
    return new SshConnection(child, this.ep);
  }
}
