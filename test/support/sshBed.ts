/**
 * A real sshd for the remote-engine tests: Debian's openssh-server on 127.0.0.1:<port>, run with
 * its own sshd_config, host key and pid file in a scratch folder (never the system's sshd),
 * accepting one key-only test user who is in the docker group, so `DOCKER_HOST=ssh://…` reaches
 * this machine's engine through ssh and `docker system dial-stdio` exactly as it would reach a
 * remote swarm manager. The client side is an ssh_config file (REDIS_SWARM_SSH_CONFIG) naming
 * the key and a known_hosts file that trusts only this sshd's host key. `stop()` removes the
 * user, the processes and the folder.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, chmodSync, chownSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** The test user: a fixed name, made idempotently and removed by stop(). */
export const SSH_TEST_USER = 'rsremote';

export interface SshBed {
  readonly port: number;
  readonly user: string;
  readonly dir: string;
  /** ssh://rsremote@127.0.0.1:<port> */
  readonly dockerHost: string;
  /** The ssh_config a client uses (key + known_hosts), for REDIS_SWARM_SSH_CONFIG. */
  readonly sshConfig: string;
  /** The environment that makes redis-swarm use this engine over ssh. */
  env(extra?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
  /** Writes an ssh_config like the good one with changes (a wrong known_hosts, a missing key). */
  variantConfig(name: string, change: { knownHosts?: string; identityFile?: string }): string;
  /** Kills the listener and every session it forked: the engine drops mid-operation. */
  drop(): void;
  /** Starts the listener again after drop(). */
  restart(): Promise<void>;
  stop(): void;
}

function run(cmd: string, args: string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Every process whose ancestry leads to pid (sshd's forked sessions and what they run). */
function descendants(pid: number): number[] {
  const parent = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(entry), ppid);
    } catch {
      // Gone while listed.
    }
  }
  const out: number[] = [];
  const walk = (p: number): void => {
    for (const [child, pp] of parent) {
      if (pp === p) {
        out.push(child);
        walk(child);
      }
    }
  };
  walk(pid);
  return out;
}

async function waitListening(port: number, boundMs: number): Promise<void> {
  const deadline = Date.now() + boundMs;
  while (Date.now() < deadline) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    await sleep(100);
  }
  throw new Error(`the test sshd did not listen on 127.0.0.1:${port} within ${boundMs / 1000} s`);
}

export async function startSshBed(port: number): Promise<SshBed> {
  if (!existsSync('/usr/sbin/sshd')) throw new Error('openssh-server is not installed: run scripts/setup.sh');
  const dir = mkdtempSync(join(tmpdir(), 'rs-sshbed-'));
  // sshd reads authorized_keys as the user: the folder must be open to it (StrictModes is off,
  // the folder being under /tmp).
  chmodSync(dir, 0o755);
  const user = SSH_TEST_USER;
  const home = join(dir, 'home');
  mkdirSync(home);
  // Idempotent: a user left by a killed run is taken over, not duplicated. '*' is a password
  // nothing matches, yet not a "locked" account, which sshd would refuse even for keys.
  try {
    run('id', [user]);
    run('usermod', ['-d', home, '-G', 'docker', '-p', '*', user]);
  } catch {
    run('useradd', ['-M', '-N', '-d', home, '-s', '/bin/bash', '-G', 'docker', '-p', '*', user]);
  }
  chownSync(home, Number(run('id', ['-u', user]).trim()), Number(run('id', ['-g', user]).trim()));
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rs-sshbed-host', '-f', join(dir, 'host_ed25519')]);
  run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'rs-sshbed-client', '-f', join(dir, 'id_ed25519')]);
  writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'id_ed25519.pub')), { mode: 0o644 });
  const hostPub = readFileSync(join(dir, 'host_ed25519.pub'), 'utf8').trim().split(' ').slice(0, 2).join(' ');
  writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${hostPub}\n`);
  const sshdConfig = join(dir, 'sshd_config');
  writeFileSync(
    sshdConfig,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${join(dir, 'host_ed25519')}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'AuthenticationMethods publickey',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      `AllowUsers ${user}`,
      'PermitRootLogin no',
      'X11Forwarding no',
      'AllowTcpForwarding no',
      'PrintMotd no',
      'LogLevel ERROR',
      '',
    ].join('\n'),
  );
  // The privilege-separation folder Debian's service would make; removed again if we made it.
  const madePrivsep = !existsSync('/run/sshd');
  if (madePrivsep) mkdirSync('/run/sshd', { mode: 0o755 });

  const writeClientConfig = (name: string, knownHosts: string, identityFile: string): string => {
    const file = join(dir, name);
    writeFileSync(
      file,
      [
        'Host 127.0.0.1',
        `  IdentityFile ${identityFile}`,
        '  IdentitiesOnly yes',
        '  IdentityAgent none',
        `  UserKnownHostsFile ${knownHosts}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '',
      ].join('\n'),
    );
    return file;
  };
  const sshConfig = writeClientConfig('ssh_config', join(dir, 'known_hosts'), join(dir, 'id_ed25519'));

  let listener: ChildProcess | undefined;
  const start = async (): Promise<void> => {
    // -D: stays a child of this process, so the test owns it by pid; -e: errors on stderr.
    listener = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    await waitListening(port, 15_000);
  };
  const kill = (): void => {
    if (!listener?.pid) return;
    for (const pid of [...descendants(listener.pid), listener.pid]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    listener = undefined;
  };
  try {
    await start();
  } catch (err) {
    kill();
    throw err;
  }

  return {
    port,
    user,
    dir,
    dockerHost: `ssh://${user}@127.0.0.1:${port}`,
    sshConfig,
    env: (extra = {}) => ({ ...process.env, DOCKER_HOST: `ssh://${user}@127.0.0.1:${port}`, DOCKER_CONTEXT: '', REDIS_SWARM_SSH_CONFIG: sshConfig, ...extra }),
    variantConfig: (name, change) =>
      writeClientConfig(name, change.knownHosts ?? join(dir, 'known_hosts'), change.identityFile ?? join(dir, 'id_ed25519')),
    drop: kill,
    restart: start,
    stop: () => {
      kill();
      // Sessions still running as the user (none once the listener tree is gone), then the user.
      try {
        run('userdel', [user]);
      } catch {
        // Not there.
      }
      rmSync(dir, { recursive: true, force: true });
      if (madePrivsep) rmSync('/run/sshd', { recursive: true, force: true });
    },
  };
}
