import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { resolveDockerTarget, describeTarget } from '../../src/core/docker/target';
import { Agent } from 'node:https';
import { dockerOptions } from '../../src/core/docker/client';
import { SshDialAgent, parseSshHost, sshCommand } from '../../src/core/docker/sshDial';

describe('finding the Docker engine the way the docker CLI does', () => {
  const home = mkdtempSync(join(tmpdir(), 'rs-docker-home-'));
  after(() => rmSync(home, { recursive: true, force: true }));

  function writeContext(name: string, host: string, tls = false, skipTlsVerify = false): void {
    const id = createHash('sha256').update(name).digest('hex');
    const meta = join(home, '.docker', 'contexts', 'meta', id);
    mkdirSync(meta, { recursive: true });
    writeFileSync(join(meta, 'meta.json'), JSON.stringify({ Name: name, Endpoints: { docker: { Host: host, SkipTLSVerify: skipTlsVerify } } }));
    if (tls) {
      const dir = join(home, '.docker', 'contexts', 'tls', id, 'docker');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'ca.pem'), 'CA');
      writeFileSync(join(dir, 'cert.pem'), 'CERT');
      writeFileSync(join(dir, 'key.pem'), 'KEY');
    }
  }

  it('uses the default socket when nothing is set', () => {
    const t = resolveDockerTarget({ env: {}, homeDir: home });
    assert.equal(t.host, 'unix:///var/run/docker.sock');
    assert.equal(t.source, 'default');
    assert.deepEqual(dockerOptions(t), { socketPath: '/var/run/docker.sock' });
  });

  it('prefers DOCKER_HOST over the current context', () => {
    writeContext('remote', 'tcp://192.0.2.99:2376', true);
    writeFileSync(join(home, '.docker', 'config.json'), JSON.stringify({ currentContext: 'remote' }));
    const t = resolveDockerTarget({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2375' }, homeDir: home });
    assert.equal(t.source, 'DOCKER_HOST');
    assert.match(describeTarget(t), /from DOCKER_HOST/);
    assert.deepEqual(dockerOptions(t), { protocol: 'http', host: '127.0.0.1', port: 2375 });
  });

  it('reads the current context and its TLS files from ~/.docker/contexts', () => {
    const t = resolveDockerTarget({ env: {}, homeDir: home });
    assert.equal(t.source, 'context');
    assert.equal(t.contextName, 'remote');
    assert.equal(t.tls?.ca?.toString(), 'CA');
    const o = dockerOptions(t) as { protocol: string; port: number; cert: Buffer };
    assert.equal(o.protocol, 'https');
    assert.equal(o.port, 2376);
    assert.equal(o.cert.toString(), 'CERT');
  });

  it('lets DOCKER_CONTEXT and an explicit context override config.json', () => {
    writeContext('other', 'ssh://deploy@swarm-manager:2222');
    const t = resolveDockerTarget({ env: { DOCKER_CONTEXT: 'other' }, homeDir: home });
    assert.equal(t.contextName, 'other');
    const o = dockerOptions(t, {});
    assert.ok(o.agent instanceof SshDialAgent, 'ssh:// goes through OpenSSH and docker system dial-stdio');
    assert.deepEqual(sshCommand(parseSshHost(t.host), {}).slice(-9), ['-l', 'deploy', '-p', '2222', '--', 'swarm-manager', 'docker', 'system', 'dial-stdio']);
    assert.equal(resolveDockerTarget({ context: 'default', env: { DOCKER_CONTEXT: 'other' }, homeDir: home }).source, 'default');
  });

  it('uses TLS for DOCKER_HOST when DOCKER_TLS_VERIFY and DOCKER_CERT_PATH say so', () => {
    const certs = join(home, 'certs');
    mkdirSync(certs, { recursive: true });
    writeFileSync(join(certs, 'ca.pem'), 'MYCA');
    const t = resolveDockerTarget({ env: { DOCKER_HOST: 'tcp://127.0.0.1:2376', DOCKER_TLS_VERIFY: '1', DOCKER_CERT_PATH: certs }, homeDir: home });
    assert.equal(t.tls?.verify, true);
    assert.equal((dockerOptions(t) as { ca: Buffer }).ca.toString(), 'MYCA');
  });

  it('applies a context\'s SkipTLSVerify: TLS with its client certificate, any server certificate accepted', () => {
    writeContext('selfsigned', 'tcp://192.0.2.98:2376', true, true);
    const t = resolveDockerTarget({ context: 'selfsigned', env: {}, homeDir: home });
    assert.equal(t.tls?.verify, false);
    const o = dockerOptions(t);
    assert.equal(o.protocol, 'https');
    assert.ok(o.agent instanceof Agent, 'an https agent carries the setting (docker-modem has no option of its own)');
    assert.equal(o.agent.options.rejectUnauthorized, false);
    assert.equal(String(o.agent.options.cert), 'CERT');
  });

  it('verifies the server certificate when the context does not say to skip it', () => {
    const o = dockerOptions(resolveDockerTarget({ context: 'remote', env: {}, homeDir: home }));
    assert.equal(o.agent instanceof Agent ? o.agent.options.rejectUnauthorized : undefined, undefined, 'no agent that turns verification off');
  });

  it('names an unknown context and how to list the real ones', () => {
    assert.throws(() => resolveDockerTarget({ context: 'nope', env: {}, homeDir: home }), /context "nope" does not exist.*docker context ls/);
  });

  it('refuses an unsupported scheme with a sentence', () => {
    assert.throws(() => dockerOptions({ host: 'npipe:////./pipe/docker_engine', source: 'setting' }), /does not support/);
  });
});
