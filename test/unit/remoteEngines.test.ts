import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseSshHost, sshCommand, sshFailure, SSH_CONFIG_ENV } from '../../src/core/docker/sshDial';
import { tlsFailure } from '../../src/core/docker/tlsFailure';
import { clientIdsNamed, encodeLockName, isDeadLocalHolder, type LockHolder } from '../../src/core/ops/lockName';

describe('ssh:// engines: the OpenSSH command line', () => {
  it('runs docker system dial-stdio as the user, on the port, never prompting', () => {
    const args = sshCommand(parseSshHost('ssh://deploy@192.0.2.7:2222'), {});
    assert.deepEqual(args.slice(-9), ['-l', 'deploy', '-p', '2222', '--', '192.0.2.7', 'docker', 'system', 'dial-stdio']);
    assert.ok(args.includes('BatchMode=yes'), 'a prompt would hang: there is no terminal in VS Code');
    assert.ok(!args.includes('-F'));
  });

  it('leaves user and port to ~/.ssh/config when the address has none, and adds the extra config file', () => {
    const args = sshCommand(parseSshHost('ssh://swarm-manager'), { [SSH_CONFIG_ENV]: '/etc/ci/ssh_config' });
    assert.deepEqual(args.slice(0, 2), ['-F', '/etc/ci/ssh_config']);
    assert.ok(!args.includes('-l') && !args.includes('-p'));
  });

  it('refuses a host or user that ssh would read as an option, and a path', () => {
    assert.throws(() => parseSshHost('ssh://-oProxyCommand=x@192.0.2.1'), /cannot start with "-"/);
    assert.throws(() => parseSshHost('ssh://admin@192.0.2.1/var/run/docker.sock'), /has a path/);
    assert.throws(() => parseSshHost('tcp://192.0.2.1'), /not an ssh address/);
  });
});

describe('ssh:// engines: what ssh said, as one sentence', () => {
  const ep = parseSshHost('ssh://admin@192.0.2.9:2200');

  it('an unknown host key', () => {
    assert.equal(
      sshFailure(ep, 'Host key verification failed.\r\n', false),
      'The ssh host key of admin@192.0.2.9 port 2200 is not in known_hosts: check its fingerprint and accept it once with "ssh -p 2200 admin@192.0.2.9".',
    );
  });

  it('a changed host key', () => {
    const said = '@@@@@@@@@@@\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\n@@@@@@@@@@@\nHost key verification failed.\n';
    assert.match(sshFailure(ep, said, false), /^The ssh host key of admin@192\.0\.2\.9 port 2200 differs from the one in known_hosts/);
  });

  it('no key accepted, naming a key file that does not exist', () => {
    const said = 'no such identity: /home/me/.ssh/id_gone: No such file or directory\r\nadmin@192.0.2.9: Permission denied (publickey).\r\n';
    assert.match(sshFailure(ep, said, false), /refused every key offered, and the key file \/home\/me\/\.ssh\/id_gone does not exist/);
    assert.match(sshFailure(ep, 'admin@192.0.2.9: Permission denied (publickey).', false), /refused every key offered: load the right key/);
  });

  it('no sshd, no docker CLI there, no socket access, a dropped link', () => {
    assert.match(sshFailure(ep, 'ssh: connect to host 192.0.2.9 port 2200: Connection refused', false), /was refused: no sshd listens there/);
    assert.match(sshFailure(ep, 'bash: line 1: docker: command not found', false), /the remote user needs Docker's CLI 18\.09 or later/);
    assert.match(sshFailure(ep, 'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock', false), /add it to the docker group/);
    assert.match(sshFailure(ep, 'Connection to 192.0.2.9 closed by remote host.', true), /^The ssh connection to the Docker engine at admin@192\.0\.2\.9 port 2200 dropped/);
  });
});

describe('tcp:// engines with TLS: what failed, as the end of one sentence', () => {
  const err = (code: string, message = ''): Error => Object.assign(new Error(message), { code });

  it('the engine refused our certificate, or we offered none', () => {
    assert.match(tlsFailure(err('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE')) ?? '', /^refused the client certificate \(not signed by the CA it trusts\)/);
    assert.match(tlsFailure(err('ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE'), false) ?? '', /^requires a client certificate and none was offered/);
    assert.match(tlsFailure(err('ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED')) ?? '', /as expired/);
  });

  it('we do not trust the engine', () => {
    assert.match(tlsFailure(err('UNABLE_TO_VERIFY_LEAF_SIGNATURE')) ?? '', /does not vouch for/);
    assert.match(tlsFailure(err('ERR_TLS_CERT_ALTNAME_INVALID')) ?? '', /issued for other names/);
    assert.match(tlsFailure(err('CERT_HAS_EXPIRED')) ?? '', /expired server certificate/);
  });

  it('a plain engine reached with TLS; anything else is not a TLS failure', () => {
    assert.match(tlsFailure(err('EPROTO', 'write EPROTO 00:error:0A00010B:SSL routines:ssl3_get_record:wrong version number')) ?? '', /does not speak TLS/);
    assert.equal(tlsFailure(err('ECONNREFUSED')), undefined);
  });
});

describe('the cluster lock after its holder died behind a cut engine link', () => {
  const holder: LockHolder = { operation: 'reshard', host: 'build-7', pid: 4242, since: 1, nonce: 'ab' };

  it('a holder on this machine whose process is gone is dead; elsewhere, or running, it is not', () => {
    assert.equal(isDeadLocalHolder(holder, 'build-7', () => false), true);
    assert.equal(isDeadLocalHolder(holder, 'build-7', () => true), false);
    assert.equal(isDeadLocalHolder(holder, 'laptop', () => false), false, 'another machine\'s pid says nothing here');
  });

  it('finds the client ids carrying a name in CLIENT LIST', () => {
    const name = encodeLockName(holder);
    const list = [
      `id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=${name} age=3 idle=0 flags=N db=0`,
      'id=8 addr=127.0.0.1:5001 laddr=127.0.0.1:6379 fd=9 name= age=3 idle=0 flags=N db=0',
      `id=9 addr=127.0.0.1:5002 laddr=127.0.0.1:6379 fd=10 name=${name}x age=3 idle=0 flags=N db=0`,
      `id=12 addr=127.0.0.1:5003 laddr=127.0.0.1:6379 fd=11 name=${name} age=1 idle=0 flags=N db=0`,
    ].join('\n');
    assert.deepEqual(clientIdsNamed(list, name), ['7', '12']);
  });
});
