/**
 * `redis-swarm cli` against the real `redis-cli` 7 on the same loopback cluster: the same
 * script on the same starting data must print the same bytes, in raw, --no-raw and -3 modes,
 * through MOVED and ASK redirects. Ports 21001-21006 (this suite's range is 21000-21099).
 */
import { after, before, describe, it } from 'node:test';
import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createWithRedisCli, type LoopbackNodes, redisCli, startRedisNodes, waitClusterOk } from '../support/loopbackCluster';
import { replScript } from '../support/replScript';
import { ReplEngine } from '../../src/core/repl/engine';
import { type Route, type Router, StaticRouter } from '../../src/core/routes/router';
import { type Endpoint, formatEndpoint } from '../../src/core/routes/endpoint';

const BASE_PORT = 21001;
const NODES = 6;
const BIN = join(__dirname, '..', '..', '..', 'bin', 'redis-swarm');
/** Upper bound for one replay of the script (either client). */
const RUN_TIMEOUT_MS = 60_000;
/** A key whose slot the tests put in migrating state to provoke ASK. */
const ASK_KEY = 'askme';

interface Master {
  readonly id: string;
  readonly port: number;
  readonly ranges: Array<[number, number]>;
}

function masters(port: number): Master[] {
  const text = redisCli(['-p', String(port), 'cluster', 'nodes']).toString();
  return text
    .split('\n')
    .filter((l) => (l.split(' ')[2] ?? '').split(',').includes('master') && (l.split(' ')[8] ?? '') !== '')
    .map((l) => {
      const f = l.split(' ');
      const ranges = f.slice(8).map((r): [number, number] => {
        const [a, b] = r.split('-');
        return [Number(a), Number(b ?? a)];
      });
      return { id: f[0] as string, port: Number((f[1] as string).split(':')[1]?.split('@')[0]), ranges };
    })
    .sort((a, b) => a.port - b.port);
}

function owner(ms: readonly Master[], slot: number): Master {
  const m = ms.find((x) => x.ranges.some(([a, b]) => slot >= a && slot <= b));
  assert.ok(m, `no master owns slot ${slot}`);
  return m;
}

function firstDifference(expected: Buffer, actual: Buffer): string {
  const e = expected.toString('latin1').split('\n');
  const a = actual.toString('latin1').split('\n');
  for (let i = 0; i < Math.max(e.length, a.length); i++) {
    if (e[i] !== a[i]) {
      return `output line ${i + 1} differs: redis-cli printed ${JSON.stringify(e[i])}, redis-swarm printed ${JSON.stringify(a[i])}`;
    }
  }
  return 'outputs differ only in bytes the line split does not show';
}

