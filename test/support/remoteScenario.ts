/**
 * What every remote engine must carry, run through the real `bin/redis-swarm` with the engine in
 * its environment (DOCKER_HOST=ssh://… or tcp://… with TLS): doctor, deploy, create, status, the
 * REPL following redirects, port-forward, a reshard, heal after a task is killed, and destroy.
 * Nodes are reached only through Docker API tunnels over that engine.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import calculateSlot from 'cluster-key-slot';
import { type Run, runProcess } from './runProcess';

export const CLI_BOUND_MS = 180_000;

export function cli(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<Run> {
  return runProcess(process.execPath, ['bin/redis-swarm', ...args], { boundMs: CLI_BOUND_MS, env, ...(input !== undefined ? { input } : {}) });
}

/** The one line, one sentence, a user reads on stderr (progress lines aside). */
export function oneSentence(stderr: string): string {
  const lines = stderr.trim().split('\n').filter((l) => !l.startsWith('>>>'));
  assert.equal(lines.length, 1, `one line expected:\n${stderr}`);
  return lines[0] ?? '';
}

export async function ok(args: readonly string[], env: NodeJS.ProcessEnv, input?: string): Promise<string> {
  const r = await cli(args, env, input);
  assert.equal(r.status, 0, `redis-swarm ${args.join(' ')} exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A long-running verb (port-forward, reshard) with its output so far. */
export interface Running {
  readonly child: ChildProcess;
  output(): string;
  waitFor(pattern: RegExp, boundMs: number): Promise<string>;
  exit(boundMs: number): Promise<number | null>;
  kill(): void;
}

export function start(args: readonly string[], env: NodeJS.ProcessEnv): Running {
  const child = spawn(process.execPath, ['bin/redis-swarm', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d: Buffer) => (text += d.toString()));
  child.stderr.on('data', (d: Buffer) => (text += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  return {
    child,
    output: () => text,
    waitFor: async (pattern, boundMs) => {
      const deadline = Date.now() + boundMs;
      for (;;) {
        const m = pattern.exec(text);
        if (m) return m[0];
        if (child.exitCode !== null || Date.now() > deadline) {
          throw new Error(`redis-swarm ${args.join(' ')}: no output matching ${pattern} (exit ${child.exitCode}):\n${text}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    exit: (boundMs) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`redis-swarm ${args.join(' ')} still runs after ${boundMs / 1000} s:\n${text}`)), boundMs).unref()),
      ]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** redis-cli against a forwarded local port. */
export async function redisCli(port: number, args: readonly string[], input?: string): Promise<string> {
  const r = await runProcess('redis-cli', ['-p', String(port), ...args], { boundMs: 60_000, ...(input !== undefined ? { input } : {}) });
  assert.equal(r.status, 0, `redis-cli ${args.join(' ')} exited ${r.status}: ${r.stdout}${r.stderr}`);
  return r.stdout + r.stderr;
}

/** Forwards every node; returns the local ports in node order and the running verb. */
export async function portForward(cluster: string, env: NodeJS.ProcessEnv): Promise<{ ports: number[]; run: Running }> {
  const run = start(['port-forward', '--cluster', cluster, '--json'], env);
  const line = await run.waitFor(/\{"cluster".*\}\n/, 90_000);
  const mapping = JSON.parse(line) as { forwards: { node: string; local: string }[] };
  const ports = mapping.forwards.map((f) => Number(f.local.split(':')[1]));
  return { ports, run };
}

/** Writes `perNode` keys into each master, each key in a slot that master owns (redis-cli --pipe through the forwards). */
export async function fillKeys(ports: readonly number[], perNode: number): Promise<number> {
  let total = 0;
  for (const port of ports) {
    const nodes = await redisCli(port, ['cluster', 'nodes']);
    const mine = nodes.split('\n').find((l) => l.includes('myself'));
    if (!mine || !mine.includes('master')) continue;
    const owned = new Set<number>();
    for (const part of mine.trim().split(' ').slice(8)) {
      if (part.startsWith('[')) continue;
      const [a, b] = part.split('-').map(Number);
      for (let s = a ?? 0; s <= (b ?? a ?? 0); s++) owned.add(s);
    }
    const lines: string[] = [];
    for (let i = 0; lines.length < perNode; i++) {
      const key = `k:${port}:${i}`;
      if (owned.has(calculateSlot(key))) lines.push(`SET ${key} v${i}`);
    }
    const out = await redisCli(port, ['--pipe'], lines.join('\r\n') + '\r\n');
    assert.match(out, /errors: 0, replies: \d+/, out);
    total += lines.length;
  }
  return total;
}

