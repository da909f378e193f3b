import { createInterface } from 'node:readline';
import { BadInputError } from '../core/errors';
import { type CliIO } from './verb';

/** Prints a question and reads one line of the answer (empty at end of input). */
export async function ask(io: CliIO, question: string): Promise<string> {
  io.stdout.write(question);
  const rl = createInterface({ input: io.stdin });
  try {
    return await new Promise<string>((resolve) => {
      rl.once('line', (line) => resolve(line.trim()));
      rl.once('close', () => resolve(''));
    });
  } finally {
    rl.close();
  }
}

/**
 * Asks unless --yes, as redis-cli's cluster manager does ("type 'yes' to accept"); refuses
 * without a terminal, so a script never changes a cluster by accident. True when accepted.
 */
export async function confirm(io: CliIO, yes: boolean, question: string): Promise<boolean> {
  if (yes) return true;
  if (!io.stdin.isTTY) {
    throw new BadInputError('Not changing the cluster without a confirmation: stdin is not a terminal. Run again with --yes.');
  }
  const answer = await ask(io, `${question} (type 'yes' to accept): `);
  if (answer !== 'yes') io.stderr.write('Nothing changed.\n');
  return answer === 'yes';
}
