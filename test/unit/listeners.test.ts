/**
 * Every listener redis-swarm opens binds loopback unless the user names another address: the
 * tunnels (the router's and port-forward's), and code-server in the scripts. A tunnel listens
 * before any Docker call (the exec starts when a client connects), so no engine is needed here.
 */
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, it } from 'node:test';
import Docker from 'dockerode';
import { openTunnel, TUNNEL_BIND_ADDRESS } from '../../src/core/swarm/tunnel';
import { isLoopback, portForwardVerb } from '../../src/cli/verbs/portForward';
import { isBadInputError } from '../../src/core/errors';

const ROOT = join(__dirname, '..', '..', '..');

describe('listeners', () => {
  it('a tunnel listens on 127.0.0.1 by default, and on the address it is given', async () => {
    // Never contacted: nothing connects to these listeners.
    const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const plain = await openTunnel(docker, 'no-container', 6379);
    const bound = await openTunnel(docker, 'no-container', 6379, { bindAddress: '127.0.0.2' });
    try {
      assert.equal(TUNNEL_BIND_ADDRESS, '127.0.0.1');
      assert.equal(plain.local.host, '127.0.0.1', 'the default tunnel listens beyond loopback');
      assert.equal(bound.local.host, '127.0.0.2');
    } finally {
      await plain.close();
      await bound.close();
    }
  });

  it('port-forward --bind takes an IP address only, and knows loopback from the rest', async () => {
    const io = { stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, signal: new AbortController().signal };
    await assert.rejects(() => portForwardVerb.run(['--cluster', 'c', '--bind', 'example.com'], io), (err: unknown) => isBadInputError(err));
    for (const a of ['127.0.0.1', '127.0.0.2', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), `${a} is loopback`);
    for (const a of ['0.0.0.0', '::', '192.0.2.10', '2001:db8::1']) assert.ok(!isLoopback(a), `${a} is not loopback`);
  });

  it('code-server in the scripts and the e2e harness binds loopback, or the demo\'s variable that defaults to it', () => {
    const files = [
      ...readdirSync(join(ROOT, 'scripts')).filter((f) => f.endsWith('.sh')).map((f) => join(ROOT, 'scripts', f)),
      join(ROOT, 'test', 'e2e', 'codeServer.ts'),
    ];
    const binds = files.flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/(?:--bind-addr[ =]|bind-addr: )"?([^"\s:]+|\$\{?[A-Z_]+\}?)/g)].map((m) => ({ file: f, addr: m[1] as string })),
    );
    assert.ok(binds.length >= 3, `found only ${binds.length} code-server binds to check`);
    const up = readFileSync(join(ROOT, 'scripts', 'up.sh'), 'utf8');
    for (const b of binds) {
      if (b.addr.startsWith('$')) {
        assert.match(b.addr, /VSCODE_BIND/, `${b.file} binds code-server to ${b.addr}`);
        assert.match(up, /^VSCODE_BIND=\$\{REDIS_SWARM_VSCODE_BIND:-127\.0\.0\.1\}$/m, 'the demo binds loopback unless told otherwise');
        assert.match(up, /\*\)\s*\n\s*VSCODE_AUTH=password/, 'a non-loopback demo logs in with a password');
      } else {
        assert.equal(b.addr, '127.0.0.1', `${b.file} binds code-server to ${b.addr}`);
      }
    }
  });
});
