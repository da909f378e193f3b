/**
 * A Dockerode client for a resolved target. dockerode/docker-modem read DOCKER_HOST themselves,
 * but only the environment; we hand them explicit options so a setting or a context works too.
 */
import { Agent } from 'node:https';
import Docker from 'dockerode';
import { BadInputError } from '../errors';
import { SshDialAgent, parseSshHost } from './sshDial';
import { type DockerTarget } from './target';

export function createDockerClient(target: DockerTarget, env: NodeJS.ProcessEnv = process.env): Docker {
  const options = dockerOptions(target, env);
  // docker-modem also reads the process's environment while it is constructed, whatever options
  // it is given, and reads DOCKER_CERT_PATH's three files unguarded: a folder with only ca.pem
  // (TLS without a client certificate) throws ENOENT there. The target is resolved already, so
  // docker-modem does not see DOCKER_CERT_PATH (construction is synchronous).
  const certPath = process.env['DOCKER_CERT_PATH'];
  if (certPath === undefined) return new Docker(options);
  delete process.env['DOCKER_CERT_PATH'];
  try {
    return new Docker(options);
  } finally {
    process.env['DOCKER_CERT_PATH'] = certPath;
  }
}

/** dockerode's options, plus the https agent docker-modem passes on to each request. */
export type DockerClientOptions = Docker.DockerOptions & { agent?: Agent | SshDialAgent };

export function dockerOptions(target: DockerTarget, env: NodeJS.ProcessEnv = process.env): DockerClientOptions {
  let url: URL;
  try {
    url = new URL(target.host);
  } catch {
    throw new BadInputError(
      `"${target.host}" is not a Docker host address; use unix:///path, tcp://host:port or ssh://user@host.`,
    );
  }
  switch (url.protocol) {
    case 'unix:':
      return { socketPath: decodeURIComponent(url.pathname) };
    case 'tcp:':
    case 'http:':
    case 'https:': {
      const tls = target.tls;
      const https = url.protocol === 'https:' || tls !== undefined;
      const port = url.port ? Number(url.port) : https ? 2376 : 2375;
      return {
        protocol: https ? 'https' : 'http',
        host: url.hostname,
        port,
        ...(tls?.ca ? { ca: tls.ca } : {}),
        ...(tls?.cert ? { cert: tls.cert } : {}),
        ...(tls?.key ? { key: tls.key } : {}),
        // A context with SkipTLSVerify (or DOCKER_CERT_PATH without DOCKER_TLS_VERIFY) still
        // speaks TLS but trusts any certificate, as the docker CLI does. docker-modem has no
        // option for that; an agent's options win over each request's, so the agent carries it.
        ...(tls && !tls.verify
          ? { agent: new Agent({ rejectUnauthorized: false, ...(tls.cert ? { cert: tls.cert } : {}), ...(tls.key ? { key: tls.key } : {}) }) }
          : {}),
      };
    }
    case 'ssh:':
      // OpenSSH runs `docker system dial-stdio` on the remote host, as the docker CLI does
      // (see sshDial.ts for why not docker-modem's own ssh2 transport). The agent makes every
      // connection; the host name only fills the HTTP Host header, and must be `localhost`:
      // VS Code's extension host patches http.request for its proxy support and replaces any
      // request's agent with its own unless the host is local (the docker CLI's dummy name,
      // "docker", went to DNS there).
      return { protocol: 'http', host: 'localhost', port: 80, agent: new SshDialAgent(parseSshHost(target.host), env) };
    default:
      throw new BadInputError(
        `Docker host "${target.host}" uses ${url.protocol.replace(':', '')}://, which redis-swarm does not support; ` +
          'use unix://, tcp:// or ssh://.',
      );
  }
}
