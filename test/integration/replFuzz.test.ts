/**
 * Random and malformed lines through the REPL engine against a real 3-master loopback cluster
 * (ports 21021-21023): the engine must never crash or hang, and every line that holds a
 * command must print something (a reply or an error). The PRNG is seeded; the seed is printed,
 * and REPL_FUZZ_SEED=<n> replays a failing run.
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { createWithRedisCli, type LoopbackNodes, redisCli, startRedisNodes, waitClusterOk } from '../support/loopbackCluster';
import { ReplEngine } from '../../src/core/repl/engine';
import { splitArgs } from '../../src/core/repl/splitArgs';
import { type Route, type Router } from '../../src/core/routes/router';
import { type Endpoint } from '../../src/core/routes/endpoint';
import { mulberry32 } from '../../src/core/util/prng';

const BASE_PORT = 21021;
const LINES = 1200;
/** One line may take this long at most (huge arguments included). */
const LINE_TIMEOUT_MS = 5_000;
/** The whole fuzz run. */
const RUN_TIMEOUT_MS = 120_000;


/** Only commands that neither block, stream, nor change the cluster or the connection target. */
const SAFE_COMMANDS = [
  'get', 'set', 'incr', 'del', 'hset', 'hgetall', 'lpush', 'lrange', 'sadd', 'smembers', 'zadd', 'zrange',
  'mget', 'mset', 'exists', 'type', 'echo', 'ping', 'strlen', 'append', 'ttl', 'getrange', 'hget', 'llen',
  'scard', 'zscore', 'incrbyfloat', 'nosuchcommand', 'multi', 'exec', 'discard', 'help', '?', ':set', 'restart', 'clear',
];

/** The network rule: only loopback, whatever a fuzzed line asks for. */
const loopbackOnly: Router = {
  async resolve(ep: Endpoint): Promise<Route> {
    if (ep.host !== '127.0.0.1') throw new Error(`fuzz router refuses ${ep.host}`);
    return { kind: 'direct', target: ep };
  },
  dispose: async () => undefined,
};

