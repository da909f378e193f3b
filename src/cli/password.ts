import { BadInputError } from '../core/errors';

/** Reads a password from standard input (like `docker login --password-stdin`): the first line. */
export async function readPasswordFromStdin(stdin: NodeJS.ReadableStream & { isTTY?: boolean }): Promise<string> {
  if (stdin.isTTY) throw new BadInputError('--password-stdin reads from a pipe: echo "$PASSWORD" | redis-swarm ... --password-stdin');
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  if (password.length === 0) throw new BadInputError('--password-stdin got an empty password.');
  return password;
}
