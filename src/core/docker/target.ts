/**
 * Which Docker engine to talk to, found the way the docker CLI finds it:
 * an explicit host (our setting, like `docker -H`), then DOCKER_HOST, then an explicit context
 * (our setting, like `docker --context`), then DOCKER_CONTEXT, then `currentContext` in
 * ~/.docker/config.json, then the default socket.
 * See docker/cli: cli/command/cli.go (resolveContextName) and cli/context/docker/load.go.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { BadInputError } from '../errors';

export type TargetSource = 'setting' | 'DOCKER_HOST' | 'context' | 'default';

export interface TlsMaterial {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  /** Where cert came from, to name it in errors. */
  readonly certFile?: string;
  readonly verify: boolean;
}

export interface DockerTarget {
  /** The engine address, as DOCKER_HOST spells it (unix:///var/run/docker.sock, tcp://h:2376, ssh://u@h). */
  readonly host: string;
  readonly source: TargetSource;
  /** The context's name when the target came from a context. */
  readonly contextName?: string;
  readonly tls?: TlsMaterial;
}

export const DEFAULT_DOCKER_HOST = 'unix:///var/run/docker.sock';

export interface TargetOptions {
  /** An explicit engine address (setting or flag); wins over everything. */
  readonly dockerHost?: string;
  /** An explicit context name (setting or flag). */
  readonly context?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Defaults to the user's home; tests point it at a scratch folder. */
  readonly homeDir?: string;
}

export function resolveDockerTarget(options: TargetOptions = {}): DockerTarget {
  const env = options.env ?? process.env;
  const home = options.homeDir ?? homedir();
  const configDir = env['DOCKER_CONFIG'] || join(home, '.docker');

  if (options.dockerHost) {
    return { host: options.dockerHost, source: 'setting', ...tlsFromEnv(options.dockerHost, env, configDir) };
  }
  const envHost = env['DOCKER_HOST'];
  if (envHost) return { host: envHost, source: 'DOCKER_HOST', ...tlsFromEnv(envHost, env, configDir) };

  const contextName = options.context || env['DOCKER_CONTEXT'] || currentContext(configDir);
  if (contextName && contextName !== 'default') return loadContext(configDir, contextName);
  return { host: DEFAULT_DOCKER_HOST, source: 'default' };
}

/** A one-line description of how the engine was found, for `doctor` and the tree. */
export function describeTarget(t: DockerTarget): string {
  switch (t.source) {
    case 'setting':
      return `${t.host} (from the redis-swarm setting)`;
    case 'DOCKER_HOST':
      return `${t.host} (from DOCKER_HOST)`;
    case 'context':
      return `${t.host} (from Docker context "${t.contextName ?? ''}")`;
    case 'default':
      return `${t.host} (the default socket)`;
  }
}

function tlsFromEnv(host: string, env: NodeJS.ProcessEnv, configDir: string): { tls?: TlsMaterial } {
  if (!host.startsWith('tcp://')) return {};
  const verify = Boolean(env['DOCKER_TLS_VERIFY']);
  const certPath = env['DOCKER_CERT_PATH'] || (verify ? configDir : undefined);
  if (!verify && !env['DOCKER_CERT_PATH']) return {};
  const read = (f: string): Buffer | undefined => {
    const p = join(certPath ?? configDir, f);
    return existsSync(p) ? readFileSync(p) : undefined;
  };
  const certFile = join(certPath ?? configDir, 'cert.pem');
  return { tls: { ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem'), verify, ...(existsSync(certFile) ? { certFile } : {}) } };
}

function currentContext(configDir: string): string | undefined {
  const file = join(configDir, 'config.json');
  if (!existsSync(file)) return undefined;
  try {
    const config = JSON.parse(readFileSync(file, 'utf8')) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    throw new BadInputError(`${file} is not valid JSON; fix it or remove its "currentContext".`);
  }
}

interface ContextMeta {
  Name?: string;
  Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } };
}

/** Context metadata lives in contexts/meta/<sha256 of the name>/meta.json, TLS files beside it. */
function loadContext(configDir: string, name: string): DockerTarget {
  const id = createHash('sha256').update(name).digest('hex');
  const metaFile = join(configDir, 'contexts', 'meta', id, 'meta.json');
  if (!existsSync(metaFile)) {
    throw new BadInputError(
      `Docker context "${name}" does not exist (no ${metaFile}). Run "docker context ls" to see the contexts, ` +
        '`docker context use default` to go back to the local engine.',
    );
  }
  let meta: ContextMeta;
  try {
    meta = JSON.parse(readFileSync(metaFile, 'utf8')) as ContextMeta;
  } catch {
    throw new BadInputError(`Docker context "${name}" is damaged: ${metaFile} is not valid JSON.`);
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new BadInputError(`Docker context "${name}" has no Docker endpoint.`);
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  const read = (f: string): Buffer | undefined => {
    const p = join(tlsDir, f);
    return existsSync(p) ? readFileSync(p) : undefined;
  };
  const ca = read('ca.pem');
  const cert = read('cert.pem');
  const key = read('key.pem');
  const hasTls = ca !== undefined || cert !== undefined;
  return {
    host,
    source: 'context',
    contextName: name,
    ...(hasTls
      ? { tls: { ca, cert, key, verify: meta.Endpoints?.docker?.SkipTLSVerify !== true, ...(cert ? { certFile: join(tlsDir, 'cert.pem') } : {}) } }
      : {}),
  };
}
