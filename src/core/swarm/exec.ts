/** Runs a short command in a container through the Docker API and returns its stdout. */
import type Docker from 'dockerode';
import { type Duplex } from 'node:stream';
import { DockerError, TimeoutError } from '../errors';
import { demuxStdout } from '../docker/demux';

export const EXEC_TIMEOUT_MS = 10_000;

export async function execCapture(docker: Docker, containerId: string, cmd: readonly string[]): Promise<string> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = (await exec.start({ hijack: true, stdin: false })) as Duplex;
  const chunks: Buffer[] = [];
  demuxStdout(docker, stream, (c) => chunks.push(c));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      stream.destroy();
      reject(new TimeoutError(`"${cmd.join(' ')}" in container ${containerId.slice(0, 12)} did not finish within ${EXEC_TIMEOUT_MS / 1000} s.`));
    }, EXEC_TIMEOUT_MS);
    stream.on('end', () => {
      clearTimeout(timer);
      resolve();
    });
    stream.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
  const info = (await exec.inspect()) as { ExitCode?: number | null };
  if (info.ExitCode !== 0) {
    throw new DockerError(`"${cmd.join(' ')}" in container ${containerId.slice(0, 12)} exited with ${info.ExitCode ?? 'no code'}.`);
  }
  return Buffer.concat(chunks).toString('utf8');
}
