/**
 * The cluster terminal's hints and Tab completion against the real redis-cli 7.0.15, byte for
 * byte: redis-cli runs on a terminal (util-linux `script` gives it a pty of 80 columns; it
 * draws hints only on a TTY) on a loopback redis-server (port 26711), fed the same keys one at
 * a time; our line editor, given the command table our engine reads from the same server, must
 * write exactly what redis-cli wrote after its first prompt.
 */
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type HelpEntry } from '../../src/core/repl/commandHelp';
import { ReplEngine } from '../../src/core/repl/engine';
import { applyKey, type Key, type LineState, newLineState } from '../../src/core/repl/lineEditor';
import { StaticRouter } from '../../src/core/routes/router';
import { type LoopbackNodes } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';

const PORT = 26711;
const COLUMNS = 80;
const PROMPT = `127.0.0.1:${PORT}> `;
/** Between keys: redis-cli redraws after each, and the pty must not merge them with the next. */
const KEY_GAP_MS = 120;
/** redis-cli's start: connect, read its commands, print the prompt. */
const START_MS = 600;
/** Bound on one redis-cli session. */
const SESSION_TIMEOUT_MS = 20_000;

/** Each probe: the keys, one per element (`\t` is Tab, `\x1b` Esc: only after a Tab). */
const PROBES: readonly (readonly string[])[] = [
  [...'hset k f v '],
  [...'get'],
  [...'config get '],
  [...'cluster info'],
  [...'cluster '],
  [...'set k v ex 1 '],
  [...'zadd k '],
  [...'CLIENT KILL '],
  [...'xadd k * '],
  [...'hset "a b" '],
  [...'foo '],
  [...'hse', '\t', '\t', '\t', '\t'],
  [...'hs', '\t', ' ', 'k'],
  [...'hset', '\t', ' '],
  [...'zzz', '\t'],
  [...'cluster i', '\t'],
  // Esc goes back to the line as typed. (redis-cli then reads the next two bytes as the rest of an
  // escape sequence and drops them; we keep the keys a person types after it.)
  [...'hse', '\t', '\x1b'],
];

let nodes: LoopbackNodes | undefined;
let home = '';
let table: readonly HelpEntry[] = [];

before(async () => {
  nodes = await startOpsNodes(PORT, 1, PORT + 50);
  home = await mkdtemp(path.join(os.tmpdir(), 'redis-swarm-hints-'));
  const router = new StaticRouter();
  const engine = new ReplEngine({ host: '127.0.0.1', port: PORT, router, mode: 'tty', interactive: true }, () => undefined);
  try {
    assert.ok(await engine.start({ quiet: true }), 'the engine connects');
    table = (await engine.commandTable()) ?? [];
  } finally {
    await engine.close();
    await router.dispose();
  }
  assert.ok(table.length > 100, `the server's COMMAND DOCS gave ${table.length} entries`);
}, { timeout: 60_000 });

after(async () => {
  await nodes?.stop();
  if (home) await rm(home, { recursive: true, force: true });
}, { timeout: 30_000 });

/** What redis-cli writes after its first prompt while the keys are typed (its Ctrl+C line cut off). */
async function redisCliWrites(keys: readonly string[]): Promise<string> {
  const child = execFile('script', ['-qfc', `stty cols ${COLUMNS} rows 24; exec redis-cli -p ${PORT}`, '/dev/null'], {
    env: { ...process.env, HOME: home, TERM: 'xterm', REDISCLI_HISTFILE: '/dev/null' },
    timeout: SESSION_TIMEOUT_MS,
    encoding: 'latin1',
  });
  let out = '';
  child.stdout?.on('data', (d: string) => (out += d));
  const done = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await sleep(START_MS);
  for (const k of keys) {
    child.stdin?.write(k);
    await sleep(KEY_GAP_MS);
  }
  const typed = out;
  child.stdin?.write('\x03');
  await sleep(KEY_GAP_MS);
  child.stdin?.end();
  child.kill();
  await done;
  const first = typed.indexOf(PROMPT);
  assert.ok(first >= 0, `redis-cli printed no prompt: ${JSON.stringify(out)}`);
  return typed.slice(first + PROMPT.length);
}

function ourWrites(keys: readonly string[]): string {
  let state: LineState = { ...newLineState(PROMPT, [], COLUMNS), helpers: { table, hints: true } };
  let out = '';
  for (const k of keys) {
    const key: Key = k === '\t' ? { kind: 'tab' } : k === '\x1b' ? { kind: 'escape' } : { kind: 'text', text: k };
    const r = applyKey(state, key);
    state = r.state;
    out += r.write;
  }
  return out;
}

test('hints and Tab completion write what redis-cli 7.0.15 writes on a terminal, byte for byte', { timeout: 180_000 }, async (t) => {
  for (const keys of PROBES) {
    const want = await redisCliWrites(keys);
    const got = ourWrites(keys);
    t.diagnostic(`${JSON.stringify(keys.join(''))}: ${JSON.stringify(want.slice(-90))}`);
    assert.equal(JSON.stringify(got), JSON.stringify(want), `typing ${JSON.stringify(keys.join(''))}`);
  }
});
