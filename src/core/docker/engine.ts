/**
 * The Docker engine as the rest of redis-swarm sees it: which engine, its version, the swarm
 * state. Turns every way of failing to reach it into one sentence saying what to do.
 */
import type Docker from 'dockerode';
import { DockerUnreachableError, SwarmInactiveError, SwarmNotManagerError } from '../errors';
import { createDockerClient } from './client';
import { SshTransportError } from './sshDial';
import { clientCertificateProblem, tlsFailure } from './tlsFailure';
import { type DockerTarget, type TargetOptions, describeTarget, resolveDockerTarget } from './target';

/** How long to wait for the engine to answer a ping before calling it unreachable. */
export const ENGINE_PING_TIMEOUT_MS = 5_000;

export type SwarmState = 'active' | 'inactive' | 'pending' | 'error' | 'locked';

export interface EngineStatus {
  readonly target: DockerTarget;
  readonly version: string;
  readonly apiVersion: string;
  readonly os: string;
  readonly swarm: SwarmState;
  readonly isManager: boolean;
  readonly nodeId?: string;
  readonly nodeAddr?: string;
  readonly nodes?: number;
}

export interface Engine {
  readonly docker: Docker;
  readonly target: DockerTarget;
}

export function openEngine(options: TargetOptions = {}): Engine {
  const target = resolveDockerTarget(options);
  return { docker: createDockerClient(target, options.env ?? process.env), target };
}

export async function getEngineStatus(engine: Engine): Promise<EngineStatus> {
  const { docker, target } = engine;
  const certProblem = clientCertificateProblem(target.tls?.cert, target.tls?.certFile);
  if (certProblem !== undefined) throw new DockerUnreachableError(certProblem);
  try {
    await withTimeout(docker.ping(), ENGINE_PING_TIMEOUT_MS);
  } catch (err) {
    throw unreachable(target, err);
  }
  const [version, info] = await Promise.all([docker.version(), docker.info() as Promise<DockerInfo>]);
  const swarm = (info.Swarm?.LocalNodeState ?? 'inactive') as SwarmState;
  return {
    target,
    version: version.Version,
    apiVersion: version.ApiVersion,
    os: `${version.Os}/${version.Arch}`,
    swarm,
    isManager: info.Swarm?.ControlAvailable === true,
    ...(info.Swarm?.NodeID ? { nodeId: info.Swarm.NodeID } : {}),
    ...(info.Swarm?.NodeAddr ? { nodeAddr: info.Swarm.NodeAddr } : {}),
    ...(typeof info.Swarm?.Nodes === 'number' ? { nodes: info.Swarm.Nodes } : {}),
  };
}

/** Throws the one sentence a user needs unless the engine is a manager of an active swarm. */
export function requireSwarmManager(status: EngineStatus): void {
  const where = describeTarget(status.target);
  if (status.swarm !== 'active') {
    const what =
      status.swarm === 'locked'
        ? 'its swarm is locked; run `docker swarm unlock`'
        : status.swarm === 'pending'
          ? 'it is still joining a swarm; wait a moment'
          : 'it is not part of a swarm; run `docker swarm init` (or `docker swarm join`)';
    throw new SwarmInactiveError(`The Docker engine at ${where} cannot run services: ${what}, then try again.`);
  }
  if (!status.isManager) {
    throw new SwarmNotManagerError(
      `The Docker engine at ${where} is a swarm worker, and services can only be managed from a manager: ` +
        'point DOCKER_HOST or the Docker context at a manager node (`docker node ls` there lists them).',
    );
  }
}

interface DockerInfo {
  Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string; NodeAddr?: string; Nodes?: number };
}

function unreachable(target: DockerTarget, err: unknown): DockerUnreachableError {
  // ssh's failures already name the host and say what to do (sshDial.ts).
  if (err instanceof SshTransportError) return new DockerUnreachableError(err.message, { cause: err });
  const tls = tlsFailure(err, target.tls?.cert !== undefined);
  if (tls !== undefined) return new DockerUnreachableError(`The Docker engine at ${describeTarget(target)} ${tls}`, { cause: err });
  const reason = errorReason(err);
  return new DockerUnreachableError(
    `Cannot reach the Docker engine at ${describeTarget(target)}: ${reason}. ` +
      'Start Docker there (`dockerd`, or `systemctl start docker`) or point DOCKER_HOST or the Docker context at a running engine.',
    { cause: err },
  );
}

function errorReason(err: unknown): string {
  const e = err as { code?: string; message?: string; statusCode?: number };
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'the connection was refused';
    case 'ENOENT':
      return 'the socket does not exist';
    case 'EACCES':
      return 'permission denied on the socket (add your user to the docker group)';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'the host name does not resolve';
    case 'ETIMEDOUT':
    case 'TIMEOUT':
      return `no answer within ${ENGINE_PING_TIMEOUT_MS / 1000} s`;
    case 'ECONNRESET':
      return 'the connection was reset (a TLS engine reached without TLS, or the reverse?)';
    default:
      if (typeof e?.statusCode === 'number') return `it answered HTTP ${e.statusCode}`;
      return (e?.message ?? String(err)).split('\n')[0] ?? 'unknown error';
  }
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
