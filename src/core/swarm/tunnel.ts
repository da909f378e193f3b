/**
 * A TCP tunnel through the Docker API, like `kubectl port-forward`: a listener (on 127.0.0.1
 * unless the caller binds another address, as `port-forward --bind` may) whose every connection becomes an exec in the node's container relaying to Redis's port.
 * It needs no published port and no route to the overlay network, and works wherever the
 * Docker API does (a unix socket, tcp://, ssh://). The relay uses only bash's /dev/tcp and
 * `cat`, which both the official redis:7 image (Debian) and our test image have.
 */
import type Docker from 'dockerode';
import * as net from 'node:net';
import { type Duplex } from 'node:stream';
import { demuxStdout } from '../docker/demux';
import { BadInputError } from '../errors';
import { type Logger, nullLogger } from '../lifecycle';
import { type Endpoint } from '../routes/endpoint';

/**
 * Connects fd 3 to Redis and copies both ways. A background command's stdin is /dev/null in a
 * non-interactive bash, hence the explicit `<&0`. When Redis closes first, the relay exits at
 * once; when the client closes its side first (a half-close), replies still in flight get a
 * short grace before the relay exits, so the exec and its API connection end with the client.
 */
export function relayScript(port: number, host = '127.0.0.1'): string {
  // The address goes into a shell script: only an IP literal or a plain DNS name (a service's
  // name on its overlay network, which follows the service to its current task) may.
  if (!/^[0-9A-Fa-f.:]+$/.test(host) && !/^[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$/.test(host)) {
    throw new BadInputError(`"${host}" is not an IP address or host name a tunnel can dial.`);
  }
  return (
    `exec 3<>/dev/tcp/${host}/${port} || exit 1; ` +
    'cat <&3 & r=$!; cat <&0 >&3 & w=$!; ' +
    'wait -n -p done; ' +
    `if [ "$done" = "$w" ]; then ( sleep ${HALF_CLOSE_GRACE_S}; kill $r 2>/dev/null ) & wait $r; fi; ` +
    'kill $r $w 2>/dev/null; exit 0'
  );
}

/** Seconds the relay keeps reading replies after the client half-closes. */
export const HALF_CLOSE_GRACE_S = 1;

/** Where tunnels listen unless told otherwise: only this machine can connect. */
export const TUNNEL_BIND_ADDRESS = '127.0.0.1';

export interface Tunnel {
  /** Where local clients connect (the bind address, 127.0.0.1 by default, and an ephemeral or chosen port). */
  readonly local: Endpoint;
  close(): Promise<void>;
}

export async function openTunnel(
  docker: Docker,
  containerId: string,
  redisPort: number,
  options: {
    localPort?: number;
    bindAddress?: string;
    logger?: Logger;
    /** Where the relay dials from inside the container (default 127.0.0.1). */
    host?: string;
  } = {},
): Promise<Tunnel> {
  const script = relayScript(redisPort, options.host);
  const logger = options.logger ?? nullLogger;
  const sockets = new Set<net.Socket>();
  // allowHalfOpen: a client that half-closes still gets the replies in flight.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    relay(docker, containerId, script, client).catch((err: unknown) => {
      logger.warn(`tunnel to ${containerId.slice(0, 12)}: ${err instanceof Error ? err.message : String(err)}`);
      client.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.localPort ?? 0, options.bindAddress ?? TUNNEL_BIND_ADDRESS, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // The tunnel must never keep a CLI process alive by itself.
  server.unref();
  const addr = server.address() as net.AddressInfo;
  return {
    local: { host: addr.address, port: addr.port },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

async function relay(docker: Docker, containerId: string, script: string, client: net.Socket): Promise<void> {
  client.pause();
  const exec = await docker.getContainer(containerId).exec({
    Cmd: ['bash', '-c', script],
    AttachStdin: true,
    AttachStdout: true,
    AttachStderr: true,
    Tty: false,
  });
  const stream = (await exec.start({ hijack: true, stdin: true })) as Duplex;
  if (client.destroyed) {
    stream.destroy();
    return;
  }
  demuxStdout(docker, stream, (chunk) => client.write(chunk));
  stream.on('end', () => client.end());
  stream.on('error', () => client.destroy());
  stream.on('close', () => client.end());
  client.on('data', (chunk: Buffer) => {
    if (!stream.write(chunk)) {
      client.pause();
      stream.once('drain', () => client.resume());
    }
  });
  // The client's FIN closes the relay's stdin; the relay then exits and the stream ends.
  client.on('end', () => stream.end());
  client.on('error', () => stream.destroy());
  client.on('close', () => stream.destroy());
  client.resume();
}