function makeLine(rnd: () => number): Buffer {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const randomBytes = (n: number): Buffer => Buffer.from(Array.from({ length: n }, () => Math.floor(rnd() * 256)));
  const word = (): string => {
    const kinds = [
      () => `k${Math.floor(rnd() * 50)}`,
      () => String(Math.floor(rnd() * 2000) - 1000),
      () => `"${randomBytes(Math.floor(rnd() * 8)).toString('latin1').replace(/[\n\0]/g, 'x')}"`,
      () => `'${pick(['a', "\\'", '\\x41', ' '])}'`,
      () => `"\\x${pick(['41', 'ff', '0', 'zz', ''])}"`,
      () => pick(['"', "'", '"a"b', "'a'b", '\\', '""', "''"]),
      () => pick(['{t}a', '{t}b', 'foo', 'bar', 'baz']),
    ];
    return pick(kinds)();
  };
  const r = rnd();
  if (r < 0.25) {
    // Random bytes, newlines removed (the line splitter would have cut there).
    return Buffer.from(randomBytes(Math.floor(rnd() * 200)).map((b) => (b === 10 ? 32 : b)));
  }
  if (r < 0.3) {
    // A huge argument: up to 2 MB.
    const size = Math.floor(rnd() * 2 * 1024 * 1024);
    return Buffer.concat([Buffer.from(`set big${Math.floor(rnd() * 3)} "`), Buffer.alloc(size, 0x61), Buffer.from('"')]);
  }
  if (r < 0.35) return Buffer.from(`${pick(['1', '2', '3', '0', '-2', '4x'])} ${pick(SAFE_COMMANDS)} ${word()}`);
  const n = Math.floor(rnd() * 6);
  return Buffer.from([pick(SAFE_COMMANDS), ...Array.from({ length: n }, word)].join(' '), 'latin1');
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

describe('REPL engine fuzzing against a real cluster', () => {
  let nodes: LoopbackNodes | undefined;

  before(async () => {
    nodes = await startRedisNodes(BASE_PORT, 3);
    createWithRedisCli(nodes.endpoints, 0);
    await waitClusterOk(nodes.ports);
  });

  after(async () => {
    await nodes?.stop();
  });

  it(`answers ${LINES} random and malformed lines without crashing or hanging`, { timeout: RUN_TIMEOUT_MS }, async () => {
    const seed = Number(process.env['REPL_FUZZ_SEED'] ?? Date.now() % 2 ** 31);
    process.stdout.write(`# repl fuzz seed: ${seed} (REPL_FUZZ_SEED=${seed} replays it)\n`);
    const rnd = mulberry32(seed);
    for (const mode of ['raw', 'tty'] as const) {
      let produced = 0;
      const engine = new ReplEngine(
        { host: '127.0.0.1', port: BASE_PORT, router: loopbackOnly, cluster: true, mode, resp3: mode === 'tty' },
        (chunk) => {
          produced += chunk.length;
        },
      );
      try {
        await engine.start();
        for (let i = 0; i < LINES / 2; i++) {
          const line = makeLine(rnd);
          const before = produced;
          const status = await withTimeout(engine.execute(line), LINE_TIMEOUT_MS, `line ${i} (seed ${seed})`);
          assert.notEqual(status, 'exit', `line ${i} (seed ${seed}) should not end the REPL`);
          const args = splitArgs(line);
          const isBlank = line.length === 0 || line[0] === 0 || (args !== null && args.length === 0);
          if (!isBlank) {
            assert.ok(produced > before, `line ${i} (seed ${seed}) ${JSON.stringify(line.subarray(0, 80).toString('latin1'))} printed nothing`);
          }
        }
        const chunks: Buffer[] = [];
        const check = new ReplEngine({ host: '127.0.0.1', port: BASE_PORT, router: loopbackOnly, mode: 'raw' }, (c) => chunks.push(c));
        await check.start();
        await check.execute('ping');
        await check.close();
        assert.equal(Buffer.concat(chunks).toString(), 'PONG\n', 'the server should still answer after the fuzz run');
        await engine.execute('discard');
        chunks.length = 0;
      } finally {
        await engine.close();
      }
    }
  });

  it('streams SUBSCRIBE messages until cancelled, then the next command works', { timeout: 20_000 }, async () => {
    const out: Buffer[] = [];
    const engine = new ReplEngine({ host: '127.0.0.1', port: BASE_PORT, router: loopbackOnly, mode: 'tty' }, (c, ch) => {
      if (ch === 'stdout') out.push(c);
    });
    try {
      await engine.start();
      const running = engine.execute('subscribe news');
      const deadline = Date.now() + 5_000;
      while (!Buffer.concat(out).toString().includes('"subscribe"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(engine.streaming, 'SUBSCRIBE should keep streaming');
      redisCli(['-p', String(BASE_PORT), 'publish', 'news', 'hello']);
      while (!Buffer.concat(out).toString().includes('"hello"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(engine.cancel(), 'cancel should stop the running stream');
      assert.equal(await withTimeout(running, 5_000, 'cancelled SUBSCRIBE'), 'ok');
      assert.equal(engine.streaming, false, 'the stream should be over after cancel');
      const text = Buffer.concat(out).toString();
      assert.ok(text.startsWith('Reading messages... (press Ctrl-C to quit)\n1) "subscribe"\n2) "news"\n3) (integer) 1\n'), `unexpected SUBSCRIBE output ${JSON.stringify(text)}`);
      assert.ok(text.includes('1) "message"\n2) "news"\n3) "hello"\n'), 'the published message should be printed');
      out.length = 0;
      await engine.execute('ping');
      assert.equal(Buffer.concat(out).toString(), 'PONG\n', 'the engine should reconnect after a cancelled stream');
    } finally {
      await engine.close();
    }
  });

  it('streams MONITOR lines until cancelled', { timeout: 20_000 }, async () => {
    const out: Buffer[] = [];
    const engine = new ReplEngine({ host: '127.0.0.1', port: BASE_PORT, router: loopbackOnly, mode: 'raw' }, (c) => out.push(c));
    try {
      await engine.start();
      const running = engine.execute('monitor');
      const deadline = Date.now() + 5_000;
      while (!Buffer.concat(out).toString().includes('OK') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      redisCli(['-p', String(BASE_PORT), 'echo', 'monitored']);
      while (!Buffer.concat(out).toString().includes('"monitored"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(Buffer.concat(out).toString().includes('"echo" "monitored"'), 'MONITOR should stream the commands of other clients');
      assert.ok(engine.cancel());
      assert.equal(await withTimeout(running, 5_000, 'cancelled MONITOR'), 'ok');
    } finally {
      await engine.close();
    }
  });
});
