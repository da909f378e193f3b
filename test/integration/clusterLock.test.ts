/**
 * The cluster lock across processes, on a real loopback cluster (redis-server processes, ports
 * 25100-25105 and 25110-25112, bus ports 25150-25155 and 25160-25162): separate processes (the
 * built CLI, `node bin/redis-swarm`, and test/support/lockHolder.ts) contend for one cluster.
 * A second operation refuses with the sentence naming the holder and changes nothing, a holder
 * killed with SIGKILL frees the lock, and the lock works while the cluster is down.
 */
import { strict as assert } from 'node:assert';
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { parseClusterNodes } from '../../src/core/cluster/nodesParser';
import { type ClusterNode, countSlots } from '../../src/core/cluster/topology';
import { createWithRedisCli, type LoopbackNodes, redisCli, waitClusterOk } from '../support/loopbackCluster';
import { startOpsNodes } from '../support/opsNodes';
import { type Run, runProcess } from '../support/runProcess';
import { deployHandMadeCluster, runPrefix, sweep } from '../support/swarm';

const BASE = 25100;
const FRESH_BASE = 25110;
/** Bounds, not assertions: a loaded machine is slow. */
const PROCESS_BOUND_MS = 120_000;
const BUSY = /Cluster "([^"]+)" is busy: (.+) has held its lock since (\S+) \(pid (\d+) on (\S+)\); try again when it has finished\./;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const children = new Set<ChildProcess>();

/** Runs the built CLI to its end (bounded). */
function runCli(...args: string[]): Promise<Run> {
  return runProcess(process.execPath, ['bin/redis-swarm', ...args], { boundMs: PROCESS_BOUND_MS, track: children });
}

interface Holder {
  readonly child: ChildProcess;
  /** Its first line: it holds the lock, or the sentence it was refused with. */
  readonly outcome: Promise<{ held?: boolean; busy?: string }>;
  readonly exit: Promise<number | null>;
}

