// The process entry of the `redis-swarm` command (bundled to dist/cli.js).
import { describeError } from '../core/errors';
import { EXIT_CANCELLED, main } from './main';
import { type CliIO } from './verb';

const controller = new AbortController();
let interrupts = 0;
// Ctrl+C, and what a service manager, CI, `timeout` or a closed terminal sends: the first one
// asks the running verb to stop cleanly (a deploy removes what it made, a move finishes or
// closes its open slots); a second one exits at once.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    if (++interrupts > 1) process.exit(EXIT_CANCELLED);
    controller.abort(signal);
  });
}
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
