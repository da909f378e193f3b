import { describeError, isBadInputError, isCancelledError } from '../core/errors';
import { engineLostSentence } from './engineLost';
import { type CliIO, type Verb } from './verb';
import { verbs } from './verbs';
import { formatFlagHelp } from './args';

/** The exit code of a verb stopped by Ctrl+C, SIGTERM or SIGHUP (128 + SIGINT, as shells report Ctrl+C). */
export const EXIT_CANCELLED = 130;

function usage(): string {
  const width = Math.max(...verbs.map((v) => v.name.length));
  return [
    'Usage: redis-swarm <command> [options]',
    '',
    'Redis Cluster on Docker Swarm: deploy, form, check, heal and reshard.',
    '',
    'Commands:',
    ...verbs.map((v) => `  ${v.name.padEnd(width)}  ${v.summary}`),
    '',
    'Run `redis-swarm <command> --help` for the options of one command.',
    '',
    `Exit status: 0 done, 1 failed, 2 bad input, ${EXIT_CANCELLED} cancelled. Ctrl+C, SIGTERM and SIGHUP cancel cleanly`,
    '(a deploy removes what it made, a slot move closes the slots it opened); a second one exits at once.',
  ].join('\n');
}

function verbHelp(v: Verb): string {
  return [`Usage: redis-swarm ${v.usage}`, '', v.summary, ...(v.flags ? ['', 'Options:', formatFlagHelp(v.flags)] : [])].join('\n');
}

export async function main(argv: readonly string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(usage() + '\n');
    return name === undefined ? 1 : 0;
  }
  if (name === '--version') {
    io.stdout.write(`redis-swarm ${VERSION}\n`);
    return 0;
  }
  const verb = verbs.find((v) => v.name === name);
  if (!verb) {
    io.stderr.write(`redis-swarm: unknown command "${name}". Run \`redis-swarm --help\` to list the commands.\n`);
    return 2;
  }
  if (verb.flags && (rest.includes('--help') || rest.includes('-h'))) {
    io.stdout.write(verbHelp(verb) + '\n');
    return 0;
  }
  try {
    const code = await verb.run(rest, io);
    // A verb that stopped short because it was asked to says so by its status.
    return code !== 0 && io.signal.aborted ? EXIT_CANCELLED : code;
  } catch (err) {
    // One sentence, never a stack trace; the stack goes to stderr only when asked for.
    const lost = io.signal.aborted ? undefined : await engineLostSentence(err, rest, verb.flags, io.env);
    io.stderr.write(`redis-swarm ${verb.name}: ${lost ?? describeError(err)}\n`);
    if (io.env['REDIS_SWARM_DEBUG'] && err instanceof Error && err.stack) io.stderr.write(err.stack + '\n');
    if (isCancelledError(err) || io.signal.aborted) return EXIT_CANCELLED;
    return isBadInputError(err) ? 2 : 1;
  }
}

/** package.json's version, put in by esbuild (esbuild.mjs `define`); sources run unbundled (tests) have none. */
declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : 'unknown (not a build)';