function runOurs(args: readonly string[], input: string): Buffer {
  const r = spawnSync('node', [BIN, 'cli', ...args], { input, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  assert.equal(r.error, undefined, `redis-swarm cli could not run: ${String(r.error)}`);
  return r.stdout;
}

function runReference(args: readonly string[], input: string): Buffer {
  return execFileSync('redis-cli', args, { input, timeout: RUN_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024, stdio: ['pipe', 'pipe', 'ignore'] });
}

describe('redis-swarm cli matches redis-cli 7 byte for byte on a loopback cluster', () => {
  let nodes: LoopbackNodes | undefined;
  let ms: Master[] = [];
  let askSlot = 0;
  let askSource: Master;
  let askTarget: Master;

  /** Empties every master and puts the ASK slot back into migrating state. */
  function resetData(): void {
    for (const m of ms) {
      redisCli(['-p', String(m.port), 'flushall']);
      redisCli(['-p', String(m.port), 'cluster', 'setslot', String(askSlot), 'stable']);
    }
    redisCli(['-p', String(askTarget.port), 'cluster', 'setslot', String(askSlot), 'importing', askSource.id]);
    redisCli(['-p', String(askSource.port), 'cluster', 'setslot', String(askSlot), 'migrating', askTarget.id]);
  }

  before(async () => {
    nodes = await startRedisNodes(BASE_PORT, NODES, { extraArgs: ['--enable-debug-command', 'yes'] });
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    ms = masters(BASE_PORT);
    assert.equal(ms.length, 3, 'the test cluster should have 3 masters');
    askSlot = Number(redisCli(['-p', String(BASE_PORT), 'cluster', 'keyslot', ASK_KEY]).toString().trim());
    askSource = owner(ms, askSlot);
    askTarget = ms.find((m) => m.id !== askSource.id) as Master;
  });

  after(async () => {
    await nodes?.stop();
  });

  const script = (): string =>
    replScript({ askKey: ASK_KEY, connectPort: (ms[1] as Master).port }).join('\n') + '\n';

  for (const mode of [[], ['--no-raw'], ['-3'], ['-3', '--no-raw'], ['--raw']] as const) {
    it(`prints the same bytes as redis-cli -c ${mode.join(' ') || '(raw, stdout not a TTY)'} for a ${'>'}=150-line script`, () => {
      const input = script();
      assert.ok(input.split('\n').length >= 150, 'the script should have at least 150 lines');
      const seed = String((ms[0] as Master).port);
      resetData();
      const expected = runReference(['-p', seed, '-c', ...mode], input);
      resetData();
      const actual = runOurs(['-p', seed, '-c', ...mode], input);
      assert.ok(expected.includes('-> Redirected to slot'), 'the script should meet MOVED redirects');
      assert.ok(
        expected.includes(`-> Redirected to slot [${askSlot}] located at 127.0.0.1:${askTarget.port}\n`),
        'the script should meet an ASK redirect to the importing node',
      );
      assert.ok(expected.length > 2000, 'redis-cli should have printed the whole script');
      assert.ok(actual.equals(expected), firstDifference(expected, actual));
    });
  }

  it('prints the same bytes as redis-cli without -c (MOVED errors shown, not followed)', () => {
    const input = ['set foo bar', 'get foo', 'set a 1', 'get a', 'get b', 'mset a 1 b 2', ''].join('\n');
    const seed = String((ms[0] as Master).port);
    resetData();
    const expected = runReference(['-p', seed], input);
    resetData();
    const actual = runOurs(['-p', seed], input);
    assert.ok(expected.includes('MOVED'), 'without -c the MOVED error should be printed');
    assert.ok(actual.equals(expected), firstDifference(expected, actual));
  });

  it('runs one-shot commands like `redis-cli -p P -c set k v`, without redirect lines', () => {
    const seed = String((ms[0] as Master).port);
    resetData();
    const cases: string[][] = [
      ['-c', 'set', 'k', 'v'],
      ['-c', 'get', 'k'],
      ['-c', '--no-raw', 'get', 'k'],
      ['-c', 'get', 'missing'],
      ['-c', '--no-raw', 'get', 'missing'],
      ['-c', 'nosuchcommand', 'x'],
      ['-c', '--no-raw', 'hgetall', 'nohash'],
      ['-c', '-3', '--no-raw', 'zadd', 'z', '1.5', 'a'],
      ['-c', '-3', '--no-raw', 'zscore', 'z', 'a'],
      ['get', 'k'],
    ];
    // Each pair starts from the same data: k and z exist, written through a redirecting client.
    const setup = (): void => {
      resetData();
      redisCli(['-p', seed, '-c', 'set', 'k', 'v0']);
      redisCli(['-p', seed, '-c', 'zadd', 'z', '1', 'b']);
    };
    for (const c of cases) {
      setup();
      const expected = runReference(['-p', seed, ...c], '');
      setup();
      const actual = runOurs(['-p', seed, ...c], '');
      assert.ok(actual.equals(expected), `one-shot ${c.join(' ')}: ${firstDifference(expected, actual)}`);
    }
  });

  it('connects every node (seed and redirect targets) through the Router and stays on the redirected node', async () => {
    resetData();
    const resolved: string[] = [];
    const inner = new StaticRouter();
    const router: Router = {
      async resolve(ep: Endpoint): Promise<Route> {
        resolved.push(formatEndpoint(ep));
        return inner.resolve(ep);
      },
      dispose: () => inner.dispose(),
    };
    const seed = ms[0] as Master;
    const chunks: Buffer[] = [];
    const engine = new ReplEngine({ host: '127.0.0.1', port: seed.port, router, cluster: true, mode: 'tty' }, (c, ch) => {
      if (ch === 'stdout') chunks.push(c);
    });
    try {
      assert.ok(await engine.start(), 'the engine should connect to the seed');
      assert.equal(engine.prompt, `127.0.0.1:${seed.port}> `);
      const fooSlot = Number(redisCli(['-p', String(seed.port), 'cluster', 'keyslot', 'foo']).toString().trim());
      const fooOwner = owner(ms, fooSlot);
      assert.equal(await engine.execute('set foo bar'), 'ok');
      assert.equal(engine.prompt, `127.0.0.1:${fooOwner.port}> `, 'the prompt should name the node the redirect went to');
      assert.ok(resolved.includes(`127.0.0.1:${fooOwner.port}`), 'the redirect target should be resolved by the Router');
      await engine.execute('get foo');
      await engine.execute('multi');
      assert.equal(engine.prompt, `127.0.0.1:${fooOwner.port}(TX)> `, 'MULTI should show (TX) in the prompt');
      await engine.execute('discard');
      // ASK: a key absent from the migrating node is asked of the importing one, with ASKING
      // first (without it the importing node would answer MOVED, and the loop would not end).
      await engine.execute(`set ${ASK_KEY} v1`);
      await engine.execute(`get ${ASK_KEY}`);
      const text = Buffer.concat(chunks).toString();
      assert.ok(text.includes(`-> Redirected to slot [${fooSlot}] located at 127.0.0.1:${fooOwner.port}\n`), 'a MOVED redirect line should be printed');
      assert.ok(text.endsWith('"v1"\n'), `GET of the ASK key should return the value set through ASK, got ${JSON.stringify(text.slice(-80))}`);
      assert.ok(resolved.length >= 2, 'at least the seed and one redirect target should be resolved');
    } finally {
      await engine.close();
    }
  });

  it('a Router with no route makes the redirect fail with the announced address in the message', async () => {
    resetData();
    const seed = ms[0] as Master;
    const errors: string[] = [];
    const router: Router = {
      async resolve(ep: Endpoint): Promise<Route> {
        if (ep.port !== seed.port) throw new Error(`no route to ${formatEndpoint(ep)}`);
        return { kind: 'direct', target: ep };
      },
      dispose: async () => undefined,
    };
    const engine = new ReplEngine({ host: '127.0.0.1', port: seed.port, router, cluster: true, mode: 'raw' }, (c, ch) => {
      if (ch === 'stderr') errors.push(c.toString());
    });
    try {
      assert.ok(await engine.start());
      const fooOwner = owner(ms, Number(redisCli(['-p', String(seed.port), 'cluster', 'keyslot', 'foo']).toString().trim()));
      if (fooOwner.port === seed.port) return;
      assert.equal(await engine.execute('get foo'), 'failed', 'a redirect to an unroutable node should fail the line');
      assert.match(errors.join(''), new RegExp(`Could not connect to Redis at 127\\.0\\.0\\.1:${fooOwner.port}: no route`));
    } finally {
      await engine.close();
    }
  });
});
