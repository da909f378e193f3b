// The process entry of the `redis-swarm` command (bundled to dist/cli.js).
import { describeError } from '../core/errors';
import { main } from './main';
import { CliIO } from './verb';

const controller = new AbortController();
let interrupts = 0;
process.on('SIGINT', () => {
  // First Ctrl+C asks the running verb to stop cleanly; a second one exits at once.
  if (++interrupts > 1) process.exit(130);
  controller.abort();
});
const io: CliIO = {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
  signal: controller.signal,
};
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`redis-swarm: ${describeError(err)}\n`);
    process.exitCode = 1;
  },
);