/** The keys held by the masters, through the REPL (cli --node N dbsize). */
export async function countKeys(cluster: string, nodes: number, env: NodeJS.ProcessEnv): Promise<number> {
  let sum = 0;
  for (let n = 1; n <= nodes; n++) {
    const role = (await ok(['cli', '--cluster', cluster, '--node', String(n), 'role'], env)).split('\n')[0];
    if (role !== 'master') continue;
    sum += Number((await ok(['cli', '--cluster', cluster, '--node', String(n), 'dbsize'], env)).trim());
  }
  return sum;
}

export async function nodeId(cluster: string, node: number, env: NodeJS.ProcessEnv): Promise<string> {
  return (await ok(['cli', '--cluster', cluster, '--node', String(node), 'cluster', 'myid'], env)).trim();
}

/**
 * A 3-master cluster (no replicas) filled with `perNode` keys per master through port-forward,
 * for the tests that cut the engine off mid-reshard; returns how many keys it holds.
 */
export async function deployFilled(name: string, image: string, env: NodeJS.ProcessEnv, perNode: number): Promise<number> {
  await ok(['deploy', '--name', name, '--nodes', '3', '--replicas', '0', '--image', image, '--node-timeout', '2000', '--mode', 'persistent'], env);
  await ok(['create', '--cluster', name, '--yes'], env);
  const forward = await portForward(name, env);
  try {
    return await fillKeys(forward.ports, perNode);
  } finally {
    forward.run.child.kill('SIGTERM');
    await forward.run.exit(30_000);
  }
}

/** The verbs of a cluster's life, through the engine `env` points at. */
export async function exerciseEngine(cluster: string, image: string, env: NodeJS.ProcessEnv, describeEngine: RegExp): Promise<void> {
  const doctor = await ok(['doctor'], env);
  assert.match(doctor, describeEngine, doctor);
  assert.match(doctor, /active/, doctor);

  await ok(['deploy', '--name', cluster, '--nodes', '3', '--replicas', '0', '--image', image, '--node-timeout', '2000', '--mode', 'cache'], env);
  await ok(['create', '--cluster', cluster, '--yes'], env);
  const status = JSON.parse(await ok(['status', '--cluster', cluster, '--json'], env)) as unknown;
  assert.match(JSON.stringify(status), /16384|"slots"/, 'status lists the cluster');

  // The REPL with -c: keys on three masters, so most commands meet MOVED and follow it.
  const repl = await ok(['cli', '--cluster', cluster, '-c'], env, 'set {a}k 1\nset {b}k 2\nset {c}k 3\nget {a}k\nget {b}k\nget {c}k\n');
  const lines = repl.trim().split('\n');
  assert.deepEqual(lines.filter((l) => !l.startsWith('-> Redirected')), ['OK', 'OK', 'OK', '1', '2', '3'], repl);
  assert.ok(lines.filter((l) => /^-> Redirected to slot \[\d+\] located at /.test(l)).length >= 3, `redirects followed:\n${repl}`);

  const forward = await portForward(cluster, env);
  try {
    assert.equal(forward.ports.length, 3);
    for (const p of forward.ports) assert.match(await redisCli(p, ['cluster', 'info']), /cluster_state:ok/);
    await fillKeys(forward.ports, 2000);
  } finally {
    forward.run.child.kill('SIGTERM');
    await forward.run.exit(30_000);
  }

  const to = await nodeId(cluster, 1, env);
  const reshard = await ok(['reshard', '--cluster', cluster, '--to', to, '--slots', '1000', '--yes'], env);
  assert.match(reshard, /1000/, reshard);
  assert.equal(await countKeys(cluster, 3, env), 6003, 'every key is still there after the reshard');

  const heal = await ok(['heal', '--cluster', cluster, '--yes'], env);
  assert.match(heal, /Cluster ok/, heal);
  await ok(['check', '--cluster', cluster], env);
}