/** A process of its own taking the lock through the core (it holds it until released or killed). */
function startHolder(cluster: string, operation: string, ports: readonly number[] = []): Holder {
  const child = spawn(process.execPath, ['out/test/support/lockHolder.js', cluster, operation, ...ports.map((p) => `127.0.0.1:${p}`)], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.add(child);
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exit = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const outcome = new Promise<{ held?: boolean; busy?: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lock holder ${operation} said nothing within ${PROCESS_BOUND_MS / 1000} s`)), PROCESS_BOUND_MS);
    createInterface({ input: child.stdout as NodeJS.ReadableStream }).once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line) as { held?: boolean; busy?: string });
    });
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`lock holder ${operation} exited (${String(code)}) before saying anything: ${stderr}`));
    });
  });
  outcome.catch(() => undefined);
  return { child, outcome, exit };
}

/** Ends a holder the clean way (its stdin closes) and waits for it. */
async function release(h: Holder): Promise<void> {
  h.child.stdin?.end();
  assert.equal(await h.exit, 0, 'the holder released the lock and exited 0');
}

function parseBusy(text: string): { cluster: string; operation: string; since: number; pid: number; host: string } {
  const m = BUSY.exec(text);
  assert.ok(m, `the refusal is the lock's sentence; got: ${text}`);
  const [, cluster = '', operation = '', since = '', pid = '', host = ''] = m;
  return { cluster, operation, since: Date.parse(since), pid: Number(pid), host };
}

const cli = (port: number, ...args: string[]): string => redisCli(['-p', String(port), ...args]).toString();
const nodesOf = (port: number): readonly ClusterNode[] => parseClusterNodes(cli(port, 'cluster', 'nodes')).nodes;
const masters = (port: number): ClusterNode[] =>
  nodesOf(port)
    .filter((n) => n.role === 'master' && n.slots.length > 0 && !n.flags.fail)
    .sort((a, b) => a.endpoint.port - b.endpoint.port);
/** The lock's named clients on a node. */
const lockClients = (port: number): { id: string; name: string }[] =>
  cli(port, 'client', 'list', 'type', 'normal')
    .split('\n')
    .map((line) => ({ id: /(?:^| )id=(\d+)/.exec(line)?.[1] ?? '', name: / name=(\S*)/.exec(line)?.[1] ?? '' }))
    .filter((c) => c.name.startsWith('redis-swarm-lock:'));
/** Each master's slots as text, to see that a refused operation changed nothing. */
const slotMap = (port: number): string =>
  masters(port)
    .map((n) => `${n.id}:${n.slots.map((r) => `${r.start}-${r.end}`).join(',')}`)
    .join(' ');

describe('the cluster lock across processes', { timeout: 600_000 }, () => {
  let nodes: LoopbackNodes | undefined;
  let fresh: LoopbackNodes | undefined;

  before(async () => {
    nodes = await startOpsNodes(BASE, 6, BASE + 50);
    createWithRedisCli(nodes.endpoints, 1);
    await waitClusterOk(nodes.ports);
    fresh = await startOpsNodes(FRESH_BASE, 3, FRESH_BASE + 50);
  });

  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await nodes?.stop();
    await fresh?.stop();
  });

  it('of contenders started at once in separate processes, exactly one holds the lock; the others refuse naming a holder', async () => {
    const ports = nodes?.ports ?? [];
    for (let round = 1; round <= 3; round++) {
      const contenders = Array.from({ length: 4 }, (_, i) => startHolder('C', `contender-${round}-${i}`, ports));
      const outcomes = await Promise.all(contenders.map((c) => c.outcome));
      const holders = contenders.filter((_, i) => outcomes[i]?.held === true);
      assert.equal(holders.length, 1, `round ${round}: exactly one contender holds the lock: ${JSON.stringify(outcomes)}`);
      for (const [i, o] of outcomes.entries()) {
        if (o.held) continue;
        const busy = parseBusy(o.busy ?? '');
        assert.match(busy.operation, /^contender-/);
        assert.equal(await contenders[i]?.exit, 3, 'a refused contender exits non-zero');
      }
      await release(holders[0] as Holder);
    }
  });

  it('a reshard waiting for its confirmation holds the lock: a second reshard refuses naming it, exits non-zero and changes nothing', async () => {
    const [a, b] = masters(BASE);
    assert.ok(a && b, 'two masters');
    const started = Date.now();
    // A terminal (script(1)) so the first reshard asks for its confirmation, holding the lock meanwhile.
    const first = spawn('script', ['-qefc', `${process.execPath} bin/redis-swarm reshard 127.0.0.1:${BASE} --from ${b.id} --to ${a.id} --slots 100`, '/dev/null'], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    children.add(first);
    let firstOut = '';
    first.stdout.on('data', (d: Buffer) => (firstOut += d.toString()));
    const firstExit = new Promise<number | null>((resolve) => first.on('close', (code) => resolve(code)));
    try {
      for (const deadline = Date.now() + PROCESS_BOUND_MS; !firstOut.includes("(type 'yes' to accept)"); ) {
        assert.ok(Date.now() < deadline, `the first reshard asked for its confirmation; it printed: ${firstOut}`);
        assert.equal(first.exitCode, null, `the first reshard is still running; it printed: ${firstOut}`);
        await sleep(50);
      }
      const before = slotMap(BASE);
      const second = await runCli('reshard', `127.0.0.1:${BASE + 1}`, '--from', a.id, '--to', b.id, '--slots', '200', '--yes');
      assert.equal(second.status, 1, `the second reshard exits 1; stderr: ${second.stderr}`);
      const busy = parseBusy(second.stderr);
      assert.equal(busy.operation, 'reshard');
      assert.equal(busy.host, hostname());
      assert.ok(busy.since >= started - 1000 && busy.since <= Date.now(), `the start time ${new Date(busy.since).toISOString()} is the first reshard's`);
      const cmdline = readFileSync(`/proc/${busy.pid}/cmdline`, 'utf8').split('\0');
      assert.ok(cmdline.includes('bin/redis-swarm') && cmdline.includes('reshard'), `pid ${busy.pid} is the first reshard (${cmdline.join(' ')})`);
      assert.equal(second.stdout, '', 'the second reshard printed no plan');
      assert.equal(slotMap(BASE), before, 'the second reshard changed no slot');

      first.stdin.write('yes\n');
      assert.equal(await firstExit, 0, `the first reshard completed; it printed: ${firstOut}`);
      assert.equal(countSlots(masters(BASE).find((m) => m.id === a.id)?.slots ?? []), countSlots(a.slots) + 100, 'the first reshard moved its 100 slots');

      // It released the lock on its way out: the next operation runs.
      const third = await runCli('reshard', `127.0.0.1:${BASE + 1}`, '--from', a.id, '--to', b.id, '--slots', '100', '--yes');
      assert.equal(third.status, 0, `a reshard after the first one ended runs; stderr: ${third.stderr}`);
    } finally {
      first.kill('SIGKILL');
      children.delete(first);
    }
  });

  it('a holder killed with SIGKILL frees the lock: the next operation runs', async () => {
    const ports = nodes?.ports ?? [];
    const [a, b] = masters(BASE);
    assert.ok(a && b, 'two masters');
    const holder = startHolder('C', 'rebalance', ports);
    assert.deepEqual(await holder.outcome, { held: true });
    const refused = await runCli('reshard', `127.0.0.1:${BASE + 2}`, '--from', b.id, '--to', a.id, '--slots', '50', '--yes');
    assert.equal(refused.status, 1, `refused while the holder lives; stderr: ${refused.stderr}`);
    const busy = parseBusy(refused.stderr);
    assert.equal(busy.operation, 'rebalance');
    assert.equal(busy.pid, holder.child.pid);

    holder.child.kill('SIGKILL');
    await holder.exit;
    const next = await runCli('reshard', `127.0.0.1:${BASE + 2}`, '--from', b.id, '--to', a.id, '--slots', '50', '--yes');
    assert.equal(next.status, 0, `the reshard after the holder was killed runs; stderr: ${next.stderr}`);
    assert.equal(countSlots(masters(BASE).find((m) => m.id === a.id)?.slots ?? []), countSlots(a.slots) + 50, 'it moved its 50 slots');
  });

  it('create locks the nodes it is given, even before they form a cluster', async () => {
    const ports = fresh?.ports ?? [];
    const holder = startHolder('F', 'create', ports);
    assert.deepEqual(await holder.outcome, { held: true });
    try {
      const refused = await runCli('create', ...ports.map((p) => `127.0.0.1:${p}`), '--yes');
      assert.equal(refused.status, 1, `create refuses while another create holds the nodes; stderr: ${refused.stderr}`);
      const busy = parseBusy(refused.stderr);
      assert.equal(busy.operation, 'create');
      assert.equal(busy.pid, holder.child.pid);
      for (const p of ports) {
        assert.match(cli(p, 'cluster', 'info'), /cluster_slots_assigned:0\r?\n/, `127.0.0.1:${p} was left alone`);
        assert.match(cli(p, 'cluster', 'info'), /cluster_known_nodes:1\r?\n/, `127.0.0.1:${p} met nobody`);
      }
    } finally {
      await release(holder);
    }
  });

  it('a holder keeps its names through an idle timeout, and names a node again after losing its connection there', async () => {
    const ports = nodes?.ports ?? [];
    for (const p of ports) cli(p, 'config', 'set', 'timeout', '2');
    const holder = startHolder('C', 'rebalance', ports);
    try {
      assert.deepEqual(await holder.outcome, { held: true });
      const first = ports.map((p) => lockClients(p));
      for (const [i, c] of first.entries()) assert.equal(c.length, 1, `127.0.0.1:${ports[i]} shows the holder's name`);
      // Longer than the nodes' idle timeout: a silent connection would be closed meanwhile.
      await sleep(5_000);
      assert.deepEqual(
        ports.map((p) => lockClients(p)),
        first,
        'the same named connections are there (none was closed for being idle)',
      );
    } finally {
      for (const p of ports) cli(p, 'config', 'set', 'timeout', '0');
    }
    try {
      const port = ports[3] ?? BASE;
      const [lost] = lockClients(port);
      assert.ok(lost);
      cli(port, 'client', 'kill', 'id', lost.id);
      for (const deadline = Date.now() + 60_000; ; ) {
        const now = lockClients(port);
        if (now.length === 1 && now[0]?.id !== lost.id) {
          assert.equal(now[0]?.name, lost.name, 'the same holder named its new connection');
          break;
        }
        assert.ok(Date.now() < deadline, `the holder named a new connection to 127.0.0.1:${port} within 60 s`);
        await sleep(200);
      }
    } finally {
      await release(holder);
    }
    for (const p of ports) assert.deepEqual(lockClients(p), [], `127.0.0.1:${p}: the released lock left no name`);
  });

  it('works while the cluster is down (a master and its replica stopped, CLUSTERDOWN to key commands)', async () => {
    const all = nodesOf(BASE);
    const victim = masters(BASE).find((m) => m.endpoint.port !== BASE);
    assert.ok(victim, 'a master other than the seed');
    const replicas = all.filter((n) => n.masterId === victim.id).map((n) => n.endpoint.port);
    // Its replicas first, so nothing can take over its slots.
    for (const p of [...replicas, victim.endpoint.port]) {
      try {
        cli(p, 'shutdown', 'nosave');
      } catch {
        // redis-cli reports the closed connection of a shutdown as an error.
      }
    }
    const survivors = (nodes?.ports ?? []).filter((p) => p !== victim.endpoint.port && !replicas.includes(p));
    for (const deadline = Date.now() + 60_000; ; ) {
      if (survivors.every((p) => cli(p, 'cluster', 'info').includes('cluster_state:fail'))) break;
      assert.ok(Date.now() < deadline, 'the cluster went down within 60 s');
      await sleep(250);
    }
    assert.match(cli(BASE, 'set', 'k', 'v'), /CLUSTERDOWN/, 'key commands answer CLUSTERDOWN');

    const holder = startHolder('C', 'heal', survivors);
    assert.deepEqual(await holder.outcome, { held: true }, 'the lock is taken while the cluster is down');
    try {
      const refused = await runCli('fix', `127.0.0.1:${BASE}`, '--yes');
      assert.equal(refused.status, 1, `fix refuses while heal holds the lock; stderr: ${refused.stderr}`);
      const busy = parseBusy(refused.stderr);
      assert.equal(busy.operation, 'heal');
      assert.equal(busy.pid, holder.child.pid);
      const rival = startHolder('C', 'heal', survivors);
      const outcome = await rival.outcome;
      assert.equal(parseBusy(outcome.busy ?? '').pid, holder.child.pid, 'a second heal process refuses too');
      assert.equal(await rival.exit, 3);
    } finally {
      await release(holder);
    }
  });
});

describe('the cluster lock on the swarm, through Docker API tunnels', { timeout: 300_000 }, () => {
  const name = runPrefix('k2');
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sweep(name);
  });

  it('heal --yes refuses while another process holds the lock through tunnels, and runs once that process is killed', async () => {
    await deployHandMadeCluster(name);
    const holder = startHolder(name, 'reshard');
    assert.deepEqual(await holder.outcome, { held: true });
    const refused = await runCli('heal', '--cluster', name, '--yes');
    assert.equal(refused.status, 1, `heal refuses; stderr: ${refused.stderr}`);
    const busy = parseBusy(refused.stderr);
    assert.equal(busy.cluster, name);
    assert.equal(busy.operation, 'reshard');
    assert.equal(busy.pid, holder.child.pid);
    assert.equal(refused.stdout, '', 'heal printed no plan');

    // Its tunnels die with it: each relay in the containers exits, and Redis drops the names.
    holder.child.kill('SIGKILL');
    await holder.exit;
    let next: Run | undefined;
    for (const deadline = Date.now() + 60_000; ; ) {
      next = await runCli('heal', '--cluster', name, '--yes');
      if (!BUSY.test(next.stderr)) break;
      assert.ok(Date.now() < deadline, `the killed holder's names were gone within 60 s: ${next.stderr}`);
      await sleep(1_000);
    }
    assert.equal(next.status, 0, `heal runs after the holder was killed; stdout: ${next.stdout} stderr: ${next.stderr}`);
  });
});
