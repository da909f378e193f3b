import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { StaticRouter, cidrMatcher, isLoopbackHost } from '../../src/core/routes/router';
import { parseEndpoint } from '../../src/core/routes/endpoint';
import Docker from 'dockerode';
import { PassThrough } from 'node:stream';
import { demuxStdout } from '../../src/core/docker/demux';
import { isNoRouteError } from '../../src/core/errors';

describe('routes', () => {
  // The non-loopback addresses below (documentation range) are only ever refused: resolve() throws before any socket opens.
  it('reaches loopback directly and nothing else unless declared', async () => {
    const router = new StaticRouter();
    assert.equal((await router.resolve({ host: '127.0.0.1', port: 7000 })).kind, 'direct');
    assert.ok(isLoopbackHost('127.3.4.5') && isLoopbackHost('::1') && !isLoopbackHost('192.0.2.5'));
    await assert.rejects(router.resolve({ host: '192.0.2.5', port: 6379 }), (e: unknown) => isNoRouteError(e) && /192\.0\.2\.5:6379/.test(String(e)));
    await assert.rejects(router.resolve({ host: 'redis-3', port: 6379 }), /No route to redis-3:6379/);
  });

  it('maps announced endpoints to published ports, and declared networks directly', async () => {
    const router = new StaticRouter({ reachableNetworks: ['192.0.2.0/24'] });
    router.add({ host: 'redis-3', port: 6379 }, { kind: 'published', target: { host: '127.0.0.1', port: 7003 } });
    assert.deepEqual(await router.resolve({ host: 'redis-3', port: 6379 }), { kind: 'published', target: { host: '127.0.0.1', port: 7003 } });
    assert.equal((await router.resolve({ host: '192.0.2.77', port: 6379 })).kind, 'direct');
    const m = cidrMatcher(['10.20.0.0/16']);
    assert.ok(m('10.20.255.1') && !m('10.21.0.1') && !m('redis-1'));
    assert.throws(() => cidrMatcher(['10.0.0.0/33']), /not an IPv4 network/);
  });

  it('parses host:port as redis-cli does and refuses the rest', () => {
    assert.deepEqual(parseEndpoint('127.0.0.1:7000'), { host: '127.0.0.1', port: 7000 });
    assert.deepEqual(parseEndpoint('::1:7000'), { host: '::1', port: 7000 });
    assert.throws(() => parseEndpoint('redis'), /not host:port/);
    assert.throws(() => parseEndpoint('h:99999'), /no valid port/);
  });

  it('keeps the stdout of Docker exec frames split at every byte', async () => {
    // Only its modem's demuxer is used: nothing is contacted.
    const docker = new Docker({ socketPath: '/nonexistent/docker.sock' });
    const frame = (type: number, payload: string): Buffer => {
      const head = Buffer.alloc(8);
      head[0] = type;
      head.writeUInt32BE(Buffer.byteLength(payload), 4);
      return Buffer.concat([head, Buffer.from(payload)]);
    };
    const stream = Buffer.concat([frame(1, '+PONG\r\n'), frame(2, 'noise on stderr'), frame(1, '$3\r\nbar\r\n')]);
    for (let cut = 0; cut <= stream.length; cut++) {
      const out: Buffer[] = [];
      const exec = new PassThrough();
      demuxStdout(docker, exec, (c) => out.push(c));
      const ended = new Promise((resolve) => exec.on('end', resolve));
      exec.write(stream.subarray(0, cut));
      exec.end(stream.subarray(cut));
      await ended;
      assert.equal(Buffer.concat(out).toString(), '+PONG\r\n$3\r\nbar\r\n', `split at ${cut}`);
    }
  });
});
